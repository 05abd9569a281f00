// A Llama-family model's parameter table: its tensors (HF names) in the shared GPU-resident table.

import { parameterTableOf } from '../shared/parameters.ts';
import { parameterShapes } from './dims.ts';

export type { ParamTensor } from '../shared/parameters.ts';

export class LlamaParameters extends parameterTableOf(parameterShapes) {}
