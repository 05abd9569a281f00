// Matmul kernel benchmark: GFLOP/s of every matmul variant on GPT-2 124M's shapes (the head with 1 and 32 rows,
// its unaligned-K gradient, the MLP at prefill and decode), the variant the old selection ran ("before": vec4
// where aligned, else the scalar blocked kernel) against matmulPlan's choice ("after"), and the adapter's
// measured FMA peak (a register-only kernel). Writes bench/results/kernels-<adapter>.json.
//
//   node --import ./bin/register.mjs bench/kernels.ts        (EDITSCOPE_ADAPTER=swiftshader|lavapipe; BENCH_REPEATS)

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { adapterSlug } from './adapter-slug.ts';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import {
  chooseVariant,
  MATMUL_VARIANTS,
  matmul,
  matmulPlan,
  variantAllowed,
  vec4Allowed,
  type MatmulArgs,
} from '../src/gpu/kernels/matmul.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

const SHAPES: { name: string; M: number; N: number; K: number; transA?: boolean; transB?: boolean }[] = [
  { name: 'head, 1 row (decode)', M: 1, N: 50257, K: 768, transB: true },
  { name: 'head, 32 rows', M: 32, N: 50257, K: 768, transB: true },
  { name: 'head gradient dx, 32 rows (K = 50257)', M: 32, N: 768, K: 50257 },
  { name: 'head gradient dx, 1 row', M: 1, N: 768, K: 50257 },
  { name: 'mlp.c_fc, 32 rows', M: 32, N: 3072, K: 768 },
  { name: 'mlp.c_fc, 1 row (decode)', M: 1, N: 3072, K: 768 },
  { name: 'mlp.c_proj, 1 row (decode)', M: 1, N: 768, K: 3072 },
  { name: 'mlp.c_fc dW, 32 rows (transA)', M: 768, N: 3072, K: 32, transA: true },
  { name: 'square 512', M: 512, N: 512, K: 512 },
];

// Register-only FMA loop: 64 invocations x 4 vec4 accumulators x ITERS, stored once so nothing is elided.
const PEAK_ITERS = 4096;
const PEAK = {
  name: 'bench_peak_fma',
  code: /* wgsl */ `
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  var a = vec4<f32>(f32(gid.x) * 1e-7);
  var b = a + 1e-7; var c = a + 2e-7; var d = a + 3e-7;
  let m = vec4<f32>(0.999999);
  let s = vec4<f32>(1e-7);
  for (var i = 0u; i < ${PEAK_ITERS}u; i++) {
    a = fma(a, m, s); b = fma(b, m, s); c = fma(c, m, s); d = fma(d, m, s);
  }
  out[gid.x] = a + b + c + d;
}`,
};

async function wallMs(ctx: GpuContext, run: () => void): Promise<number> {
  run();
  await ctx.sync(); // warm-up: pipeline compiled
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    run();
    await ctx.sync();
    times.push(performance.now() - t0);
  }
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
}

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);

const groups = 256;
const peakOut = ctx.buffer('peak.out', groups * 64 * 16);
const peakFlops = groups * 64 * PEAK_ITERS * 4 * 4 * 2;
const peakMs = await wallMs(ctx, () =>
  ctx.dispatch({ kernel: PEAK, entry: 'main', buffers: [peakOut], workgroups: [groups] }),
);
const peakGflops = peakFlops / peakMs / 1e6;
console.log(`peak FMA: ${peakGflops.toFixed(2)} GFLOP/s`);

const rows = [];
for (const s of SHAPES) {
  const a = ctx.upload('a', fill(s.M * s.K, 1));
  const b = ctx.upload('b', fill(s.K * s.N, 2));
  const out = ctx.buffer('out', s.M * s.N * 4);
  const flops = 2 * s.M * s.N * s.K;
  const args: MatmulArgs = { ...s, a, b, out };
  const before = vec4Allowed(s) ? 'vec4' : 'blocked';
  const after = chooseVariant(ctx, s);
  const variants: Record<string, { ms: number; gflops: number; ofPeak: number }> = {};
  for (const v of MATMUL_VARIANTS) {
    if (!variantAllowed(ctx, v, s)) continue;
    // The tiled kernel with barriers is 7-10x slower on CPU adapters: time it on big shapes only on GPUs.
    if (v === 'tiled' && ctx.adapter.isCpu && flops > 1e9 && v !== after) continue;
    const ms = await wallMs(ctx, () => matmul(ctx, { ...args, variant: v }));
    const gflops = flops / ms / 1e6;
    variants[v] = { ms, gflops, ofPeak: gflops / peakGflops };
  }
  rows.push({ ...s, flops, before, after, variants, speedup: variants[before].ms / variants[after].ms });
  console.log(
    `${s.name.padEnd(40)} before ${before} ${variants[before].gflops.toFixed(2)} → after ${after} ` +
      `${variants[after].gflops.toFixed(2)} GFLOP/s (${(variants[after].gflops / peakGflops).toFixed(2)} of peak)`,
  );
  [a, b, out].forEach((x) => x.destroy());
}

const result = {
  adapter,
  adapterInfo: ctx.adapter,
  date: new Date().toISOString(),
  repeats: REPEATS,
  machine: { cpus: cpus().length, loadavgAtEnd: loadavg() },
  note: 'median wall ms of one dispatch + sync; GFLOP/s = 2·M·N·K / time; ofPeak against peakFmaGflops',
  peakFmaGflops: peakGflops,
  plan: matmulPlan(ctx),
  shapes: rows,
  command: 'node --import ./bin/register.mjs bench/kernels.ts',
};
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/kernels-${adapterSlug(ctx.adapter)}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${file}`);
ctx.destroy();
