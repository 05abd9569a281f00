// A random Llama-family initialisation for tests and benchmarks (HF's _init_weights: N(0, 0.02) matrices and
// embeddings, zero biases, unit norm gains).

import { rng } from '../../util/random.ts';
import { parameterShapes, type LlamaDims } from './dims.ts';

export function randomLlamaInit(d: LlamaDims, seed: number, std = 0.02): Map<string, Float32Array> {
  const rand = rng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()); // Box–Muller
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(d)) {
    const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
    if (name.endsWith('norm.weight')) a.fill(1);
    else if (!name.endsWith('.bias')) for (let i = 0; i < a.length; i++) a[i] = std * gaussian();
    weights.set(name, a);
  }
  return weights;
}
