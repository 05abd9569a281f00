// GPT-2's parameter table: its tensors (HF names, Conv1D in × out layout) in the shared GPU-resident table.

import type { GpuContext } from '../../gpu/context.ts';
import type { GpuTensor } from '../quant/tensors.ts';
import { ParameterTable } from '../shared/parameters.ts';
import { parameterShapes, type Gpt2Dims } from './dims.ts';

export type { ParamTensor } from '../shared/parameters.ts';

export class Gpt2Parameters extends ParameterTable {
  constructor(
    ctx: GpuContext,
    readonly dims: Gpt2Dims,
    label: string,
    weights?: Map<string, Float32Array | GpuTensor>,
  ) {
    super(ctx, parameterShapes(dims), label, weights);
  }
}
