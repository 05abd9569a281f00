// The exported fact-world model runs in onnxruntime-web (wasm EP, in Node) and gives the engine's next-token
// distributions at every position, with and without the KV cache inputs transformers.js feeds.

import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import { readCheckpointFiles } from '../checkpoint-node.ts';
import { parseCheckpoint } from '../checkpoint.ts';
import { Gpt2Model } from '../gpt2/model.ts';
import { gpt2OnnxFolder, ONNX_MODEL_FILE } from './folder.ts';
import { pastName, presentName } from './gpt2.ts';

const DIR = 'public/models/fact-world';

function softmax(logits: Float32Array, V: number, row: number): Float64Array {
  const out = new Float64Array(V);
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[row * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += out[v] = Math.exp(logits[row * V + v] - max);
  for (let v = 0; v < V; v++) out[v] /= sum;
  return out;
}

const i64 = (xs: number[]) => BigInt64Array.from(xs.map((x) => BigInt(x)));

describe('ONNX export (fact-world)', () => {
  it('runs in onnxruntime-web and matches the engine at every position, with and without the KV cache', async () => {
    const files = await readCheckpointFiles(DIR);
    const ck = parseCheckpoint(files, DIR);
    const d = ck.config;
    const folder = gpt2OnnxFolder({
      dims: d,
      weights: ck.weights,
      tokenizerJson: files.tokenizer,
      eosId: ck.tokenizer.eosId,
    });
    expect(JSON.parse(folder.get('config.json') as string)['transformers.js_config']).toEqual({
      dtype: 'fp32',
    });

    ort.env.wasm.numThreads = 1;
    const session = await ort.InferenceSession.create(folder.get(ONNX_MODEL_FILE) as Uint8Array, {
      executionProviders: ['wasm'],
    });
    const ids = ck.tokenizer.encode('The capital of Norland is');
    const T = ids.length;
    const H = d.nHead;
    const D = d.nEmbd / H;
    const V = d.vocabSize;
    const emptyPast = (feeds: Record<string, ort.Tensor>) => {
      for (let l = 0; l < d.nLayer; l++)
        for (const kv of ['key', 'value'] as const)
          feeds[pastName(l, kv)] = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, D]);
      return feeds;
    };
    const full = await session.run(
      emptyPast({
        input_ids: new ort.Tensor('int64', i64(ids), [1, T]),
        attention_mask: new ort.Tensor('int64', i64(ids.map(() => 1)), [1, T]),
        position_ids: new ort.Tensor('int64', i64(ids.map((_, t) => t)), [1, T]),
      }),
    );
    expect(full.logits.dims).toEqual([1, T, V]);
    const logits = full.logits.data as Float32Array;

    // The engine: softmax of every position (the last row has no target; weight 0 keeps it in the head).
    const ctx = await testContext();
    const model = new Gpt2Model(ctx, d, ck.weights, 'onnx-test');
    const batch = makeBatch([ids], d.nPositions);
    const rows = [...languageModelRows(batch), { row: T - 1, target: 0, weight: 0 }];
    const { probs } = await model.run(batch, rows, { readProbs: true });
    model.destroy();
    let worst = 0;
    for (let t = 0; t < T; t++) {
      const p = softmax(logits, V, t);
      for (let v = 0; v < V; v++) worst = Math.max(worst, Math.abs(p[v] - probs![t * V + v]));
    }
    expect(worst, 'max |p_onnx - p_engine| over every position and token').toBeLessThan(1e-4);

    // Prefill T-1 tokens, then the last one with the cache: the same last-position distribution.
    const pre = await session.run(
      emptyPast({
        input_ids: new ort.Tensor('int64', i64(ids.slice(0, T - 1)), [1, T - 1]),
        attention_mask: new ort.Tensor('int64', i64(ids.slice(0, T - 1).map(() => 1)), [1, T - 1]),
        position_ids: new ort.Tensor('int64', i64(ids.slice(0, T - 1).map((_, t) => t)), [1, T - 1]),
      }),
    );
    const step: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', i64([ids[T - 1]]), [1, 1]),
      attention_mask: new ort.Tensor('int64', i64(ids.map(() => 1)), [1, T]),
      position_ids: new ort.Tensor('int64', i64([T - 1]), [1, 1]),
    };
    for (let l = 0; l < d.nLayer; l++)
      for (const kv of ['key', 'value'] as const) step[pastName(l, kv)] = pre[presentName(l, kv)];
    const cached = await session.run(step);
    expect(cached[presentName(0, 'key')].dims).toEqual([1, H, T, D]);
    const a = softmax(cached.logits.data as Float32Array, V, 0);
    const b = softmax(logits, V, T - 1);
    let diff = 0;
    for (let v = 0; v < V; v++) diff = Math.max(diff, Math.abs(a[v] - b[v]));
    expect(diff, 'cached step vs full prefill').toBeLessThan(1e-5);
    await session.release();
  });

  it('refuses weights that do not match the dims, naming the parameter', async () => {
    const files = await readCheckpointFiles(DIR);
    const ck = parseCheckpoint(files, DIR);
    const weights = new Map(ck.weights);
    weights.set('h.1.mlp.c_fc.weight', new Float32Array(3));
    expect(() =>
      gpt2OnnxFolder({ dims: ck.config, weights, tokenizerJson: files.tokenizer, eosId: ck.tokenizer.eosId }),
    ).toThrow(/h\.1\.mlp\.c_fc\.weight has 3 values/);
  });
});
