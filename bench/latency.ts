// Edit latency (issue #14 item 4): per model, one IBKE edit (capture u/δ, the hypernetwork, the factors read
// back as a Patch) against its floor, one forward + one backward that stops at the lowest edited block on the
// same prompt ⊕ target tokens (what the capture must do anyway). Target: edit ≤ 1.5 × floor. Rounds alternate the
// three measurements in a rotating order, so a loaded machine slows all of them alike; per-round ratios and the
// median ratio are written to bench/results/latency-<adapter>.json.
//
// Models: fact-world with its shipped, trained IBKE editor; a random 124M GPT-2 and a random small Qwen3 (the
// peer benchmark's qwen3-small) with freshly initialised IBKE networks of the default config (the last 3 blocks'
// MLPs): timing does not depend on trained values, only on shapes.
//
//   EDITSCOPE_ADAPTER=swiftshader node --import ./bin/register.mjs bench/latency.ts
//   (BENCH_MODELS=fact-world,gpt2-124m,qwen3-small, BENCH_ROUNDS=5)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { adapterSlug } from './adapter-slug.ts';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { HypernetEditor, loadHypernet } from '../src/editors/hyper/editor.ts';
import { createHypernet, defaultIbkeConfig, editedShape } from '../src/editors/hyper/index.ts';
import { tokenizeRequest } from '../src/editors/request.ts';
import type { EditRequest } from '../src/editors/types.ts';
import { completionRows, makeBatch } from '../src/model/batch.ts';
import { readCheckpointDir } from '../src/model/checkpoint-node.ts';
import { GPT2_PRESETS } from '../src/model/config.ts';
import { randomGpt2Init } from '../src/model/gpt2/init.ts';
import { Gpt2Model } from '../src/model/gpt2/model.ts';
import { loadGpt2Tokenizer } from '../src/model/gpt2-tokenizer-node.ts';
import { isMlpRole, type LanguageModel } from '../src/model/language-model.ts';
import { randomLlamaInit } from '../src/model/llama/init.ts';
import { LlamaModel } from '../src/model/llama/model.ts';
import type { TextTokenizer } from '../src/model/tokenizer.ts';
import { QWEN3_SMALL } from './peers/models.ts';

const MODELS = (process.env.BENCH_MODELS ?? 'fact-world,gpt2-124m,qwen3-small').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const FACT_WORLD = 'public/models/fact-world';
const REQUEST: EditRequest = { prompt: 'The capital of France is', subject: 'France', target: ' Rome' };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function build(
  ctx: GpuContext,
  name: string,
): Promise<{ model: LanguageModel; tokenizer: TextTokenizer; editor: HypernetEditor; trained: boolean }> {
  if (name === 'fact-world') {
    const cp = await readCheckpointDir(FACT_WORLD);
    const model = new Gpt2Model(ctx, cp.config, cp.weights, name);
    const files = {
      config: readFileSync(`${FACT_WORLD}/editors/ibke/config.json`, 'utf8'),
      weights: new Uint8Array(readFileSync(`${FACT_WORLD}/editors/ibke/editor.safetensors`)),
    };
    const editor = new HypernetEditor('ibke', model, loadHypernet('ibke', model, files));
    return { model, tokenizer: cp.tokenizer, editor, trained: true };
  }
  let model: LanguageModel;
  let tokenizer: TextTokenizer;
  if (name === 'gpt2-124m') {
    const d = { ...GPT2_PRESETS.gpt2 };
    model = new Gpt2Model(ctx, d, randomGpt2Init(d, 1), name);
    tokenizer = loadGpt2Tokenizer();
  } else if (name === 'qwen3-small') {
    const d = QWEN3_SMALL;
    model = new LlamaModel(ctx, d, randomLlamaInit(d, 1), name);
    // Any tokenizer whose ids fit the vocabulary: fact-world's (3,732 ids) gives a real prompt's length.
    tokenizer = (await readCheckpointDir(FACT_WORLD)).tokenizer;
  } else throw new RangeError(`unknown model ${JSON.stringify(name)}`);
  const editor = new HypernetEditor('ibke', model, createHypernet(ctx, model, defaultIbkeConfig(model)));
  return { model, tokenizer, editor, trained: false };
}

const ctx = new GpuContext(await acquireNodeDevice());
const adapter = describeAdapter(ctx.adapter);
console.log(`adapter: ${adapter}`);
const file = `bench/results/latency-${adapterSlug(ctx.adapter)}.json`;
let earlier: Record<string, unknown> = {};
try {
  const old = JSON.parse(readFileSync(file, 'utf8')) as {
    adapter?: string;
    models?: Record<string, unknown>;
  };
  if (old.adapter === adapter && old.models) earlier = old.models;
} catch {
  // first run on this adapter
}
const models: Record<string, unknown> = {};

for (const name of MODELS) {
  const t0 = performance.now();
  const { model, tokenizer, editor, trained } = await build(ctx, name);
  const target = { model, tokenizer };
  const { prompt, target: answer } = tokenizeRequest(target, REQUEST);
  const edited = editor.net.editedLayers.map((k) => editedShape(model, k));
  const stopLayer = Math.min(...edited.map((w) => w.block));
  const stopAfterMlp = edited.every((w) => isMlpRole(w.role));
  const batch = makeBatch([[...prompt, ...answer]], model.dims.nPositions);
  const rows = completionRows(batch, [prompt.length], 1);
  const runs: Record<string, () => Promise<unknown>> = {
    forward: () => model.run(batch, rows),
    forwardBackward: () =>
      model.run(batch, rows, { backward: { stopLayer, stopAfterMlp, onLinear: () => undefined } }),
    edit: () => editor.edit(target, REQUEST),
  };
  const kinds = Object.keys(runs);
  for (const k of kinds) await runs[k](); // warm-up: pipelines, buffers
  const ms: Record<string, number[]> = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[(i + r) % kinds.length];
      const s = performance.now();
      await runs[k]();
      ms[k].push(performance.now() - s);
    }
  const ratios = ms.edit.map((t, i) => t / ms.forwardBackward[i]);
  const entry = {
    date: new Date().toISOString(),
    loadavgAtStart: loadavg(),
    parameters: model.parameterCount,
    editorTrained: trained,
    editedLayers: editor.net.editedLayers,
    lowestEditedBlock: stopLayer,
    tokens: batch.lengths[0],
    setupMs: performance.now() - t0,
    medianMs: Object.fromEntries(kinds.map((k) => [k, median(ms[k])])),
    ms,
    ratioEditToForwardBackward: ratios,
    ratioMedian: median(ratios),
    target: 1.5,
  };
  models[name] = entry;
  console.log(
    `${name}: edit ${entry.medianMs.edit.toFixed(1)} ms, forward+backward to block ${stopLayer} ${entry.medianMs.forwardBackward.toFixed(1)} ms, forward ${entry.medianMs.forward.toFixed(1)} ms; ratio ${entry.ratioMedian.toFixed(2)} (per round ${ratios.map((x) => x.toFixed(2)).join(' ')})`,
  );
  editor.destroy();
  model.destroy();
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      {
        adapter,
        adapterInfo: ctx.adapter,
        machine: { cpus: cpus().length, loadavg: loadavg() },
        rounds: ROUNDS,
        request: REQUEST,
        note: 'wall ms with results read back. edit = IbkeEditor.edit (capture forward + backward to the lowest edited block with u/δ copies, the hypernetwork, factors downloaded; not applied). forwardBackward = model.run with the same backward stop and no copies. ratio = edit / forwardBackward per round (target ≤ 1.5). Random models use freshly initialised IBKE networks of the default config.',
        models: { ...earlier, ...models },
        command: 'EDITSCOPE_ADAPTER=<adapter> node --import ./bin/register.mjs bench/latency.ts',
      },
      null,
      2,
    ) + '\n',
  );
}
console.log(`wrote ${file}`);
ctx.destroy();
