// The shape of a GPT-2 model as the engine sees it, and its parameter names (Hugging Face names, no prefix).

export interface Gpt2Dims {
  nLayer: number;
  nHead: number;
  nEmbd: number;
  nPositions: number;
  vocabSize: number;
  eps: number;
}

/** A linear layer of one block (Conv1D: y = x W + b, W stored (in, out)). */
export type LinearName = 'attn.c_attn' | 'attn.c_proj' | 'mlp.c_fc' | 'mlp.c_proj';

export const LINEARS: readonly LinearName[] = ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'];

export function linearShape(d: Gpt2Dims, linear: LinearName): { nIn: number; nOut: number } {
  const C = d.nEmbd;
  switch (linear) {
    case 'attn.c_attn':
      return { nIn: C, nOut: 3 * C };
    case 'attn.c_proj':
      return { nIn: C, nOut: C };
    case 'mlp.c_fc':
      return { nIn: C, nOut: 4 * C };
    case 'mlp.c_proj':
      return { nIn: 4 * C, nOut: C };
  }
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
