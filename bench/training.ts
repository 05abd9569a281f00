// Issue 12 items 1 and 5, measured in Node: steps per second of IBKE editor training (the same
// EditorTrainingRun the CLI and the browser worker train with) on the fact-world model, a random 124M GPT-2 and a
// random small Qwen3; and ROME's key statistics pass (time and GPU memory) for a random 124M GPT-2 and a random
// model of Qwen3-0.6B's own config, over a SHORTENED token count, extrapolated linearly to the app's default
// 20,000 tokens (stated as an extrapolation in the file). Laptop-GPU figures are PROJECTIONS: the multiply-adds
// of the measured work, by arithmetic from the shapes, over an assumed sustained rate (ASSUMED_GFLOPS below).
// Writes (merges into) bench/results/training-<adapter>.json after every measurement, so a run cut short keeps
// what it measured.
//
//   EDITSCOPE_ADAPTER=swiftshader nice -n 19 node --import ./bin/register.mjs bench/training.ts [--part train|rome] [--only NAME]
//   BENCH_STEPS=N timed steps per model (default 3, after the warm-up step), BENCH_BATCH=B (default 2)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { computeKeyCovariance } from '../src/editors/rome-covariance.ts';
import type { TrainingEdit } from '../src/editors/training/data.ts';
import { readTrainingRecords, tokenizeRecords } from '../src/editors/training/dataset-file.ts';
import { trainingSettings } from '../src/editors/training/options.ts';
import { EditorTrainingRun } from '../src/editors/training/run.ts';
import { loadLanguageModelDir, gpuContext } from '../src/cli/engine.ts';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GPT2_PRESETS, parseModelConfig } from '../src/model/config.ts';
import { createLanguageModel } from '../src/model/factory.ts';
import type { LanguageModel } from '../src/model/language-model.ts';
import { QWEN3_0_6B_CONFIG_JSON, randomLlamaWeights, tinyQwen3Config } from '../src/model/llama-testing.ts';
import { randomGpt2Weights } from '../src/model/testing.ts';
import { adapterSlug } from './adapter-slug.ts';

const { values } = parseArgs({
  options: { part: { type: 'string' }, only: { type: 'string' }, chromium: { type: 'string' } },
});
const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const BATCH = Number(process.env.BENCH_BATCH ?? 2);
/**
 * Assumed sustained f32 matmul rate of a laptop GPU running these WGSL kernels: 2,000 GFLOP/s (about a quarter
 * of an RTX 4060 Laptop's ~8-15 TFLOP/s f32 peak; a mid-range integrated GPU peaks near 2-4 TFLOP/s). An
 * assumption, not a measurement: no GPU machine was lent for this.
 */
const ASSUMED_GFLOPS = 2000;
const APP_TOKENS = 20_000;
const log = (s: string) => process.stderr.write(`[bench/training] ${s}\n`);
// `--chromium "EDITS_PER_S BATCH LOAD1"`: records the rate e2e/train-editor.spec.ts logs ("chromium speed": the
// worker's edits/s over a call's steps, IBKE on fact-world in headless Chromium on SwiftShader) and exits.
if (values.chromium) {
  const [eps, batch, load] = values.chromium.split(' ').map(Number);
  const file = 'bench/results/training-swiftshader.json';
  const prev = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  prev.trainFactWorldChromium = {
    model: 'fact-world (embedded), the Train-an-editor panel',
    method: 'ibke',
    batch,
    editsPerSecond: eps,
    stepsPerSecond: eps / batch,
    loadAverageAtRun: load,
    source:
      'console line "chromium speed" of: CI=1 npx playwright test e2e/train-editor.spec.ts --grep-invert @slow',
    date: new Date().toISOString(),
  };
  writeFileSync(file, JSON.stringify(prev, null, 2) + '\n');
  process.exit(0);
}
const ctx = await gpuContext();
const adapter = describeAdapter(ctx.adapter);
const file = `bench/results/training-${adapterSlug(ctx.adapter)}.json`;
const out: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};

function save(key: string, value: unknown) {
  Object.assign(out, {
    what: 'IBKE editor training steps/s (Node), ROME key-statistics time and GPU memory; laptop figures are projections',
    adapter,
    assumedLaptopGflops: ASSUMED_GFLOPS,
    assumption: `laptop projections = multiply-adds by arithmetic from the shapes × 2 FLOP / ${ASSUMED_GFLOPS} GFLOP/s sustained (assumed, not measured)`,
    rerun:
      'EDITSCOPE_ADAPTER=swiftshader nice -n 19 node --import ./bin/register.mjs bench/training.ts [--part train|rome]',
  });
  out[key] = {
    ...value!,
    loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
    date: new Date().toISOString(),
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  log(`wrote ${key} to ${file}`);
}

/** Multiply-adds of one forward over `rows` token rows (linears + attention over ≤ T keys + head rows). */
function forwardMacs(model: LanguageModel, rows: number, T: number, headRows: number): number {
  const d = model.dims;
  const linears = model.linears.reduce((s, l) => s + l.nIn * l.nOut, 0) * rows;
  return linears + d.nLayer * 2 * d.nHead * d.headDim * T * rows + headRows * d.nEmbd * d.vocabSize;
}

/** Synthetic edits of random token ids (for random models: the timing depends on the shapes only). */
function syntheticEdits(n: number, vocab: number, promptLen: number): TrainingEdit[] {
  let s = 12345;
  const tok = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % vocab;
  const c = (len: number, t: number) => ({
    prompt: Array.from({ length: len }, tok),
    target: Array.from({ length: t }, tok),
  });
  return Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    edit: c(promptLen, 2),
    generality: [c(promptLen, 2)],
    locality: [c(promptLen, 1)],
  }));
}

async function trainBench(key: string, name: string, model: LanguageModel, edits: TrainingEdit[]) {
  const settings = trainingSettings(model, {
    method: 'ibke',
    steps: 1 + STEPS,
    batch: BATCH,
    data: { file: name, edits: edits.length },
  });
  log(
    `${name}: building the IBKE editor (${settings.hypernet.editedLayers?.join(', ') ?? 'default layers'})`,
  );
  const t0 = performance.now();
  const run = await EditorTrainingRun.create(model, settings, edits, []);
  const setupS = (performance.now() - t0) / 1000;
  const stepTimes: number[] = [];
  let last = performance.now();
  await run.run(
    edits,
    [],
    { checkpointEvery: 1_000_000, validateEvery: 0 },
    {
      onProgress: (p) => {
        const now = performance.now();
        stepTimes.push((now - last) / 1000);
        last = now;
        log(
          `${name}: step ${p.result.step} ${stepTimes.at(-1)!.toFixed(1)} s, loss ${p.result.loss.toFixed(4)}`,
        );
      },
    },
  );
  const timed = stepTimes.slice(1); // the first step still compiles pipelines
  const meanS = timed.reduce((a, b) => a + b, 0) / Math.max(1, timed.length);
  // Per sample: a capture pass (forward + backward to the edited blocks ≈ 3 forwards), the edited model's forward
  // and backward for the edit, a rephrase and a locality prompt (≈ 3 × 3), and the locality prompt's unedited
  // forward (1): ≈ 13 forward-equivalents per sample, on the sample's rows.
  const sample = edits[0];
  const rows = (c: { prompt: number[]; target: number[] }) => c.prompt.length + c.target.length;
  const T = rows(sample.edit);
  const macs = 13 * BATCH * forwardMacs(model, T, T, sample.edit.target.length);
  const projectedStepS = (2 * macs) / (ASSUMED_GFLOPS * 1e9);
  const params = run.net.params.reduce((n, p) => n + p.size, 0);
  run.destroy();
  save(key, {
    model: name,
    parameters: model.parameterCount,
    architecture: model.architecture,
    method: 'ibke',
    batch: BATCH,
    tokensPerPrompt: T,
    editorParameters: params,
    editedLayers: settings.hypernet.editedLayers,
    setupSeconds: Math.round(setupS * 10) / 10,
    stepSeconds: timed.map((x) => Math.round(x * 100) / 100),
    stepsPerSecond: 1 / meanS,
    editsPerSecond: BATCH / meanS,
    projectedLaptop: {
      note: 'PROJECTION, not measured: ≈13 forward-equivalents per sample by arithmetic at the assumed rate; a compute-bound lower bound that ignores per-dispatch overhead (which dominates for fact-world)',
      stepSeconds: projectedStepS,
      fullTrainingSeconds_1500stepsBatch8: (1500 * 8 * projectedStepS) / BATCH,
    },
  });
}

async function romeBench(key: string, name: string, model: LanguageModel, tokens: number) {
  const T = Math.min(model.dims.nPositions, 64);
  const seqs = syntheticEdits(Math.ceil(tokens / T), model.dims.vocabSize, T - 2).map((e) => [
    ...e.edit.prompt,
    ...e.edit.target,
  ]);
  const layer = Math.floor(model.dims.nLayer / 4);
  const before = ctx.bytesCreated;
  const t0 = performance.now();
  const cov = await computeKeyCovariance(model, seqs, layer, (d, t) => log(`${name}: ${d}/${t} tokens`));
  const s = (performance.now() - t0) / 1000;
  const n = cov.n;
  const macsPerToken = forwardMacs(model, 1, T, 0) + n * n;
  save(key, {
    model: name,
    parameters: model.parameterCount,
    layer,
    keyWidth: n,
    tokensMeasured: cov.tokens,
    seconds: Math.round(s * 10) / 10,
    gpuBytesForStats: ctx.bytesCreated - before,
    covarianceBytes: n * n * 4,
    rssBytes: process.memoryUsage().rss,
    extrapolated: {
      note: `EXTRAPOLATED linearly from ${cov.tokens} tokens to the app's default ${APP_TOKENS} (key pass only, text given; self-sampling the text costs extra forwards)`,
      tokens: APP_TOKENS,
      seconds: Math.round((s / cov.tokens) * APP_TOKENS),
    },
    projectedLaptop: {
      note: 'PROJECTION, not measured: a forward per token + the n×n accumulation, by arithmetic at the assumed rate',
      seconds: (2 * macsPerToken * APP_TOKENS) / (ASSUMED_GFLOPS * 1e9),
    },
  });
}

const want = (k: string) => !values.only || values.only === k;
log(`adapter: ${adapter}`);
if (values.part !== 'rome') {
  if (want('fact-world')) {
    const { model, tokenizer } = await loadLanguageModelDir('public/models/fact-world');
    const bytes = readFileSync('data/fact-world/edits-train.json');
    const records = await readTrainingRecords(bytes, 'edits-train.json');
    const { edits } = tokenizeRecords(
      records.slice(0, 256),
      (t) => tokenizer.encode(t),
      model.dims.nPositions,
    );
    await trainBench('trainFactWorld', 'fact-world (public/models/fact-world)', model, edits);
    model.destroy();
  }
  if (want('gpt2')) {
    const cfg = { ...GPT2_PRESETS.gpt2, nPositions: 64, architecture: 'gpt2' as const };
    const model = createLanguageModel(ctx, { config: cfg, weights: randomGpt2Weights(cfg, 1) }, 'gpt2-124m');
    await trainBench(
      'trainGpt2_124m',
      'random 124M GPT-2 (16-token prompts)',
      model,
      syntheticEdits(64, cfg.vocabSize, 14),
    );
    model.destroy();
  }
  if (want('qwen3')) {
    const cfg = tinyQwen3Config({
      nLayer: 8,
      nEmbd: 512,
      nInner: 1536,
      nHead: 8,
      nKvHead: 4,
      headDim: 64,
      nPositions: 64,
      vocabSize: 151936,
    });
    const model = createLanguageModel(
      ctx,
      { config: cfg, weights: randomLlamaWeights(cfg, 1, 0.02) },
      'qwen3-small',
    );
    await trainBench(
      'trainQwen3Small',
      'random small Qwen3 (8 layers, 512 wide, Qwen3 vocabulary, 16-token prompts)',
      model,
      syntheticEdits(64, cfg.vocabSize, 14),
    );
    model.destroy();
  }
}
if (values.part !== 'train') {
  if (want('rome-gpt2')) {
    const cfg = { ...GPT2_PRESETS.gpt2, nPositions: 64, architecture: 'gpt2' as const };
    const model = createLanguageModel(ctx, { config: cfg, weights: randomGpt2Weights(cfg, 1) }, 'gpt2-124m');
    await romeBench('romeGpt2_124m', 'random 124M GPT-2', model, 512);
    model.destroy();
  }
  if (want('rome-qwen3')) {
    const cfg = { ...parseModelConfig(QWEN3_0_6B_CONFIG_JSON, 'config.json'), nPositions: 64 };
    if (cfg.architecture === 'gpt2') throw new Error('expected a Qwen3 config');
    const model = createLanguageModel(
      ctx,
      { config: cfg, weights: randomLlamaWeights(cfg, 1, 0.02) },
      'qwen3-0.6b',
    );
    await romeBench('romeQwen3_0_6b', 'random Qwen3-0.6B (its own config, f32)', model, 128);
    model.destroy();
  }
}
ctx.destroy();
