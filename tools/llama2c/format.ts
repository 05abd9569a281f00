// karpathy/llama2.c's files, read from their documented layout (run.c's reader and export.py's legacy_export):
//
//  model .bin (legacy, "version 0"): 7 little-endian int32 — dim, hidden_dim, n_layers, n_heads, n_kv_heads,
//    vocab_size (negative: the classifier is not shared with the embedding), seq_len — then float32 tensors,
//    each nn.Linear weight (out, in) row-major: token embedding (V, dim); every layer's attention RMSNorm gain;
//    every layer's wq (n_heads·hs, dim); wk; wv (n_kv_heads·hs, dim); wo (dim, n_heads·hs); every layer's FFN
//    RMSNorm gain; w1 (hidden, dim); w2 (dim, hidden); w3 (hidden, dim); the final RMSNorm gain; the RoPE
//    cos and sin tables (seq_len · hs/2 each, unused: recomputed); the classifier (V, dim) when not shared.
//    llama2.c's model.py rotates INTERLEAVED pairs (2i, 2i+1) of each head; Hugging Face's Llama rotates halves
//    (i, i + hs/2). The HF export permutes wq and wk rows to match; toHfWeights does the same.
//  tokenizer .bin: int32 max_token_length, then per token: float32 score, int32 byte length, the bytes. Pieces
//    hold ' ' where SentencePiece writes '▁'; <s> and </s> are written as "\n<s>\n" and "\n</s>\n"; byte
//    fallback tokens as "<0x0A>".

import type { LlamaConfig } from '../../src/model/llama-config.ts';
import { ModelFileError } from '../../src/model/errors.ts';

export interface Llama2cHeader {
  dim: number;
  hiddenDim: number;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  vocabSize: number;
  seqLen: number;
  sharedClassifier: boolean;
}

/** The tensors as llama2.c stores them (interleaved RoPE layout), per layer where run.c indexes by layer. */
export interface Llama2cWeights {
  header: Llama2cHeader;
  embedding: Float32Array;
  attNorm: Float32Array[];
  wq: Float32Array[];
  wk: Float32Array[];
  wv: Float32Array[];
  wo: Float32Array[];
  ffnNorm: Float32Array[];
  w1: Float32Array[];
  w2: Float32Array[];
  w3: Float32Array[];
  finalNorm: Float32Array;
  classifier: Float32Array;
}

const AK42 = 0x616b3432; // export.py's magic for the v1/v2 formats

export function readLlama2cCheckpoint(bytes: Uint8Array, fileName: string): Llama2cWeights {
  const fail = (problem: string) => new ModelFileError(fileName, problem);
  if (bytes.length < 28) throw fail(`is ${bytes.length} bytes, too short for llama2.c's 28-byte header.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) === AK42) {
    throw fail(
      `is a llama2.c version ${view.getInt32(4, true)} export (magic "ak42"); only the legacy format (export.py --version 0) is read.`,
    );
  }
  const h = Array.from({ length: 7 }, (_, i) => view.getInt32(4 * i, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, rawVocab, seqLen] = h;
  const positive = [dim, hiddenDim, nLayers, nHeads, nKvHeads, Math.abs(rawVocab), seqLen];
  if (positive.some((v) => v <= 0 || v > 1 << 20) || dim % nHeads !== 0 || nHeads % nKvHeads !== 0) {
    throw fail(`has an impossible header [${h.join(', ')}]; it is not a llama2.c checkpoint.`);
  }
  const header: Llama2cHeader = {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads,
    vocabSize: Math.abs(rawVocab),
    seqLen,
    sharedClassifier: rawVocab > 0,
  };
  const hs = dim / nHeads;
  const kvDim = nKvHeads * hs;
  const V = header.vocabSize;
  const floats =
    V * dim +
    nLayers * (2 * dim + dim * dim + 2 * dim * kvDim + dim * dim + 3 * dim * hiddenDim) +
    dim +
    seqLen * hs +
    (header.sharedClassifier ? 0 : V * dim);
  if (bytes.length !== 28 + 4 * floats) {
    throw fail(
      `is ${bytes.length} bytes, but its header [${h.join(', ')}] needs ${28 + 4 * floats}: truncated, or not the legacy llama2.c format.`,
    );
  }
  // Copy: the floats start at byte 28 of a buffer that may not be 4-aligned.
  const all = new Float32Array(new Uint8Array(bytes.subarray(28)).buffer);
  let at = 0;
  const take = (n: number) => all.subarray(at, (at += n));
  const perLayer = (n: number) => Array.from({ length: nLayers }, () => take(n));
  const embedding = take(V * dim);
  const attNorm = perLayer(dim);
  const wq = perLayer(dim * dim);
  const wk = perLayer(kvDim * dim);
  const wv = perLayer(kvDim * dim);
  const wo = perLayer(dim * dim);
  const ffnNorm = perLayer(dim);
  const w1 = perLayer(hiddenDim * dim);
  const w2 = perLayer(dim * hiddenDim);
  const w3 = perLayer(hiddenDim * dim);
  const finalNorm = take(dim);
  take(seqLen * hs); // freq_cis real and imaginary halves: recomputed from rope_theta
  const classifier = header.sharedClassifier ? embedding : take(V * dim);
  return { header, embedding, attNorm, wq, wk, wv, wo, ffnNorm, w1, w2, w3, finalNorm, classifier };
}

/** The HF LlamaConfig of a llama2.c model (rms_norm_eps 1e-5 and rope_theta 10000 as run.c hard-codes them). */
export function llama2cConfig(h: Llama2cHeader): LlamaConfig {
  return {
    architecture: 'llama',
    nLayer: h.nLayers,
    nEmbd: h.dim,
    nInner: h.hiddenDim,
    nHead: h.nHeads,
    nKvHead: h.nKvHeads,
    headDim: h.dim / h.nHeads,
    nPositions: h.seqLen,
    vocabSize: h.vocabSize,
    eps: 1e-5,
    ropeTheta: 10000,
    tiedEmbeddings: h.sharedClassifier,
    attentionBias: 'none',
    qkNorm: false,
    dtype: 'float32',
    bosTokenId: 1,
    eosTokenId: 2,
  };
}

/**
 * Reorders the rows of a q or k projection (nHeads·hs, dim) from interleaved rotary pairs to HF's rotate-half
 * layout: within each head, new row j (< hs/2) is old row 2j and new row j + hs/2 is old row 2j + 1, so the
 * pair (2j, 2j+1) that llama2.c rotates by angle pos·θ_j becomes HF's pair (j, j + hs/2) with the same angle.
 */
export function interleavedToHalves(w: Float32Array, nHeads: number, hs: number, dim: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++)
    for (let j = 0; j < hs / 2; j++)
      for (let half = 0; half < 2; half++) {
        const from = (h * hs + 2 * j + half) * dim;
        const to = (h * hs + half * (hs / 2) + j) * dim;
        out.set(w.subarray(from, from + dim), to);
      }
  return out;
}

/** The weights under HF LlamaForCausalLM names, q/k rows permuted to rotate-half. */
export function toHfWeights(m: Llama2cWeights): Map<string, Float32Array> {
  const { dim, nHeads, nKvHeads } = m.header;
  const hs = dim / nHeads;
  const out = new Map<string, Float32Array>();
  out.set('model.embed_tokens.weight', m.embedding);
  for (let l = 0; l < m.header.nLayers; l++) {
    const p = `model.layers.${l}`;
    out.set(`${p}.self_attn.q_proj.weight`, interleavedToHalves(m.wq[l], nHeads, hs, dim));
    out.set(`${p}.self_attn.k_proj.weight`, interleavedToHalves(m.wk[l], nKvHeads, hs, dim));
    out.set(`${p}.self_attn.v_proj.weight`, m.wv[l]);
    out.set(`${p}.self_attn.o_proj.weight`, m.wo[l]);
    out.set(`${p}.mlp.gate_proj.weight`, m.w1[l]);
    out.set(`${p}.mlp.up_proj.weight`, m.w3[l]);
    out.set(`${p}.mlp.down_proj.weight`, m.w2[l]);
    out.set(`${p}.input_layernorm.weight`, m.attNorm[l]);
    out.set(`${p}.post_attention_layernorm.weight`, m.ffnNorm[l]);
  }
  out.set('model.norm.weight', m.finalNorm);
  if (!m.header.sharedClassifier) out.set('lm_head.weight', m.classifier);
  return out;
}

export interface Llama2cVocab {
  maxTokenLength: number;
  /** Pieces as stored (spaces, "\n<s>\n", "<0x0A>"). */
  pieces: string[];
  scores: Float32Array;
}

export function readLlama2cTokenizer(bytes: Uint8Array, vocabSize: number, fileName: string): Llama2cVocab {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (problem: string) => new ModelFileError(fileName, problem);
  if (bytes.length < 4) throw fail('is too short for a llama2.c tokenizer.');
  const maxTokenLength = view.getInt32(0, true);
  const pieces: string[] = [];
  const scores = new Float32Array(vocabSize);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let at = 4;
  for (let i = 0; i < vocabSize; i++) {
    if (at + 8 > bytes.length) throw fail(`ends after ${i} of the model's ${vocabSize} tokens.`);
    scores[i] = view.getFloat32(at, true);
    const len = view.getInt32(at + 4, true);
    at += 8;
    if (len < 0 || len > maxTokenLength || at + len > bytes.length) {
      throw fail(`token ${i} has an impossible length ${len} (max_token_length ${maxTokenLength}).`);
    }
    try {
      pieces.push(utf8.decode(bytes.subarray(at, at + len)));
    } catch {
      throw fail(`token ${i} is not valid UTF-8.`);
    }
    at += len;
  }
  if (at !== bytes.length)
    throw fail(`has ${bytes.length - at} bytes after the model's ${vocabSize} tokens.`);
  return { maxTokenLength, pieces, scores };
}
