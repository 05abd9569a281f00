// An independent CPU oracle for llama2.c models, written from run.c's documented behaviour (not its code): the
// forward pass on the weights as llama2.c stores them (interleaved RoPE pairs), one token at a time with a
// key/value cache, greedy decoding, and the tokenizer's encode (dummy-prefix space, per-character lookup with
// byte fallback, then best-score pair merges) and decode. Tests use it to check the file readers, the
// tokenizer.json built from tok512.bin, and the q/k permutation the HF conversion applies.

import type { Llama2cVocab, Llama2cWeights } from './format.ts';

const EPS = 1e-5; // run.c's RMSNorm epsilon

function rmsnorm(out: Float32Array, x: Float32Array, w: Float32Array): void {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const scale = 1 / Math.sqrt(ss / x.length + EPS);
  for (let i = 0; i < x.length; i++) out[i] = w[i] * x[i] * scale;
}

/** out (d) = W (d, n) · x (n). */
function matvec(out: Float32Array, w: Float32Array, x: Float32Array): void {
  const n = x.length;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += w[i * n + j] * x[j];
    out[i] = s;
  }
}

/**
 * RoPE with angle pos·10000^(−2j/hs) for pair j of each head: llama2.c's pairs are interleaved (2j, 2j+1);
 * HF's rotate-half pairs are (j, j + hs/2). Same rotation, different row order of wq/wk.
 */
function rope(v: Float32Array, pos: number, hs: number, layout: RopeLayout): void {
  for (let h = 0; h < v.length; h += hs)
    for (let j = 0; j < hs / 2; j++) {
      const angle = pos * Math.pow(10000, -(2 * j) / hs);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const [i0, i1] = layout === 'interleaved' ? [h + 2 * j, h + 2 * j + 1] : [h + j, h + j + hs / 2];
      const [a, b] = [v[i0], v[i1]];
      v[i0] = a * c - b * s;
      v[i1] = a * s + b * c;
    }
}

export type RopeLayout = 'interleaved' | 'halves';

export class Llama2cReference {
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];

  /** `layout`: 'interleaved' for the weights as llama2.c stores them, 'halves' for wq/wk permuted to HF's. */
  constructor(
    private readonly m: Llama2cWeights,
    private readonly layout: RopeLayout = 'interleaved',
  ) {
    const { nLayers, seqLen, dim, nHeads, nKvHeads } = m.header;
    const kvDim = (dim / nHeads) * nKvHeads;
    this.keys = Array.from({ length: nLayers }, () => new Float32Array(seqLen * kvDim));
    this.values = Array.from({ length: nLayers }, () => new Float32Array(seqLen * kvDim));
  }

  /** Logits (V) after feeding `token` at position `pos` (earlier positions must have been fed in order). */
  forward(token: number, pos: number): Float32Array {
    const { dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSize } = this.m.header;
    const hs = dim / nHeads;
    const kvDim = hs * nKvHeads;
    const group = nHeads / nKvHeads;
    const x = Float32Array.from(this.m.embedding.subarray(token * dim, (token + 1) * dim));
    const xb = new Float32Array(dim);
    const q = new Float32Array(dim);
    const k = new Float32Array(kvDim);
    const v = new Float32Array(kvDim);
    const att = new Float32Array(dim);
    const proj = new Float32Array(dim);
    const h1 = new Float32Array(hiddenDim);
    const h3 = new Float32Array(hiddenDim);
    for (let l = 0; l < nLayers; l++) {
      rmsnorm(xb, x, this.m.attNorm[l]);
      matvec(q, this.m.wq[l], xb);
      matvec(k, this.m.wk[l], xb);
      matvec(v, this.m.wv[l], xb);
      rope(q, pos, hs, this.layout);
      rope(k, pos, hs, this.layout);
      this.keys[l].set(k, pos * kvDim);
      this.values[l].set(v, pos * kvDim);
      att.fill(0);
      for (let h = 0; h < nHeads; h++) {
        const kvh = Math.floor(h / group);
        const scores = new Float64Array(pos + 1);
        let max = -Infinity;
        for (let t = 0; t <= pos; t++) {
          let s = 0;
          for (let i = 0; i < hs; i++) s += q[h * hs + i] * this.keys[l][t * kvDim + kvh * hs + i];
          scores[t] = s / Math.sqrt(hs);
          max = Math.max(max, scores[t]);
        }
        let total = 0;
        for (let t = 0; t <= pos; t++) total += scores[t] = Math.exp(scores[t] - max);
        for (let t = 0; t <= pos; t++)
          for (let i = 0; i < hs; i++)
            att[h * hs + i] += (scores[t] / total) * this.values[l][t * kvDim + kvh * hs + i];
      }
      matvec(proj, this.m.wo[l], att);
      for (let i = 0; i < dim; i++) x[i] += proj[i];
      rmsnorm(xb, x, this.m.ffnNorm[l]);
      matvec(h1, this.m.w1[l], xb);
      matvec(h3, this.m.w3[l], xb);
      for (let i = 0; i < hiddenDim; i++) h1[i] = (h1[i] / (1 + Math.exp(-h1[i]))) * h3[i];
      matvec(proj, this.m.w2[l], h1);
      for (let i = 0; i < dim; i++) x[i] += proj[i];
    }
    rmsnorm(xb, x, this.m.finalNorm);
    const logits = new Float32Array(vocabSize);
    matvec(logits, this.m.classifier, xb);
    return logits;
  }

  /** Greedy continuation of `prompt` (which starts with BOS), as run.c -t 0 does: stops at BOS or `steps` positions. */
  greedy(prompt: number[], steps: number): number[] {
    const out = [...prompt];
    let token = prompt[0];
    for (let pos = 0; pos < steps; pos++) {
      const logits = this.forward(token, pos);
      let next: number;
      if (pos < prompt.length - 1) next = prompt[pos + 1];
      else {
        next = 0;
        for (let i = 1; i < logits.length; i++) if (logits[i] > logits[next]) next = i;
        if (next === 1) break;
        out.push(next);
      }
      token = next;
    }
    return out;
  }
}

/** run.c's encode: BOS, a dummy-prefix space, per-character pieces (byte fallback: id = byte + 3), best merges. */
export function encodeLikeRunC(vocab: Llama2cVocab, text: string): number[] {
  const lookup = new Map(vocab.pieces.map((p, i) => [p, i]));
  const ids: number[] = [];
  for (const ch of text === '' ? [] : [' ', ...text]) {
    const id = lookup.get(ch);
    if (id !== undefined) ids.push(id);
    else for (const b of new TextEncoder().encode(ch)) ids.push(b + 3);
  }
  for (;;) {
    let best = -Infinity;
    let at = -1;
    let merged = -1;
    for (let i = 0; i + 1 < ids.length; i++) {
      const id = lookup.get(vocab.pieces[ids[i]] + vocab.pieces[ids[i + 1]]);
      if (id !== undefined && vocab.scores[id] > best) {
        [best, at, merged] = [vocab.scores[id], i, id];
      }
    }
    if (at < 0) break;
    ids.splice(at, 2, merged);
  }
  return [1, ...ids];
}

/** run.c's decode of a generated sequence (after BOS): a piece right after BOS drops its leading space. */
export function decodeLikeRunC(vocab: Llama2cVocab, ids: number[]): string {
  const bytes: number[] = [];
  for (let i = 1; i < ids.length; i++) {
    let piece = vocab.pieces[ids[i]];
    if (ids[i - 1] === 1 && piece.startsWith(' ')) piece = piece.slice(1);
    const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
    if (byte) bytes.push(parseInt(byte[1], 16));
    else bytes.push(...new TextEncoder().encode(piece));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
