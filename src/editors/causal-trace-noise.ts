// The causal trace's corruption terms (see causal-trace.ts): noise ε on a subject token's embedding, expressed as
// what it adds to block 0's linear outputs, so the engine's forward needs no hook before block 0.
// GPT-2 only: block 0 reads LN₁(x₀) with x₀ = wte[id] + wpe[t], recomputed here on the CPU from the parameters.

import type { LanguageModel } from '../model/language-model.ts';

export interface CorruptionTerms {
  /** [sample][subject token] → Δ of block 0's fused qkv output (3C). */
  qkv: Float32Array[][];
  /** [sample][subject token] → ε, added to block 0's attention output so the residual stream carries it (C). */
  eps: Float32Array[][];
}

interface Block0Params {
  wte: Float32Array;
  wpe: Float32Array;
  gain: Float32Array;
  bias: Float32Array;
  /** (C, 3C) in logical in × out order. */
  wqkv: Float32Array;
  eps: number;
}

const cache = new WeakMap<LanguageModel, Promise<Block0Params>>();

function requireGpt2(model: LanguageModel): void {
  if (model.architecture !== 'gpt2')
    throw new Error(
      `The causal trace runs on GPT-2 models (it recomputes block 0's LayerNorm on the CPU); this model is ${model.architecture}.`,
    );
}

/** Block 0's input parameters, read back once per model. */
export function layerNormParams(model: LanguageModel): Promise<Block0Params> {
  requireGpt2(model);
  let p = cache.get(model);
  if (!p) {
    p = (async () => {
      const spec = model.linear(0, 'attn.qkv');
      const raw = await model.readParameter(spec.param);
      // Logical (nIn, nOut); an nn.Linear-ordered weight is stored transposed.
      const wqkv = spec.order === 'in_out' ? raw : transpose(raw, spec.nOut, spec.nIn);
      const eps = (model.dims as { eps?: number }).eps ?? 1e-5;
      return {
        wte: await model.readParameter('wte.weight'),
        wpe: await model.readParameter('wpe.weight'),
        gain: await model.readParameter('h.0.ln_1.weight'),
        bias: await model.readParameter('h.0.ln_1.bias'),
        wqkv,
        eps,
      };
    })();
    cache.set(model, p);
  }
  return p;
}

/** The token embeddings (wte rows) of `ids`, concatenated. */
export async function embeddingRows(model: LanguageModel, ids: number[]): Promise<Float32Array> {
  const { wte } = await layerNormParams(model);
  const C = model.dims.nEmbd;
  const out = new Float32Array(ids.length * C);
  ids.forEach((id, i) => out.set(wte.subarray(id * C, (id + 1) * C), i * C));
  return out;
}

/** Δqkv and ε for each noise sample and subject position (`subj` are positions in `tokens`). */
export async function corruptionTerms(
  model: LanguageModel,
  p: Block0Params,
  tokens: number[],
  subj: number[],
  noise: Float64Array[][],
): Promise<CorruptionTerms> {
  const C = model.dims.nEmbd;
  const N3 = p.wqkv.length / C;
  const x0 = (t: number) => {
    const x = new Float64Array(C);
    for (let c = 0; c < C; c++) x[c] = p.wte[tokens[t] * C + c] + p.wpe[t * C + c];
    return x;
  };
  const project = (x: Float64Array) => {
    const h = layerNorm(x, p.gain, p.bias, p.eps);
    const y = new Float64Array(N3);
    for (let i = 0; i < C; i++) {
      const hi = h[i];
      const row = i * N3;
      for (let j = 0; j < N3; j++) y[j] += hi * p.wqkv[row + j];
    }
    return y;
  };
  const cleanQkv = subj.map((t) => project(x0(t)));
  return {
    qkv: noise.map((sample) =>
      sample.map((e, s) => {
        const x = x0(subj[s]);
        for (let c = 0; c < C; c++) x[c] += e[c];
        const y = project(x);
        return Float32Array.from(y, (v, j) => v - cleanQkv[s][j]);
      }),
    ),
    eps: noise.map((sample) => sample.map((e) => Float32Array.from(e))),
  };
}

function layerNorm(x: Float64Array, g: Float32Array, b: Float32Array, eps: number): Float64Array {
  const n = x.length;
  let m = 0;
  for (const v of x) m += v;
  m /= n;
  let v2 = 0;
  for (const v of x) v2 += (v - m) ** 2;
  const rstd = 1 / Math.sqrt(v2 / n + eps);
  return Float64Array.from(x, (v, i) => (v - m) * rstd * g[i] + b[i]);
}

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}
