// Training a Llama-family model: the shared AdamW step (../adamw-trainer.ts) over this layout's parameters.

import { AdamWTrainer } from '../adamw-trainer.ts';
import type { LlamaModel } from './model.ts';
import { LlamaParameters } from './parameters.ts';

export class LlamaTrainer extends AdamWTrainer<LlamaParameters> {
  constructor(model: LlamaModel) {
    super(model, (label) => new LlamaParameters(model.ctx, model.dims, label));
  }
}
