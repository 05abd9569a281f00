// The factory builds the right architecture from a checkpoint folder: a sharded tiny Qwen3 and a GPT-2, read from
// disk, predicting the same as models built from the in-memory weights; and a model too large for the adapter is
// refused before anything is allocated.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GpuLimitError } from '../gpu/errors.ts';
import { testContext } from '../gpu/testing.ts';
import { readModelCheckpointDir, writeCheckpointDir, writeModelCheckpointDir } from './checkpoint-node.ts';
import { GPT2_PRESETS, parseModelConfig } from './config.ts';
import { checkModelFitsAdapter, createLanguageModel, summarizeCheckpoint } from './factory.ts';
import { Gpt2Model } from './gpt2/model.ts';
import { QWEN3_0_6B_CONFIG_JSON, tinyLlamaCheckpoint, tinyQwen3Config } from './llama-testing.ts';
import { LlamaModel } from './llama/model.ts';
import { tinyCheckpoint } from './testing.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'editscope-factory-'));
  dirs.push(dir);
  return dir;
}

describe('createLanguageModel', () => {
  it('builds a Qwen3 from a sharded folder, predicting as the in-memory weights do', async () => {
    const ctx = await testContext();
    const original = tinyLlamaCheckpoint(tinyQwen3Config(), 9);
    const dir = await tempDir();
    await writeModelCheckpointDir(dir, original, { maxShardBytes: 8192, dtype: 'F16' });
    const checkpoint = await readModelCheckpointDir(dir);
    expect(summarizeCheckpoint(checkpoint)).toMatchObject({ architecture: 'qwen3', dtype: 'F16' });
    const model = createLanguageModel(ctx, checkpoint, 'factory-qwen3');
    const twin = createLanguageModel(ctx, { config: checkpoint.config, weights: checkpoint.weights }, 'twin');
    try {
      expect(model).toBeInstanceOf(LlamaModel);
      expect(model.architecture).toBe('qwen3');
      expect(model.linear(1, 'mlp.down')).toMatchObject({ nIn: 40, nOut: 24, order: 'out_in' });
      const ids = checkpoint.tokenizer.encode('the cat sat on the mat');
      const [a] = await model.topNext([ids], 5);
      const [b] = await twin.topNext([ids], 5);
      expect(a).toEqual(b);
      expect(a[0].prob).toBeGreaterThan(0);
    } finally {
      model.destroy();
      twin.destroy();
    }
  });

  it('builds a GPT-2 from its folder', async () => {
    const ctx = await testContext();
    const dir = await tempDir();
    await writeCheckpointDir(dir, tinyCheckpoint(GPT2_PRESETS.tiny, 4));
    const checkpoint = await readModelCheckpointDir(dir);
    const model = createLanguageModel(ctx, checkpoint, 'factory-gpt2');
    try {
      expect(model).toBeInstanceOf(Gpt2Model);
      expect(model.architecture).toBe('gpt2');
      expect(summarizeCheckpoint(checkpoint)).toMatchObject({
        dtype: 'F32',
        parameterCount: model.parameterCount,
      });
    } finally {
      model.destroy();
    }
  });

  it("refuses a model whose embedding does not fit the adapter's buffer limit, before allocating", async () => {
    const ctx = await testContext();
    const qwen = parseModelConfig(QWEN3_0_6B_CONFIG_JSON, 'config.json');
    const limits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 2 ** 30 }; // lavapipe's
    expect(() => checkModelFitsAdapter(qwen, limits)).toThrow(GpuLimitError);
    expect(() => checkModelFitsAdapter(qwen, limits)).toThrow(
      /model.embed_tokens.weight needs 594 MiB in one buffer, and the adapter allows 128 MiB/,
    );
    const before = ctx.buffersCreated;
    const tooBig = { config: { ...tinyQwen3Config(), vocabSize: 1 << 20, nEmbd: 4096 }, weights: new Map() };
    expect(() => createLanguageModel(ctx, tooBig, 'too-big')).toThrow(GpuLimitError);
    expect(ctx.buffersCreated).toBe(before);
  });
});
