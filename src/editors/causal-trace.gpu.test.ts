// The causal trace against a CPU GPT-2 forward (src/reference kernels) that corrupts the embeddings and restores
// states directly: the engine's hook-based corruption and restoration must give the same probabilities.

import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { attentionForwardRef } from '../reference/attention.ts';
import { geluForwardRef } from '../reference/gelu.ts';
import { layernormForwardRef } from '../reference/layernorm.ts';
import { subjectSpan, traceFact, traceNoise, type TraceKind } from './causal-trace.ts';
import { TOY_DIMS, trainToyModel } from './toy-model.testing.ts';
import type { EditTarget } from './types.ts';

let toy: Promise<EditTarget> | undefined;
// 60 steps: the comparison needs a model whose output depends on its input, not one that knows every fact.
const model = () => (toy ??= testContext().then((ctx) => trainToyModel(ctx, 60)));

type Params = Map<string, Float32Array>;

/** p(answer) at the last token; noise on the subject rows' embeddings; optionally one state replaced. */
function refForward(
  p: Params,
  ids: number[],
  answer: number,
  noise: Map<number, Float64Array>,
  restore?: { kind: TraceKind; l: number; t: number; value: Float64Array },
): { p: number; attn: Float64Array[]; mlp: Float64Array[]; block: Float64Array[] } {
  const { nLayer: L, nEmbd: C, nHead: NH, eps } = TOY_DIMS;
  const T = ids.length;
  const g = (n: string) => p.get(n)!;
  let x = new Float64Array(T * C);
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++)
      x[t * C + c] = g('wte.weight')[ids[t] * C + c] + g('wpe.weight')[t * C + c] + (noise.get(t)?.[c] ?? 0);
  const lin = (inp: Float64Array, w: string, nIn: number, nOut: number) => {
    const W = g(`${w}.weight`);
    const b = g(`${w}.bias`);
    const out = new Float64Array(T * nOut);
    for (let t = 0; t < T; t++)
      for (let j = 0; j < nOut; j++) {
        let s = b[j];
        for (let i = 0; i < nIn; i++) s += inp[t * nIn + i] * W[i * nOut + j];
        out[t * nOut + j] = s;
      }
    return out;
  };
  const put = (dst: Float64Array, kind: TraceKind, l: number) => {
    if (restore && restore.kind === kind && restore.l === l) dst.set(restore.value, restore.t * C);
  };
  const attn: Float64Array[] = [];
  const mlp: Float64Array[] = [];
  const block: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const h = `h.${l}`;
    const ln1 = layernormForwardRef(x, g(`${h}.ln_1.weight`), g(`${h}.ln_1.bias`), { N: T, C }, eps).out;
    const qkv = lin(ln1, `${h}.attn.c_attn`, C, 3 * C);
    const a = lin(attentionForwardRef(qkv, { B: 1, T, C, NH }).out, `${h}.attn.c_proj`, C, C);
    put(a, 'attn', l);
    attn.push(a);
    const res2 = x.map((v, i) => v + a[i]);
    const ln2 = layernormForwardRef(res2, g(`${h}.ln_2.weight`), g(`${h}.ln_2.bias`), { N: T, C }, eps).out;
    const m = lin(geluForwardRef(lin(ln2, `${h}.mlp.c_fc`, C, 4 * C)), `${h}.mlp.c_proj`, 4 * C, C);
    put(m, 'mlp', l);
    mlp.push(m);
    x = res2.map((v, i) => v + m[i]);
    put(x, 'block', l);
    block.push(x);
  }
  const lnf = layernormForwardRef(x, g('ln_f.weight'), g('ln_f.bias'), { N: T, C }, eps).out;
  const wte = g('wte.weight');
  const logits = Array.from({ length: TOY_DIMS.vocabSize }, (_, v) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += lnf[(T - 1) * C + c] * wte[v * C + c];
    return s;
  });
  const max = Math.max(...logits);
  const z = logits.reduce((s, v) => s + Math.exp(v - max), 0);
  return { p: Math.exp(logits[answer] - max) / z, attn, mlp, block };
}

describe('causal trace', () => {
  it('matches a CPU forward that corrupts the embeddings and restores each state directly', async () => {
    const { model: m, tokenizer } = await model();
    const fact = { prompt: 'the bob likes', subject: 'bob', answer: ' t' }; // a token before the subject too
    const std = 0.5;
    // maxBatch 40: several engine calls; traceUnknown: the 60-step toy need not know this phrasing.
    const opts = { samples: 2, noiseScale: 3, seed: 4, maxBatch: 40, traceUnknown: true };
    const tr = (await traceFact(m, tokenizer, fact, std, opts))!;
    expect(tr).not.toBeNull();
    const names = ['wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias'];
    for (let l = 0; l < TOY_DIMS.nLayer; l++)
      for (const s of ['ln_1', 'ln_2', 'attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'])
        names.push(`h.${l}.${s}.weight`, `h.${l}.${s}.bias`);
    const params: Params = new Map();
    for (const n of names) params.set(n, await m.readParameter(n));
    const answer = tokenizer.encode(fact.answer)[0];
    const ids = tr.tokens;
    const subj = [
      tr.subject[0],
      ...Array.from({ length: tr.subject[1] - tr.subject[0] }, (_, i) => tr.subject[0] + i + 1),
    ];
    const noise = traceNoise(opts.seed, opts.samples, subj.length, TOY_DIMS.nEmbd, std);
    const noiseMap = (k: number) => new Map(subj.map((t, s) => [t, noise[k][s]]));
    const clean = refForward(params, ids, answer, new Map());
    expect(tr.pClean).toBeCloseTo(clean.p, 4);
    const corrupt = [0, 1].map((k) => refForward(params, ids, answer, noiseMap(k)).p);
    expect(tr.pCorrupt).toBeCloseTo((corrupt[0] + corrupt[1]) / 2, 4);
    expect(Math.abs(tr.pClean - tr.pCorrupt)).toBeGreaterThan(1e-3); // the noise does something
    const C = TOY_DIMS.nEmbd;
    for (const kind of ['block', 'mlp', 'attn'] as const)
      for (let l = 0; l < TOY_DIMS.nLayer; l++)
        for (let t = 0; t < ids.length; t++) {
          const source = kind === 'block' ? clean.block : kind === 'mlp' ? clean.mlp : clean.attn;
          const value = source[l].slice(t * C, (t + 1) * C);
          const ref = [0, 1].map(
            (k) => refForward(params, ids, answer, noiseMap(k), { kind, l, t, value }).p,
          );
          expect(tr.restored[kind][l][t], `${kind} l${l} t${t}`).toBeCloseTo((ref[0] + ref[1]) / 2, 4);
        }
    // Restoring the last block's output at the last token is the clean run.
    expect(tr.restored.block[TOY_DIMS.nLayer - 1][ids.length - 1]).toBeCloseTo(tr.pClean, 4);
  });

  it('finds subject spans with the space before the subject', async () => {
    const { tokenizer } = await model();
    const found = subjectSpan(tokenizer, { prompt: 'the bob likes', subject: 'bob', answer: ' t' })!;
    expect(tokenizer.decode(found.tokens.slice(found.span[0], found.span[1] + 1))).toBe(' bob');
    expect(tokenizer.decode(found.tokens.slice(0, found.span[0]))).toBe('the');
  });
});
