// Test helpers for the hypernetworks (no vitest import): random gradient tokens and random editor weights
// (nonzero everywhere, unlike the zero-initialised heads), and the loss Σ wL·left + Σ wR·right.

import type { GpuContext } from '../../gpu/context.ts';
import { seededRandom } from '../../model/testing.ts';
import type { BackboneShape, GradientTokens, Hypernet } from './types.ts';
import { editedShape } from './layers.ts';

export function randomTokens(
  ctx: GpuContext,
  backbone: BackboneShape,
  keys: string[],
  editTokens: number[],
  seed = 1,
): GradientTokens {
  const N = editTokens.reduce((a, b) => a + b, 0);
  return {
    editTokens,
    layers: keys.map((key, i) => {
      const { nIn, nOut } = editedShape(backbone, key);
      return {
        key,
        nIn,
        nOut,
        tokens: N,
        u: ctx.upload(`u.${key}`, seededRandom(N * nIn, seed * 100 + i, 2)),
        delta: ctx.upload(`delta.${key}`, seededRandom(N * nOut, seed * 100 + 50 + i, 0.5)),
      };
    }),
  };
}

/** Every tensor `create(config)` saves, filled with small random values (scales near 1, count 10). */
export async function randomWeights(
  create: (w?: Map<string, Float32Array>) => Hypernet,
  seed = 7,
): Promise<Map<string, Float32Array>> {
  const fresh = create();
  const saved = await fresh.save();
  fresh.destroy();
  const w = new Map<string, Float32Array>();
  saved.tensors.forEach((t, i) => {
    const r = seededRandom(t.data.length, seed * 1000 + i, 0.5);
    if (t.name === 'norm.count') r[0] = 10;
    else if (t.name.startsWith('norm.')) {
      const C = t.shape[1];
      for (let j = C; j < 2 * C; j++) r[j] = 9 * (1 + r[j] * r[j]); // M2 > 0
    } else if (/\.(s\d|ln\w*\.weight)$/.test(t.name)) r.forEach((v, j) => (r[j] = 1 + v / 2));
    w.set(t.name, r);
  });
  return w;
}
