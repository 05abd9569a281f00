// The shape of a GPT-2 model as the engine sees it, its role table (which Conv1D plays which LinearRole), and
// its parameter names (Hugging Face names, no prefix).

import type { LinearRole, LinearSpec, ModelDims, ModelShape } from '../language-model.ts';

export interface Gpt2Dims {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocabSize: number;
  eps: number;
}

/** The interface's dims for GPT-2: no grouped-query attention, head_dim = C / heads, MLP width 4C. */
export function gpt2ModelDims(d: Gpt2Dims): Gpt2Dims & ModelDims {
  return {
    nLayer: d.nLayer,
    nHead: d.nHead,
    nEmbd: d.nEmbd,
    nPositions: d.nPositions,
    vocabSize: d.vocabSize,
    eps: d.eps,
    nKvHead: d.nHead,
    headDim: d.nEmbd / d.nHead,
    nInner: 4 * d.nEmbd,
  };
}

/** A linear layer of one block by its HF name (Conv1D: y = x W + b, W stored (in, out)). */
export type LinearName = 'attn.c_attn' | 'attn.c_proj' | 'mlp.c_fc' | 'mlp.c_proj';

/** GPT-2's role table, in forward order: HF module name and (nIn, nOut) in units of C. */
export const GPT2_LINEARS: readonly { role: LinearRole; name: LinearName; nIn: number; nOut: number }[] = [
  { role: 'attn.qkv', name: 'attn.c_attn', nIn: 1, nOut: 3 },
  { role: 'attn.out', name: 'attn.c_proj', nIn: 1, nOut: 1 },
  { role: 'mlp.in', name: 'mlp.c_fc', nIn: 1, nOut: 4 },
  { role: 'mlp.down', name: 'mlp.c_proj', nIn: 4, nOut: 1 },
];

export const LINEARS: readonly LinearName[] = GPT2_LINEARS.map((l) => l.name);

export function linearShape(d: Gpt2Dims, linear: LinearName): { nIn: number; nOut: number } {
  const l = GPT2_LINEARS.find((x) => x.name === linear)!;
  return { nIn: l.nIn * d.nEmbd, nOut: l.nOut * d.nEmbd };
}

/** The role table instantiated for a model: every linear of every block, block-major, forward order. */
export function gpt2LinearSpecs(d: Gpt2Dims): LinearSpec[] {
  const out: LinearSpec[] = [];
  for (let block = 0; block < d.nLayer; block++)
    for (const l of GPT2_LINEARS) {
      out.push({
        block,
        role: l.role,
        param: `h.${block}.${l.name}.weight`,
        biasParam: `h.${block}.${l.name}.bias`,
        nIn: l.nIn * d.nEmbd,
        nOut: l.nOut * d.nEmbd,
        order: 'in_out',
      });
    }
  return out;
}

/** A GPT-2's shape without weights (hypernetwork tests, editor files). */
export function gpt2Shape(d: Gpt2Dims): ModelShape {
  const linears = gpt2LinearSpecs(d);
  return {
    architecture: 'gpt2',
    dims: gpt2ModelDims(d),
    linears,
    linear(block, role) {
      const s = linears.find((l) => l.block === block && l.role === role);
      if (!s)
        throw new RangeError(
          `This GPT-2 (${d.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
        );
      return s;
    },
  };
}

/** Every parameter with its shape, in a fixed order (the order of HF's GPT2Model.named_parameters()). */
export function parameterShapes(d: Gpt2Dims): [string, number[]][] {
  const C = d.nEmbd;
  const out: [string, number[]][] = [
    ['wte.weight', [d.vocabSize, C]],
    ['wpe.weight', [d.nPositions, C]],
  ];
  for (let l = 0; l < d.nLayer; l++) {
    const h = `h.${l}`;
    out.push([`${h}.ln_1.weight`, [C]], [`${h}.ln_1.bias`, [C]]);
    for (const lin of LINEARS) {
      const { nIn, nOut } = linearShape(d, lin);
      if (lin === 'mlp.c_fc') out.push([`${h}.ln_2.weight`, [C]], [`${h}.ln_2.bias`, [C]]);
      out.push([`${h}.${lin}.weight`, [nIn, nOut]], [`${h}.${lin}.bias`, [nOut]]);
    }
  }
  out.push(['ln_f.weight', [C]], ['ln_f.bias', [C]]);
  return out;
}

export function parameterCount(d: Gpt2Dims): number {
  return parameterShapes(d).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
}
