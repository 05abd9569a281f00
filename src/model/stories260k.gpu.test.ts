// A real pretrained model no one here trained: karpathy's stories260K (../shared/data/stories260k, llama2.c
// format), converted to an HF Llama folder by tools/llama2c and run by our engine (src/model/factory.ts ->
// LlamaModel). Its greedy continuation of "Once upon a time" must be the published sample word for word: the
// text from karpathy/llama2.c's doc/stories260K.md (tools/llama2c/sample.ts says where exactly).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { testContext } from '../gpu/testing.ts';
import { convertLlama2c } from '../../tools/llama2c/convert.ts';
import { STORIES260K_DIR, STORIES260K_GREEDY_SAMPLE } from '../../tools/llama2c/sample.ts';
import { parseModelCheckpoint, serializeModelCheckpoint } from './checkpoint.ts';
import { createLanguageModel } from './factory.ts';

describe('stories260K on the engine', () => {
  it('continues "Once upon a time" greedily with the published sample, word for word', async () => {
    const converted = convertLlama2c(
      readFileSync(new URL('stories260K.bin', STORIES260K_DIR)),
      readFileSync(new URL('tok512.bin', STORIES260K_DIR)),
    );
    // Through the files, as a user's folder would be read.
    const checkpoint = parseModelCheckpoint(serializeModelCheckpoint(converted), 'stories260k');
    const model = createLanguageModel(await testContext(), checkpoint, 'stories260k');
    try {
      expect(model.architecture).toBe('llama');
      const { tokenizer } = checkpoint;
      const prompt = tokenizer.encode('Once upon a time');
      // run.c feeds BOS first and emits one token per position 0..255 (256 after BOS), stopping at BOS. The whole
      // sample takes ~50 s on SwiftShader, so npm test checks the first 48 tokens (two and a half sentences);
      // EDITSCOPE_FULL_SAMPLE=1 runs all of it (measured: passes, SwiftShader, Node).
      const ids = [...tokenizer.prefixIds, ...prompt];
      const full = process.env.EDITSCOPE_FULL_SAMPLE === '1';
      const generated = await model.generate(ids, full ? 257 - ids.length : 48, { stopId: 1 });
      const text = tokenizer.decode([...prompt, ...generated]);
      if (full) expect(text.slice(0, STORIES260K_GREEDY_SAMPLE.length)).toBe(STORIES260K_GREEDY_SAMPLE);
      else {
        expect(text.length).toBeGreaterThan(150);
        expect(text).toBe(STORIES260K_GREEDY_SAMPLE.slice(0, text.length));
      }
    } finally {
      model.destroy();
    }
  });
});
