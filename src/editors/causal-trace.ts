// Causal tracing (Meng et al. 2022, "Locating and Editing Factual Associations in GPT", Figure 1), run by the
// engine: where in the network is a fact recalled?
//
//  1. Clean run of the prompt: p_clean = p(first answer token).
//  2. Corrupted run: Gaussian noise (ν = 3 × the subject embeddings' std, as ROME) added to the token embedding of
//     every subject token. p_corrupt drops.
//  3. Restored runs: the corrupted run again, with ONE state put back to its clean value: a block's output
//     (hidden state), its MLP output, or its attention output, at one layer and one position.
//     Indirect effect = p_restored − p_corrupt; averaged over facts it says which (layer, token) carries the fact.
//
// How the engine does it without a hook before block 0: the noise enters through the linear-output hooks. With
// x₀' = x₀ + ε at a subject row, block 0's attention input changes by Δqkv = LN₁(x₀ + ε)·W − LN₁(x₀)·W (computed
// here on the CPU from the read-back parameters; the bias cancels) and its residual by ε (added to the attention
// output). Everything after block 0 is the engine's own forward on the corrupted stream. A block output
// h_l = x₀ + Σ_{j≤l} (attn_j + mlp_j) is restored by adding h_l^clean − h_l^corrupt to block l's MLP output at
// that row: the corrupted run's attention and MLP outputs are read back through the same hooks.

import { gatherRows, scatterAddRows } from '../gpu/kernels/gather.ts';
import { makeBatch, type HeadRow } from '../model/batch.ts';
import type { LanguageModel, LinearHook } from '../model/language-model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { rng } from '../util/random.ts';
import {
  corruptionTerms,
  embeddingRows,
  layerNormParams,
  type CorruptionTerms,
} from './causal-trace-noise.ts';

export type TraceKind = 'block' | 'mlp' | 'attn';
export const TRACE_KINDS: readonly TraceKind[] = ['block', 'mlp', 'attn'];

/** Token positions as ROME's Figure 1 groups them (tokens before the subject get their own row). */
export type PositionKind =
  'before_subject' | 'subject_first' | 'subject_middle' | 'subject_last' | 'first_after' | 'further' | 'last';
export const POSITION_KINDS: readonly PositionKind[] = [
  'before_subject',
  'subject_first',
  'subject_middle',
  'subject_last',
  'first_after',
  'further',
  'last',
];

export interface TraceFact {
  prompt: string;
  subject: string;
  /** The true answer as it follows the prompt, with its leading space (" Paris"); its first token is scored. */
  answer: string;
}

export interface TraceOptions {
  /** Noise samples per fact (ROME uses 10 on GPT-2 XL; each adds one corrupted copy of every restored run). */
  samples: number;
  /** Noise std as a multiple of the subject embeddings' std (ROME: 3). */
  noiseScale: number;
  seed: number;
  /** Restored runs per engine call (memory bound). */
  maxBatch: number;
  /** Which states to restore (default all three; a kind left out reads as no effect). */
  kinds?: readonly TraceKind[];
  /** Trace facts the model does not know too (default: no; their restored runs are skipped, as ROME skips them). */
  traceUnknown?: boolean;
}

export const TRACE_DEFAULTS: TraceOptions = { samples: 2, noiseScale: 3, seed: 1, maxBatch: 192 };

export interface FactTrace {
  fact: TraceFact;
  tokens: number[];
  /** Subject tokens [first, last], inclusive. */
  subject: [number, number];
  pClean: number;
  pCorrupt: number;
  /** Whether the answer's first token is the clean run's argmax (ROME traces known facts only). */
  known: boolean;
  /** kind → [layer][position] restored probability (mean over noise samples). */
  restored: Record<TraceKind, number[][]>;
}

export class TraceError extends Error {}

export function positionKind(t: number, [s0, s1]: [number, number], T: number): PositionKind {
  if (t === T - 1) return 'last';
  if (t === s1) return 'subject_last';
  if (t === s0) return 'subject_first';
  if (t > s0 && t < s1) return 'subject_middle';
  if (t < s0) return 'before_subject';
  return t === s1 + 1 ? 'first_after' : 'further';
}

/** The prompt's tokens and the subject's token span; null when the subject's tokens depend on what follows it. */
export function subjectSpan(
  tokenizer: TextTokenizer,
  fact: TraceFact,
): { tokens: number[]; span: [number, number] } | null {
  const at = fact.prompt.lastIndexOf(fact.subject);
  if (at < 0) throw new TraceError(`The subject "${fact.subject}" does not occur in "${fact.prompt}".`);
  const tokens = tokenizer.encode(fact.prompt);
  // GPT-2's pre-tokenizer joins a space to the word after it: the subject's first token carries the space before it.
  const before = tokenizer.encode(fact.prompt.slice(0, at).trimEnd());
  const through = tokenizer.encode(fact.prompt.slice(0, at + fact.subject.length));
  const same = (a: number[]) => a.every((id, i) => tokens[i] === id);
  if (through.length <= before.length || !same(before) || !same(through)) return null;
  return { tokens, span: [before.length, through.length - 1] };
}

/** ROME's noise level: `scale` × the std of the given tokens' embedding entries. */
export async function embeddingNoiseStd(
  model: LanguageModel,
  tokenIds: number[],
  scale: number,
): Promise<number> {
  const rows = await embeddingRows(model, tokenIds);
  let s = 0;
  let s2 = 0;
  for (const v of rows) {
    s += v;
    s2 += v * v;
  }
  const mean = s / rows.length;
  return scale * Math.sqrt(Math.max(0, s2 / rows.length - mean * mean));
}

/** Traces one fact: clean, corrupted and every restored run (3 kinds × layers × positions × noise samples). */
export async function traceFact(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  fact: TraceFact,
  noiseStd: number,
  opts: TraceOptions = TRACE_DEFAULTS,
): Promise<FactTrace | null> {
  const found = subjectSpan(tokenizer, fact);
  const answer = tokenizer.encode(fact.answer)[0];
  if (!found || answer === undefined) return null;
  const { tokens, span } = found;
  const T = tokens.length;
  if (T > model.dims.nPositions) return null;
  const { nLayer: L, nEmbd: C } = model.dims;
  const K = opts.samples;
  const subj = range(span[0], span[1] + 1);
  const noise = traceNoise(opts.seed, K, subj.length, C, noiseStd);
  const ln = await layerNormParams(model);
  const terms = await corruptionTerms(model, ln, tokens, subj, noise);

  // Run 1: sequence 0 clean, 1..K corrupted; read every block's attention and MLP outputs.
  const first = await runCorrupted(model, tokens, answer, [null, ...range(0, K)], terms, subj, true);
  const pClean = first.p[0];
  const pCorrupt = mean(first.p.slice(1));
  const known = first.argmaxOk;
  const skip = !known && !opts.traceUnknown;

  // Run 2: one sequence per (noise sample, kind, layer, position), each with one state restored.
  const jobs: { k: number; kind: TraceKind; l: number; t: number }[] = [];
  for (const k of range(0, skip ? 0 : K))
    for (const kind of opts.kinds ?? TRACE_KINDS)
      // Tokens before the subject are the same in the clean and corrupted runs: restoring them changes nothing.
      for (const l of range(0, L)) for (const t of range(span[0], T)) jobs.push({ k, kind, l, t });
  const got = new Float64Array(jobs.length);
  for (let j0 = 0; j0 < jobs.length; j0 += opts.maxBatch) {
    const chunk = jobs.slice(j0, j0 + opts.maxBatch);
    const restores = chunk.map(({ k, kind, l, t }) => {
      const at = (x: Float32Array[][], b: number) => x[l][b].subarray(t * C, (t + 1) * C);
      const delta = new Float32Array(C);
      if (kind === 'block') {
        // h_l^clean − h_l^corrupt = (x₀ − x₀') + Σ_{j≤l} (Δattn_j + Δmlp_j) at row t.
        const s = subj.indexOf(t);
        if (s >= 0) for (let c = 0; c < C; c++) delta[c] = -noise[k][s][c];
        for (let j = 0; j <= l; j++) {
          const a0 = first.attn[j][0].subarray(t * C, (t + 1) * C);
          const a1 = first.attn[j][k + 1].subarray(t * C, (t + 1) * C);
          const m0 = first.mlp[j][0].subarray(t * C, (t + 1) * C);
          const m1 = first.mlp[j][k + 1].subarray(t * C, (t + 1) * C);
          for (let c = 0; c < C; c++) delta[c] += a0[c] - a1[c] + m0[c] - m1[c];
        }
      } else {
        const src = kind === 'mlp' ? first.mlp : first.attn;
        const clean = at(src, 0);
        const bad = at(src, k + 1);
        for (let c = 0; c < C; c++) delta[c] = clean[c] - bad[c];
      }
      return {
        layer: l,
        role: kind === 'attn' ? ('attn.out' as const) : ('mlp.down' as const),
        row: t,
        delta,
      };
    });
    const r = await runCorrupted(
      model,
      tokens,
      answer,
      chunk.map((j) => j.k),
      terms,
      subj,
      false,
      restores,
    );
    r.p.forEach((p, i) => (got[j0 + i] = p));
  }
  const restored = Object.fromEntries(
    TRACE_KINDS.map((kind) => [kind, range(0, L).map(() => new Array<number>(T).fill(0))]),
  ) as Record<TraceKind, number[][]>;
  for (const kind of TRACE_KINDS) for (const row of restored[kind]) row.fill(pCorrupt); // not run: no effect
  const seen = new Set<string>();
  jobs.forEach(({ kind, l, t }, j) => {
    const key = `${kind}:${l}:${t}`;
    if (!seen.has(key)) restored[kind][l][t] = 0;
    seen.add(key);
    restored[kind][l][t] += got[j] / K;
  });
  return { fact, tokens, subject: span, pClean, pCorrupt, known, restored };
}

/** The noise of a trace: [sample][subject token] → ε (C), Gaussian with std `std`, from the seed alone. */
export function traceNoise(
  seed: number,
  samples: number,
  tokens: number,
  C: number,
  std: number,
): Float64Array[][] {
  const rand = rng(seed * 7919 + 17);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return range(0, samples).map(() =>
    range(0, tokens).map(() => Float64Array.from({ length: C }, () => gauss() * std)),
  );
}

interface Restore {
  layer: number;
  role: 'attn.out' | 'mlp.down';
  row: number;
  delta: Float32Array;
}

/**
 * One engine call: sequence b is the prompt, clean when samples[b] is null, else corrupted with that noise sample;
 * restores[b] (if given) adds one restoring term. Returns p(answer) per sequence and, with `read`, every block's
 * attention and MLP outputs ([layer][sequence] → (T, C), read before any term of this module is added).
 */
async function runCorrupted(
  model: LanguageModel,
  tokens: number[],
  answer: number,
  samples: (number | null)[],
  terms: CorruptionTerms,
  subj: number[],
  read: boolean,
  restores?: Restore[],
): Promise<{ p: number[]; argmaxOk: boolean; attn: Float32Array[][]; mlp: Float32Array[][] }> {
  const { ctx, dims } = model;
  const { nLayer: L, nEmbd: C } = dims;
  const B = samples.length;
  const batch = makeBatch(
    samples.map(() => tokens),
    dims.nPositions,
  );
  const T = batch.T;
  const owned: GPUBuffer[] = [];
  const upload = (label: string, data: Float32Array | Uint32Array) => {
    const buf = ctx.upload(label, data);
    owned.push(buf);
    return buf;
  };
  // Corruption: Δqkv and ε rows of every corrupted sequence.
  const noisy = samples.flatMap((k, b) => (k === null ? [] : subj.map((t, s) => ({ b, k, t, s }))));
  const nIn3 = terms.qkv[0][0].length;
  const qkvRows = noisy.length
    ? upload(
        'trace.dqkv',
        concat(
          noisy.map((n) => terms.qkv[n.k][n.s]),
          nIn3,
        ),
      )
    : null;
  const epsRows = noisy.length
    ? upload(
        'trace.eps',
        concat(
          noisy.map((n) => terms.eps[n.k][n.s]),
          C,
        ),
      )
    : null;
  const noisyIdx = noisy.length
    ? upload(
        'trace.noisyRows',
        Uint32Array.from(noisy, (n) => n.b * T + n.t),
      )
    : null;
  // Restores grouped by (layer, role): one scatter each.
  const groups = new Map<string, { idx: GPUBuffer; rows: GPUBuffer; R: number }>();
  if (restores) {
    const byKey = new Map<string, { b: number; r: Restore }[]>();
    restores.forEach((r, b) => {
      const key = `${r.layer}:${r.role}`;
      byKey.set(key, [...(byKey.get(key) ?? []), { b, r }]);
    });
    for (const [key, list] of byKey)
      groups.set(key, {
        idx: upload(
          'trace.restoreRows',
          Uint32Array.from(list, ({ b, r }) => b * T + r.row),
        ),
        rows: upload(
          'trace.restore',
          concat(
            list.map(({ r }) => r.delta),
            C,
          ),
        ),
        R: list.length,
      });
  }
  const allRows = read ? upload('trace.allRows', Uint32Array.from(range(0, B * T))) : null;
  const reads = read
    ? range(0, L).map(() => ({
        attn: ctx.buffer('trace.attn', B * T * C * 4),
        mlp: ctx.buffer('trace.mlp', B * T * C * 4),
      }))
    : [];
  reads.forEach((r) => owned.push(r.attn, r.mlp));
  const hook: LinearHook = (c, { block, role, y }) => {
    if (block === 0 && role === 'attn.qkv' && qkvRows)
      scatterAddRows(c, { dout: qkvRows, idx: noisyIdx!, dinp: y, R: noisy.length, C: nIn3 });
    if (role !== 'attn.out' && role !== 'mlp.down') return;
    if (allRows)
      gatherRows(c, {
        inp: y,
        idx: allRows,
        out: reads[block][role === 'attn.out' ? 'attn' : 'mlp'],
        R: B * T,
        C,
      });
    if (block === 0 && role === 'attn.out' && epsRows)
      scatterAddRows(c, { dout: epsRows, idx: noisyIdx!, dinp: y, R: noisy.length, C });
    const g = groups.get(`${block}:${role}`);
    if (g) scatterAddRows(c, { dout: g.rows, idx: g.idx, dinp: y, R: g.R, C });
  };
  const rows: HeadRow[] = range(0, B).map((b) => ({
    row: b * T + tokens.length - 1,
    target: answer,
    weight: 1,
  }));
  try {
    const result = await model.run(batch, rows, { hook, readProbs: read });
    const p = Array.from(result.losses, (nll) => Math.exp(-nll));
    let argmaxOk = false;
    if (read && result.probs) {
      const V = dims.vocabSize;
      const clean = result.probs.subarray(0, V);
      argmaxOk = clean.every((q) => q <= clean[answer]);
    }
    const attn: Float32Array[][] = [];
    const mlp: Float32Array[][] = [];
    for (const r of reads) {
      const split = (x: Float32Array) => range(0, B).map((b) => x.slice(b * T * C, (b + 1) * T * C));
      attn.push(split(await ctx.read(r.attn)));
      mlp.push(split(await ctx.read(r.mlp)));
    }
    return { p, argmaxOk, attn, mlp };
  } finally {
    for (const b of owned) b.destroy();
  }
}

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

function concat(parts: ArrayLike<number>[], width: number): Float32Array {
  const out = new Float32Array(parts.length * width);
  parts.forEach((p, i) => out.set(p as ArrayLike<number>, i * width));
  return out;
}
