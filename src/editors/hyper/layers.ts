// Which weights the hypernetwork editors edit, and their shapes (method.md: mlp.c_fc and mlp.c_proj of the
// last 3 blocks by default).

import { linearShape, type Gpt2Dims, type LinearName } from '../../model/gpt2/dims.ts';

const EDITED = /^h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;

/** mlp.c_fc and mlp.c_proj of the last `blocks` blocks (all blocks of a smaller model), lowest block first. */
export function defaultEditedParams(dims: Gpt2Dims, blocks = 3): string[] {
  const out: string[] = [];
  for (let l = Math.max(0, dims.nLayer - blocks); l < dims.nLayer; l++)
    out.push(`h.${l}.mlp.c_fc.weight`, `h.${l}.mlp.c_proj.weight`);
  return out;
}

export interface EditedWeight {
  layer: number;
  linear: LinearName;
  nIn: number;
  nOut: number;
}

/** Parses 'h.{l}.{linear}.weight' and checks it exists in a model of these dims. */
export function editedShape(dims: Gpt2Dims, param: string): EditedWeight {
  const m = EDITED.exec(param);
  if (!m || Number(m[1]) >= dims.nLayer)
    throw new RangeError(`${param} is not a linear weight of this ${dims.nLayer}-block model.`);
  const linear = m[2] as LinearName;
  return { layer: Number(m[1]), linear, ...linearShape(dims, linear) };
}
