// GPT-2's parameter table: its tensors (HF names, Conv1D in × out layout) in the shared GPU-resident table.

import { parameterTableOf } from '../shared/parameters.ts';
import { parameterShapes } from './dims.ts';

export type { ParamTensor } from '../shared/parameters.ts';

export class Gpt2Parameters extends parameterTableOf(parameterShapes) {}
