// GPT-2's initialisation (nanoGPT's _init_weights): N(0, 0.02) weights and embeddings, zero biases, unit
// LayerNorm gains, and residual projections (attn.c_proj, mlp.c_proj) scaled by 1/√(2·n_layer).

import { rng } from '../../util/random.ts';
import { parameterShapes, type Gpt2Dims } from './dims.ts';

export function randomGpt2Init(d: Gpt2Dims, seed: number): Map<string, Float32Array> {
  const rand = rng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); // Box–Muller
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(d)) {
    const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
    if (/ln_(1|2|f)\.weight$/.test(name)) a.fill(1);
    else if (!name.endsWith('.bias')) {
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * d.nLayer) : 0.02;
      for (let i = 0; i < a.length; i++) a[i] = std * gaussian();
    }
    weights.set(name, a);
  }
  return weights;
}
