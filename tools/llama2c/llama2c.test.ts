// stories260K (karpathy's llama2.c, ../shared/data/stories260k) read from its own format: an oracle written
// from run.c's description reproduces the published greedy sample, the tokenizer.json built from tok512.bin
// gives run.c's ids, and the HF conversion (q/k rows permuted to rotate-half) computes the same logits.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelCheckpoint, serializeModelCheckpoint } from '../../src/model/checkpoint.ts';
import { ModelFileError } from '../../src/model/errors.ts';
import { convertLlama2c } from './convert.ts';
import { readLlama2cCheckpoint, readLlama2cTokenizer, toHfWeights, type Llama2cWeights } from './format.ts';
import { decodeLikeRunC, encodeLikeRunC, Llama2cReference } from './reference.ts';
import { STORIES260K_DIR, STORIES260K_GREEDY_SAMPLE } from './sample.ts';

const modelBytes = readFileSync(new URL('stories260K.bin', STORIES260K_DIR));
const tokBytes = readFileSync(new URL('tok512.bin', STORIES260K_DIR));
const weights = readLlama2cCheckpoint(modelBytes, 'stories260K.bin');
const vocab = readLlama2cTokenizer(tokBytes, 512, 'tok512.bin');

const TEXTS = [
  STORIES260K_GREEDY_SAMPLE,
  'Once upon a time',
  'Tom and Sue went to the beach.  They saw a crab!\n\nThe end.',
  'Zürich, 東京 and emoji 🦙 fall back to bytes',
  ' leading space, trailing space ',
];

describe('stories260K in llama2.c format', () => {
  it('reads the header and every tensor (dim 64, 5 layers, 8 heads, 4 KV heads, vocab 512, tied)', () => {
    expect(weights.header).toEqual({
      dim: 64,
      hiddenDim: 172,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      vocabSize: 512,
      seqLen: 512,
      sharedClassifier: true,
    });
    expect(weights.wk[4].length).toBe(32 * 64);
    expect(vocab.pieces[1]).toBe('\n<s>\n');
    expect(vocab.pieces[265]).toBe(' the');
  });

  it('reproduces the published greedy sample word for word (CPU oracle, run.c semantics)', () => {
    const ids = new Llama2cReference(weights).greedy([1], 256);
    const text = decodeLikeRunC(vocab, ids);
    expect(text.slice(0, STORIES260K_GREEDY_SAMPLE.length)).toBe(STORIES260K_GREEDY_SAMPLE);
    // Prompted with "Once upon a time", the continuation is the same story.
    const prompted = new Llama2cReference(weights).greedy(encodeLikeRunC(vocab, 'Once upon a time'), 256);
    expect(decodeLikeRunC(vocab, prompted).slice(0, 400)).toBe(STORIES260K_GREEDY_SAMPLE.slice(0, 400));
  });

  it("builds a tokenizer.json whose ids are run.c's, and that decodes back to the text", () => {
    const { tokenizer } = convertLlama2c(modelBytes, tokBytes);
    expect(tokenizer.vocabSize).toBe(512);
    for (const text of TEXTS) {
      const ids = encodeLikeRunC(vocab, text).slice(1); // without BOS
      expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
      expect(tokenizer.decode(ids), JSON.stringify(text)).toBe(text);
    }
  });

  it('converts to an HF Llama folder whose rotate-half weights give the same logits', () => {
    const checkpoint = convertLlama2c(modelBytes, tokBytes);
    const back = parseModelCheckpoint(serializeModelCheckpoint(checkpoint), 'stories260k');
    expect(back.config).toMatchObject({ architecture: 'llama', headDim: 8, tiedEmbeddings: true, eps: 1e-5 });
    const hf = back.weights;
    const layer = (name: string) =>
      Array.from({ length: 5 }, (_, l) => hf.get(`model.layers.${l}.${name}.weight`)!);
    const permuted: Llama2cWeights = {
      ...weights,
      wq: layer('self_attn.q_proj'),
      wk: layer('self_attn.k_proj'),
      wv: layer('self_attn.v_proj'),
      wo: layer('self_attn.o_proj'),
      w1: layer('mlp.gate_proj'),
      w2: layer('mlp.down_proj'),
      w3: layer('mlp.up_proj'),
    };
    expect(permuted.wq[0]).not.toEqual(weights.wq[0]); // the permutation did something
    const original = new Llama2cReference(weights, 'interleaved');
    const converted = new Llama2cReference(permuted, 'halves');
    const wrong = new Llama2cReference(permuted, 'interleaved');
    const prompt = encodeLikeRunC(vocab, 'Once upon a time, there was');
    let wrongDiff = 0;
    prompt.forEach((token, pos) => {
      const a = original.forward(token, pos);
      const b = converted.forward(token, pos);
      const c = wrong.forward(token, pos);
      for (let i = 0; i < a.length; i++) {
        expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4);
        wrongDiff = Math.max(wrongDiff, Math.abs(a[i] - c[i]));
      }
    });
    expect(wrongDiff).toBeGreaterThan(1e-2); // without rotate-half, the permuted weights are wrong
    expect(toHfWeights(weights).has('lm_head.weight')).toBe(false);
  });

  it('refuses damaged or other-format files with a sentence', () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFileError);
        return (e as ModelFileError).message;
      }
      throw new Error('expected a ModelFileError');
    };
    expect(error(() => readLlama2cCheckpoint(modelBytes.subarray(0, 1000), 'm.bin'))).toMatch(
      /^m.bin: is 1000 bytes, but its header .* needs 1056540: truncated/,
    );
    const v1 = new Uint8Array(modelBytes.subarray(0, 64));
    new DataView(v1.buffer).setUint32(0, 0x616b3432, true);
    new DataView(v1.buffer).setInt32(4, 1, true);
    expect(error(() => readLlama2cCheckpoint(v1, 'v1.bin'))).toMatch(
      /version 1 export .* only the legacy format/,
    );
    expect(error(() => readLlama2cTokenizer(tokBytes.subarray(0, 3000), 512, 't.bin'))).toMatch(
      /^t.bin: ends after/,
    );
    expect(error(() => readLlama2cTokenizer(tokBytes, 500, 't.bin'))).toMatch(
      /bytes after the model's 500 tokens/,
    );
  });
});

describe('the converted tokenizer', () => {
  it('says it puts <s> before a sequence (prefixIds), as run.c does', () => {
    expect(convertLlama2c(modelBytes, tokBytes).tokenizer.prefixIds).toEqual([1]);
  });
});
