// ROME's key statistics (Meng et al. 2022, §3.1 and Appendix A: C = E[k kᵀ], "mom2"): the uncentred second
// moment of the input of block l's MLP down projection ('mlp.down': GPT-2's mlp.c_proj input, the post-GELU
// activation, n = 4C; Llama/Qwen's down_proj input, n = intermediate_size) over a text sample, computed on the
// GPU (KᵀK accumulated batch by batch with the matmul kernel), stored as a safetensors file next to the model,
// and checked against the model on load. No Node APIs here: the browser loads the same file from bytes.
//
// File: rome-cov-l{l}.safetensors, tensor "cov" (n, n) F32 = (1/tokens)·Σ_t k_t k_tᵀ, metadata
// {format: "editscope-rome-cov", layer, tokens, weights_hash}. weights_hash fingerprints every weight the keys
// at layer l depend on (LanguageModel.inputParameters: embeddings, blocks < l, and block l up to the MLP's
// input layers): a file made for other weights is refused.

import { gatherRows } from '../gpu/kernels/gather.ts';
import { matmul } from '../gpu/kernels/matmul.ts';
import { lastTokenRows, makeBatch } from '../model/batch.ts';
import { sampleWithTemperature } from '../model/decode-loop.ts';
import type { LanguageModel, LinearRole } from '../model/language-model.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../model/safetensors.ts';
import { baseParameter } from './hyper/fingerprint.ts';
import { EditorWeightsError } from './types.ts';

/** The layer whose input ROME's keys are. */
export const ROME_ROLE: LinearRole = 'mlp.down';

export interface KeyCovariance {
  layer: number;
  /** Key width (the MLP width: 4C for GPT-2). */
  n: number;
  /** Token positions averaged over. */
  tokens: number;
  weightsHash: string;
  /** (n, n) E[k kᵀ], row-major, symmetric. */
  cov: Float32Array;
  /** What text it was computed on (absent in files written before sources were recorded). */
  source?: CovarianceSource;
}

const FORMAT = 'editscope-rome-cov';
/** Token positions per forward pass while accumulating. */
const ROWS_PER_BATCH = 512;

export function covarianceFileName(layer: number): string {
  return `rome-cov-l${layer}.safetensors`;
}

/**
 * The parameters whose values determine the keys (mlp.down inputs) at `layer`, in a fixed order: the model's
 * own answer when it has one, else every linear weight up to the key (a weaker fingerprint without the norms).
 */
export function keyParameterNames(model: LanguageModel, layer: number): string[] {
  if (model.inputParameters) return model.inputParameters(layer, ROME_ROLE);
  return model.linears
    .filter((s) => s.block < layer || (s.block === layer && s.role !== ROME_ROLE))
    .map((s) => s.param);
}

/**
 * A 64-bit fingerprint (two 32-bit multiply-xorshift lanes, hex) of those weights as they are on the GPU now.
 * A change detector, not a cryptographic hash: compute it before any edit is applied.
 */
export async function keyWeightsHash(model: LanguageModel, layer: number): Promise<string> {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  const mix = (w: number) => {
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul((h2 ^ w) + ((h2 << 5) | 0), 0x85ebca6b);
    h2 ^= h2 >>> 13;
  };
  for (const name of keyParameterNames(model, layer)) {
    for (const c of name) mix(c.charCodeAt(0));
    // The checkpoint's values, whatever dtype the model was loaded in (a packed model reads back dequantised).
    const values = await baseParameter(model, name);
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    mix(words.length);
    for (let i = 0; i < words.length; i++) mix(words[i]);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return hex(h1) + hex(h2);
}

/**
 * C = E[k kᵀ] over every position of `sequences` (token ids, each at most the model's context; positions start
 * at 0 as in training). Padding positions are left out: only real rows are gathered before KᵀK.
 */
export async function computeKeyCovariance(
  model: LanguageModel,
  sequences: number[][],
  layer: number,
  onProgress?: (tokens: number, total: number) => void,
): Promise<KeyCovariance> {
  const { ctx, dims } = model;
  const n = model.linear(layer, ROME_ROLE).nIn;
  const seqs = sequences.filter((s) => s.length > 0);
  const total = seqs.reduce((s, q) => s + q.length, 0);
  if (total === 0) throw new RangeError('The covariance sample holds no tokens: give some text.');
  if (seqs.some((s) => s.length > dims.nPositions))
    throw new RangeError(`A covariance sequence is longer than the model's context (${dims.nPositions}).`);
  const capacity = Math.max(ROWS_PER_BATCH, dims.nPositions);
  const sum = ctx.buffer('rome.cov', n * n * 4); // (n, n) Σ k kᵀ, zero-initialised
  const rowIdx = ctx.buffer('rome.cov.rows', capacity * 4);
  const keys = ctx.buffer('rome.cov.keys', capacity * n * 4); // (rows, n) gathered real rows
  let done = 0;
  try {
    for (let start = 0; start < seqs.length;) {
      // As many sequences as fit `capacity` padded rows.
      let end = start + 1;
      let T = seqs[start].length;
      while (end < seqs.length && (end - start + 1) * Math.max(T, seqs[end].length) <= capacity)
        T = Math.max(T, seqs[end++].length);
      const batch = makeBatch(seqs.slice(start, end), dims.nPositions);
      const real: number[] = [];
      batch.lengths.forEach((len, b) => {
        for (let t = 0; t < len; t++) real.push(b * batch.T + t);
      });
      ctx.write(rowIdx, Uint32Array.from(real));
      await model.run(batch, lastTokenRows(batch), {
        hook: (c, { block, role, x }) => {
          if (block !== layer || role !== ROME_ROLE) return;
          gatherRows(c, { inp: x, idx: rowIdx, out: keys, R: real.length, C: n });
          // Σ k kᵀ (n, n) += Kᵀ (n, R) · K (R, n)
          matmul(c, {
            a: keys,
            b: keys,
            out: sum,
            M: n,
            N: n,
            K: real.length,
            transA: true,
            accumulate: true,
          });
        },
      });
      done += real.length;
      onProgress?.(done, total);
      start = end;
    }
    const cov = await ctx.read(sum, 0, n * n * 4);
    for (let i = 0; i < cov.length; i++) cov[i] /= done;
    return { layer, n, tokens: done, weightsHash: await keyWeightsHash(model, layer), cov };
  } finally {
    for (const b of [sum, rowIdx, keys]) b.destroy();
  }
}

export function serializeKeyCovariance(c: KeyCovariance): Uint8Array {
  return serializeSafetensors([{ name: 'cov', shape: [c.n, c.n], data: c.cov }], 'F32', {
    format: FORMAT,
    layer: String(c.layer),
    tokens: String(c.tokens),
    weights_hash: c.weightsHash,
    ...(c.source ? { source: c.source } : {}),
  });
}

/** Parses a covariance file and checks it against the model (`expect`); any mismatch is an EditorWeightsError. */
export function parseKeyCovariance(
  bytes: Uint8Array,
  fileName: string,
  expect: { layer: number; n: number; weightsHash: string },
): KeyCovariance {
  const recompute = `recompute it with: npx editscope rome-cov --model DIR --layer ${expect.layer}`;
  let file;
  try {
    file = parseSafetensors(bytes, fileName);
  } catch (e) {
    throw new EditorWeightsError(
      `The ROME covariance ${fileName} is unreadable (${(e as Error).message}); ${recompute}.`,
    );
  }
  const meta = file.metadata;
  const info = file.tensors.get('cov');
  if (meta.format !== FORMAT || !info)
    throw new EditorWeightsError(`${fileName} is not an Editscope ROME covariance file; ${recompute}.`);
  const layer = Number(meta.layer);
  const tokens = Number(meta.tokens);
  if (
    layer !== expect.layer ||
    info.shape.length !== 2 ||
    info.shape[0] !== expect.n ||
    info.shape[1] !== expect.n
  )
    throw new EditorWeightsError(
      `${fileName} holds a ${info.shape.join('x')} covariance for layer ${meta.layer}; this model needs ${expect.n}x${expect.n} at layer ${expect.layer}: it was made for another model. ${recompute}.`,
    );
  if (!(Number.isInteger(tokens) && tokens > 0))
    throw new EditorWeightsError(`${fileName} has no valid token count; ${recompute}.`);
  if (meta.weights_hash !== expect.weightsHash)
    throw new EditorWeightsError(
      `${fileName} was computed for different weights (the model was retrained or changed since); ${recompute}.`,
    );
  const cov = tensorToFloat32(file, 'cov');
  if (!cov.every(Number.isFinite))
    throw new EditorWeightsError(`${fileName} holds non-finite values; ${recompute}.`);
  const source = meta.source === 'self' || meta.source === 'corpus' ? meta.source : undefined;
  return { layer, n: expect.n, tokens, weightsHash: expect.weightsHash, cov, ...(source ? { source } : {}) };
}

/** Where the covariance's text comes from, recorded in the file's metadata and shown to the user. */
export type CovarianceSource = 'corpus' | 'self';

export interface SelfSampleOptions {
  /** Stop once this many token positions are sampled. */
  tokens: number;
  /** First token of every sample (GPT-2 style: the end-of-text token, which also separates documents). */
  startId: number;
  /** End-of-text token: a sample ends there (it is kept as the sample's last position), or null. */
  stopId: number | null;
  seed?: number;
  /** Samples drawn side by side, one batched forward per token (default 64). */
  parallel?: number;
  /** Longest sample (default: the context, at most 128). */
  maxLength?: number;
  onProgress?: (tokens: number, total: number) => void;
  /** Called between samples; throws to cancel (the worker's cancel). */
  checkCancelled?: () => void;
}

/**
 * Text the model writes itself, for models that ship no corpus (a hub model, a local folder): samples at
 * temperature 1 from the start token, each ending at end-of-text (kept, as corpus lines end with it) or the
 * length limit. `parallel` samples advance together, one batched forward per token (a single sample per
 * forward is bound by the GPU round trip: 0.2 s a token on SwiftShader). Sample i draws from its own seeded
 * stream, so a run reproduces. The result is cut at exactly `tokens` positions. ROME needs E[k kᵀ] over the
 * text the model normally reads; its own samples follow its training distribution without any data leaving
 * the machine (bench/rome-self-sampled.ts measures what this costs ROME against the training corpus).
 */
export async function selfSampledSequences(model: LanguageModel, o: SelfSampleOptions): Promise<number[][]> {
  const maxLength = Math.min(o.maxLength ?? 128, model.dims.nPositions);
  if (maxLength < 2) throw new RangeError('Self-sampling needs a context of at least 2 tokens.');
  const parallel = Math.max(1, o.parallel ?? 64);
  const done: number[][] = [];
  let total = 0;
  let started = 0;
  let active: { seq: number[]; rng: number }[] = [];
  const start = () => {
    const rng = Math.imul((o.seed ?? 1) + 1, 0x9e3779b1) ^ Math.imul(started + 1, 0x85ebca6b);
    started++;
    return { seq: [o.startId], rng: rng >>> 0 };
  };
  while (total < o.tokens || active.length > 0) {
    o.checkCancelled?.();
    // Start new samples only while the finished ones do not cover the budget yet.
    while (active.length < parallel && total + active.length * 2 < o.tokens) active.push(start());
    if (active.length === 0) break;
    const dists = await model.nextTokenDistributions(active.map((a) => a.seq));
    const next: typeof active = [];
    active.forEach((a, b) => {
      a.rng = (Math.imul(a.rng, 1664525) + 1013904223) >>> 0;
      const t = sampleWithTemperature(dists[b], 1, a.rng / 2 ** 32);
      a.seq.push(t);
      if (t === o.stopId || a.seq.length >= maxLength) {
        done.push(a.seq);
        total += a.seq.length;
        o.onProgress?.(Math.min(total, o.tokens), o.tokens);
      } else next.push(a);
    });
    active = next;
  }
  // Exactly `tokens` positions: whole samples in the order they finished, the last one cut.
  const out: number[][] = [];
  let kept = 0;
  for (const seq of done) {
    if (kept >= o.tokens) break;
    const piece = seq.slice(0, o.tokens - kept);
    out.push(piece);
    kept += piece.length;
  }
  return out;
}
