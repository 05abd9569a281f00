// A Llama-family model's parameter table: its tensors (HF names) in the shared GPU-resident table.

import type { GpuContext } from '../../gpu/context.ts';
import type { GpuTensor } from '../quant/tensors.ts';
import { ParameterTable } from '../shared/parameters.ts';
import { parameterShapes, type LlamaDims } from './dims.ts';

export type { ParamTensor } from '../shared/parameters.ts';

export class LlamaParameters extends ParameterTable {
  constructor(
    ctx: GpuContext,
    readonly dims: LlamaDims,
    label: string,
    weights?: Map<string, Float32Array | GpuTensor>,
  ) {
    super(ctx, parameterShapes(dims), label, weights);
  }
}
