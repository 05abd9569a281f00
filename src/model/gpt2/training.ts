// Training a GPT-2: the shared AdamW step (../adamw-trainer.ts) over this layout's parameters.

import { AdamWTrainer } from '../adamw-trainer.ts';
import type { AdamWConfig } from '../language-model.ts';
import type { Gpt2Model } from './model.ts';
import { Gpt2Parameters } from './parameters.ts';

export type { AdamWConfig };

export const DEFAULT_ADAMW: AdamWConfig = { lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 };

export class Gpt2Trainer extends AdamWTrainer<Gpt2Parameters> {
  constructor(model: Gpt2Model) {
    super(model, (label) => new Gpt2Parameters(model.ctx, model.dims, label));
  }
}
