// The end-to-end proof that WebGPU computes correctly here: both matmul variants against the CPU reference.
// The app's adapter report and the Playwright suite run it in the page; Node tests run the kernel directly.

import { matmulRef } from '../reference/matmul.ts';
import type { GpuContext } from './context.ts';
import { matmul, type MatmulVariant } from './kernels/matmul.ts';

export interface MatmulCheckResult {
  variant: MatmulVariant;
  shape: string;
  maxAbsDiff: number;
  ms: number;
  ok: boolean;
}

const CHECK_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [37, 70, 33],
  [128, 128, 128],
];

function seeded(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

export async function runMatmulCheck(ctx: GpuContext, tolerance = 1e-3): Promise<MatmulCheckResult[]> {
  const results: MatmulCheckResult[] = [];
  for (const variant of ['blocked', 'tiled'] as const) {
    for (const [M, N, K] of CHECK_SHAPES) {
      const a = seeded(M * K, M + 7 * K);
      const b = seeded(K * N, N + 13 * K);
      const bias = seeded(N, N + 1);
      const bufA = ctx.upload('check.a', a);
      const bufB = ctx.upload('check.b', b);
      const bufBias = ctx.upload('check.bias', bias);
      const out = ctx.buffer('check.out', M * N * 4);
      const t0 = performance.now();
      matmul(ctx, { a: bufA, b: bufB, bias: bufBias, out, M, N, K, variant });
      const got = await ctx.read(out);
      const ms = performance.now() - t0;
      const want = matmulRef(a, b, { M, N, K }, bias);
      let maxAbsDiff = 0;
      for (let i = 0; i < want.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(got[i] - want[i]));
      if (Number.isNaN(got[0])) maxAbsDiff = Infinity;
      results.push({ variant, shape: `${M}x${K} · ${K}x${N}`, maxAbsDiff, ms, ok: maxAbsDiff <= tolerance });
      [bufA, bufB, bufBias, out].forEach((x) => x.destroy());
    }
  }
  return results;
}
