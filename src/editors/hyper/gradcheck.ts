// Whole-network gradient check for the hypernetworks (as src/model/gpt2/gradcheck.gpu.test.ts does for the
// model): the scalar loss L = Σ wL·left + Σ wR·right (+ β·KL) with fixed random w; the backward's parameter
// gradients against central finite differences of the GPU forward.

import type { GpuContext } from '../../gpu/context.ts';
import { seededRandom } from '../../model/testing.ts';
import type { GradientTokens, Hypernet } from './types.ts';

export interface GradcheckResult {
  checked: number;
  /** Worst |analytic − fd| / (1e-3 + |analytic|). */
  worst: number;
  /** The element behind `worst`, with both values. */
  worstAt: string;
}

export async function gradientCheck(
  ctx: GpuContext,
  net: Hypernet,
  tokens: GradientTokens,
  weights: Map<string, Float32Array>,
  { beta, h = 1e-2, seed = 3 }: { beta: number; h?: number; seed?: number },
): Promise<GradcheckResult> {
  const outs = net.forward(tokens, { train: true, seed });
  const w = outs.map((f, i) => ({
    left: seededRandom(f.rank * f.nIn, 500 + i, 1),
    right: seededRandom(f.rank * f.nOut, 600 + i, 1),
  }));
  const loss = async (): Promise<number> => {
    const o = net.forward(tokens, { train: true, seed });
    let s = 0;
    for (const [i, f] of o.entries()) {
      const l = await ctx.read(f.left, 0, f.rank * f.nIn * 4);
      const r = await ctx.read(f.right, 0, f.rank * f.nOut * 4);
      l.forEach((v, j) => (s += v * w[i].left[j]));
      r.forEach((v, j) => (s += v * w[i].right[j]));
    }
    return s + (beta ? beta * (await net.readKl()) : 0);
  };
  net.zeroGrad();
  await loss();
  const dFactors = outs.map((f, i) => ({
    key: f.key,
    dLeft: ctx.upload('dLeft', w[i].left),
    dRight: ctx.upload('dRight', w[i].right),
  }));
  net.backward(dFactors, { beta });
  let checked = 0;
  let worst = 0;
  let worstAt = '';
  for (const p of net.params) {
    const g = await ctx.read(p.grad, 0, p.size * 4);
    const data = Float32Array.from(weights.get(p.name)!);
    let big = 0;
    g.forEach((v, i) => (Math.abs(v) > Math.abs(g[big]) ? (big = i) : 0));
    for (const i of new Set([big, 0, Math.floor(p.size / 2)])) {
      const original = data[i];
      const at = async (v: number) => {
        data[i] = v;
        ctx.write(p.buffer, data);
        return loss();
      };
      const fd = ((await at(original + h)) - (await at(original - h))) / (2 * h);
      data[i] = original;
      ctx.write(p.buffer, data);
      const err = Math.abs(fd - g[i]);
      const rel = err / (1e-3 + Math.abs(g[i]));
      if (rel > worst) [worst, worstAt] = [rel, `${p.name}[${i}]: analytic ${g[i]}, fd ${fd}`];
      if (err > 2e-3 + 0.03 * Math.abs(g[i]))
        throw new Error(`${p.name}[${i}]: analytic ${g[i]}, finite difference ${fd}`);
      checked++;
    }
  }
  dFactors.forEach((d) => (d.dLeft.destroy(), d.dRight.destroy()));
  return { checked, worst, worstAt };
}
