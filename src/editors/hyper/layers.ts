// Which layers the hypernetwork editors edit, by role (method.md: the MLP's input and output layers of the
// last 3 blocks by default), and their shapes. A layer is named by an architecture-neutral key
// '{block}.{role}' (e.g. '2.mlp.down'); editor files and tensor names use these keys.

import type { LanguageModel, LinearRole } from '../../model/language-model.ts';
import { LINEAR_ROLES } from '../../model/language-model.ts';

export interface EditedWeight {
  key: string;
  block: number;
  role: LinearRole;
  nIn: number;
  nOut: number;
}

export function layerKey(block: number, role: LinearRole): string {
  return `${block}.${role}`;
}

/**
 * The MLP roles a hypernetwork edits by default on a model: the layers that read the block's MLP input
 * ('mlp.in' for GPT-2; 'mlp.gate' and 'mlp.up' for gated MLPs) and the down projection.
 */
export function defaultEditedRoles(model: Pick<LanguageModel, 'linears'>): LinearRole[] {
  const present = new Set(model.linears.filter((l) => l.block === 0).map((l) => l.role));
  return (['mlp.in', 'mlp.gate', 'mlp.up', 'mlp.down'] as const).filter((r) => present.has(r));
}

/** The default roles of the last `blocks` blocks (all blocks of a smaller model), lowest block first. */
export function defaultEditedLayers(model: Pick<LanguageModel, 'linears' | 'dims'>, blocks = 3): string[] {
  const roles = defaultEditedRoles(model);
  const out: string[] = [];
  for (let l = Math.max(0, model.dims.nLayer - blocks); l < model.dims.nLayer; l++)
    for (const r of roles) out.push(layerKey(l, r));
  return out;
}

/** Parses '{block}.{role}' and checks the model has that layer. */
export function editedShape(
  model: Pick<LanguageModel, 'linear' | 'linears' | 'architecture'>,
  key: string,
): EditedWeight {
  const m = /^(\d+)\.(.+)$/.exec(key);
  const role = m?.[2] as LinearRole | undefined;
  if (!m || !role || !LINEAR_ROLES.includes(role))
    throw new RangeError(`${key} is not a layer key of the form '{block}.{role}' (e.g. '2.mlp.down').`);
  let spec;
  try {
    spec = model.linear(Number(m[1]), role);
  } catch {
    const roles = [...new Set(model.linears.map((l) => l.role))].join(', ');
    throw new RangeError(
      `This ${model.architecture} model has no layer ${role} in block ${m[1]}: its layers are ${roles} in blocks 0 to ${Math.max(...model.linears.map((l) => l.block))}.`,
    );
  }
  return { key, block: spec.block, role, nIn: spec.nIn, nOut: spec.nOut };
}

/** GPT-2's old parameter names in editor files written before layer keys ('h.2.mlp.c_proj.weight' → '2.mlp.down'). */
const GPT2_NAMES: Record<string, LinearRole> = {
  'attn.c_attn': 'attn.qkv',
  'attn.c_proj': 'attn.out',
  'mlp.c_fc': 'mlp.in',
  'mlp.c_proj': 'mlp.down',
};

export function gpt2ParamToLayerKey(param: string): string | null {
  const m = /^h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/.exec(param);
  return m ? layerKey(Number(m[1]), GPT2_NAMES[m[2]]) : null;
}
