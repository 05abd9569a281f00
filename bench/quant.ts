// Quantized weights, measured: accuracy of f16/int8/int4 linears against f32 (top-1 agreement and mean KL of the
// next-token distribution over a fixed prompt set) on the fact-world model, a random 124M GPT-2 and a small
// random Qwen3; the edit metrics of FT-L, ROME, MEND and IBKE on the quantized fact-world model against f32 (the
// same test edits); forward speed; and bytes per format for a full-size Qwen3-1.7B config (a projection from the
// formats' sizes, stated as one). Writes bench/results/quant-<adapter>.json (sections merge into the file: a run
// of one section, model, method or dtype keeps every other row).
//
//   node --import ./bin/register.mjs bench/quant.ts [accuracy] [edits] [memory]     (EDITSCOPE_ADAPTER=...)
//   env: QUANT_EDITS (default 100), QUANT_ROME_EDITS (default QUANT_EDITS), QUANT_METHODS (default ft,rome,ibke),
//   QUANT_DTYPES (default f32,int8,int4), QUANT_MODELS (accuracy; default fact-world,gpt2-124M,qwen3-small)

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { folderFiles } from '../src/cli/commands/edit.ts';
import { createEditors } from '../src/engine/editors.ts';
import { EditSession } from '../src/engine/session.ts';
import {
  computeKeyCovariance,
  covarianceFileName,
  serializeKeyCovariance,
} from '../src/editors/rome-covariance.ts';
import { parseRomeSite, ROME_SITE_FILE } from '../src/editors/rome-contexts.ts';
import { sampleSequences } from '../src/train/corpus-sample.ts';
import { evaluate } from '../src/cli/commands/eval.ts';
import type { MethodName } from '../src/engine/types.ts';
import { readEditCases } from '../src/eval/datasets/index.ts';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { GpuContext } from '../src/gpu/context.ts';
import { acquireNodeDevice } from '../src/gpu/node.ts';
import { readCheckpointDir } from '../src/model/checkpoint-node.ts';
import { GPT2_PRESETS } from '../src/model/config.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { createLanguageModel, loadLanguageModel, weightPlan } from '../src/model/factory.ts';
import { mapSource, planBytes } from '../src/model/quant/load.ts';
import { randomGpt2Init } from '../src/model/gpt2/init.ts';
import { Gpt2Model } from '../src/model/gpt2/model.ts';
import type { LanguageModel } from '../src/model/language-model.ts';
import type { TextTokenizer } from '../src/model/tokenizer.ts';
import { randomLlamaWeights, tinyQwen3Config, QWEN3_1_7B } from '../src/model/llama-testing.ts';
import { llamaDims, llamaLinearSpecs, parameterShapes as llamaShapes } from '../src/model/llama/dims.ts';
import { quantizeModelLinears, storageShape, type WeightDtype } from '../src/model/quant/apply.ts';
import { packedBytes } from '../src/reference/quant.ts';
import { uniformArray } from '../src/util/random.ts';

const QUANT: WeightDtype[] = ['f16', 'int8', 'int4'];
const FACT_WORLD = 'public/models/fact-world';
const EDITS_FILE = 'data/fact-world/edits-test.json';

const ctx = new GpuContext(await acquireNodeDevice());
const adapterName = /swiftshader/i.test(describeAdapter(ctx.adapter))
  ? 'swiftshader'
  : /llvmpipe|lavapipe/i.test(describeAdapter(ctx.adapter))
    ? 'lavapipe'
    : 'gpu';
const outFile = `bench/results/quant-${adapterName}.json`;
const results: Record<string, unknown> = existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : {};
const sections = process.argv.slice(2);
const want = (s: string) => sections.length === 0 || sections.includes(s);
const log = (s: string) => process.stderr.write(`[quant] ${s}\n`);

function save(): void {
  results.adapter = describeAdapter(ctx.adapter);
  results.rerun = 'node --import ./bin/register.mjs bench/quant.ts [accuracy] [edits] [memory]';
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
}

/** Top-1 agreement, mean and max KL(p_f32 ‖ p_q) over the prompts, and ms per forward of the whole set. */
function compare(ref: Float32Array[], got: Float32Array[]) {
  let agree = 0;
  let kl = 0;
  let klMax = 0;
  for (let i = 0; i < ref.length; i++) {
    const p = ref[i];
    const q = got[i];
    let a = 0;
    let b = 0;
    let d = 0;
    for (let v = 0; v < p.length; v++) {
      if (p[v] > p[a]) a = v;
      if (q[v] > q[b]) b = v;
      if (p[v] > 0) d += p[v] * (Math.log(p[v]) - Math.log(Math.max(q[v], 1e-30)));
    }
    if (a === b) agree++;
    kl += d;
    klMax = Math.max(klMax, d);
  }
  return { top1Agreement: agree / ref.length, meanKL: kl / ref.length, maxKL: klMax };
}

/**
 * QUANT_LOAD=packed (default): loaded straight into the dtype's formats, as the CLI's --dtype does (linears in
 * the dtype, embedding/head f16 or q8_0; src/model/factory.ts weightPlan). QUANT_LOAD=linears: an f32 model
 * whose linears are re-packed in place (embedding f32), the mode of the results measured before packed loading.
 */
const LOAD = process.env.QUANT_LOAD === 'linears' ? 'linears' : 'packed';

async function quantized(
  make: () => LanguageModel,
  dtype: WeightDtype,
): Promise<{ model: LanguageModel; bytes: Record<string, number> }> {
  const model = make();
  if (LOAD === 'linears') {
    const report = await quantizeModelLinears(model, dtype);
    return {
      model,
      bytes: {
        linearMiB: +(report.packedBytes / 2 ** 20).toFixed(2),
        linearMiBf32: +(report.f32Bytes / 2 ** 20).toFixed(2),
      },
    };
  }
  // The f32 model is only the source of the weights: read back, then dropped before the packed one loads.
  const weights = await model.exportWeights({ merged: false });
  const config = configOf(model);
  model.destroy();
  const r = await loadLanguageModel(ctx, config, mapSource(weights), { dtype, label: `q-${dtype}` });
  return {
    model: r.model,
    bytes: {
      parameterMiB: +(r.gpuWeightBytes / 2 ** 20).toFixed(2),
      parameterMiBf32: +(planBytes(weightPlan(config, 'f32')) / 2 ** 20).toFixed(2),
    },
  };
}

const configs = new WeakMap<LanguageModel, ModelConfig>();
function configOf(m: LanguageModel): ModelConfig {
  const c = configs.get(m);
  if (!c) throw new Error('bench/quant: a model made without its config.');
  return c;
}
/** Makes a model and remembers the config it was made from (packed loading rebuilds it from that config). */
function withConfig(config: ModelConfig, make: () => LanguageModel): () => LanguageModel {
  return () => {
    const m = make();
    configs.set(m, config);
    return m;
  };
}

async function accuracyOf(label: string, make: () => LanguageModel, prompts: number[][], batch = 16) {
  const run = async (m: LanguageModel) => {
    const out: Float32Array[] = [];
    const t0 = performance.now();
    for (let i = 0; i < prompts.length; i += batch)
      out.push(...(await m.nextTokenDistributions(prompts.slice(i, i + batch))));
    return { out, ms: performance.now() - t0 };
  };
  const model = make();
  const ref = await run(model);
  const row: Record<string, unknown> = { prompts: prompts.length, f32: { msAllPrompts: Math.round(ref.ms) } };
  for (const dtype of QUANT) {
    // Re-pack from a fresh f32 model each time (quantizing twice would compound).
    const q = await quantized(make, dtype);
    const r = await run(q.model);
    row[dtype] = { ...compare(ref.out, r.out), msAllPrompts: Math.round(r.ms), ...q.bytes, load: LOAD };
    log(`${label} ${dtype}: ${JSON.stringify(row[dtype])}`);
    q.model.destroy();
  }
  model.destroy();
  return row;
}

const accModels = (process.env.QUANT_MODELS ?? 'fact-world,gpt2-124M,qwen3-small').split(',');
if (want('accuracy')) {
  const acc = (results.accuracy ?? {}) as Record<string, unknown>;
  results.accuracy = acc;
  acc.note =
    "load 'packed': loaded straight into the dtype's formats (linears in the dtype, the tied embedding/head f16 for f16 and q8_0 for int8/int4, norms and biases f32); load 'linears' (rows without a load field, measured earlier): linears in the dtype, embedding and head f32. Random models use random init weights, random token prompts; fact-world uses the first 100 test edits' prompts plus one neighbourhood prompt each. msAllPrompts: wall time of the forwards over the whole prompt set (shared 2-core machine).";
  const fw = await readCheckpointDir(FACT_WORLD);
  const cases = (await readEditCases(new Uint8Array(readFileSync(EDITS_FILE)), EDITS_FILE)).slice(0, 100);
  // The 100 test edits' prompts and one neighbourhood prompt each: facts the model knows.
  const texts = cases.flatMap((c) => [c.prompt, ...c.loc.slice(0, 1).map((l) => l.prompt)]);
  const fwPrompts = texts.map((t) => fw.tokenizer.encode(t));
  if (accModels.includes('fact-world'))
    acc['fact-world'] = await accuracyOf(
      'fact-world',
      withConfig(
        { ...fw.config, architecture: 'gpt2' },
        () => new Gpt2Model(ctx, fw.config, fw.weights, 'fw'),
      ),
      fwPrompts,
    );
  save();
  const g = GPT2_PRESETS.gpt2;
  let gw: Map<string, Float32Array> | undefined;
  const rand = (n: number, len: number, vocab: number, seed: number) =>
    Array.from({ length: n }, (_, i) =>
      Array.from(uniformArray(len, seed + i, 1), (x) => Math.floor((x + 1) * 0.5 * vocab) % vocab),
    );
  if (accModels.includes('gpt2-124M'))
    acc['gpt2-124M-random'] = await accuracyOf(
      'gpt2-124M',
      withConfig(
        { ...g, architecture: 'gpt2' },
        () => new Gpt2Model(ctx, g, (gw ??= randomGpt2Init(g, 7)), 'g124'),
      ),
      rand(16, 8, g.vocabSize, 100),
      8,
    );
  save();
  const qc = tinyQwen3Config({
    nLayer: 4,
    nEmbd: 256,
    nInner: 768,
    nHead: 8,
    nKvHead: 4,
    headDim: 32,
    vocabSize: 2048,
    nPositions: 128,
  });
  const qw = randomLlamaWeights(qc, 11, 0.05);
  if (accModels.includes('qwen3-small'))
    acc['qwen3-small-random'] = {
      config: { nLayer: 4, nEmbd: 256, nInner: 768, nHead: 8, nKvHead: 4, headDim: 32, vocabSize: 2048 },
      ...(await accuracyOf(
        'qwen3-small',
        withConfig(qc, () => createLanguageModel(ctx, { config: qc, weights: qw }, 'q3')),
        rand(32, 16, qc.vocabSize, 200),
      )),
    };
  save();
}

/**
 * The CLI's session on fact-world's folder, except ROME's key statistics on a quantized model: the shipped file
 * was computed on the f32 weights and records their fingerprint, which the quantized (dequantised) weights do not
 * match, so ROME would refuse it. As a user would (`rome-cov`, or the app's "Compute ROME statistics"), they are
 * computed on the model being edited, from the same corpus and token count as the shipped file (20,000 tokens of
 * data/fact-world/corpus.tsv, at the site rome-site.json names).
 */
async function editSession(model: Gpt2Model, tokenizer: TextTokenizer, dtype: WeightDtype) {
  const view = { model, tokenizer };
  const shipped = folderFiles(FACT_WORLD);
  if (dtype === 'f32') return new EditSession(view, await createEditors(view, shipped));
  const layer = parseRomeSite((await shipped(ROME_SITE_FILE))!, model.dims.nLayer).layer;
  const text = readFileSync('data/fact-world/corpus.tsv', 'utf8');
  const t0 = performance.now();
  const cov = await computeKeyCovariance(
    model,
    sampleSequences(text, tokenizer, model.dims.nPositions, 20_000),
    layer,
  );
  cov.source = 'corpus';
  log(
    `${dtype}: ROME statistics on the quantized model in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  const bytes = serializeKeyCovariance(cov);
  const files = async (name: string) => (name === covarianceFileName(layer) ? bytes : shipped(name));
  return new EditSession(view, await createEditors(view, files));
}

if (want('edits')) {
  const n = Number(process.env.QUANT_EDITS ?? 100);
  const nRome = Number(process.env.QUANT_ROME_EDITS ?? n);
  const methods = (process.env.QUANT_METHODS ?? 'ft,rome,ibke').split(',') as MethodName[];
  const dtypes = (process.env.QUANT_DTYPES ?? 'f32,int8,int4').split(',') as WeightDtype[];
  const all = await readEditCases(new Uint8Array(readFileSync(EDITS_FILE)), EDITS_FILE);
  // Merged into what the file holds: a run of one method or dtype keeps every other row.
  const edits = (results.edits ?? {}) as Record<string, unknown>;
  const fw = await readCheckpointDir(FACT_WORLD);
  const fwConfig = { ...fw.config, architecture: 'gpt2' as const };
  // Method-major, so a run cut short still compares a method across dtypes on the same edits.
  for (const method of methods) {
    const cases = all.slice(0, method === 'rome' ? nRome : n);
    for (const dtype of dtypes) {
      const q = await quantized(
        withConfig(fwConfig, () => new Gpt2Model(ctx, fw.config, fw.weights, `fw-${dtype}`)),
        dtype,
      );
      if (!(q.model instanceof Gpt2Model)) throw new Error('bench/quant: fact-world is a GPT-2.');
      const model = q.model;
      const session = await editSession(model, fw.tokenizer, dtype);
      const t0 = performance.now();
      const s = await evaluate(
        session,
        method,
        cases,
        (i) => i % 25 === 0 && log(`${dtype} ${method} ${i}/${cases.length}`),
      );
      const h = s.honest;
      const row = (edits[dtype] ?? {}) as Record<string, unknown>;
      // Token accuracy with exact match beside it, each with the unedited (same-dtype) model's score.
      row[method] = {
        edits: s.edits,
        failed: s.failed,
        reliability: h.reliability,
        reliabilityExact: h.reliabilityExact,
        reliabilityUnedited: h.reliabilityFloor,
        reliabilityExactUnedited: h.reliabilityExactFloor,
        generality: h.generality,
        generalityExact: h.generalityExact,
        generalityUnedited: h.generalityFloor,
        generalityExactUnedited: h.generalityExactFloor,
        locality: h.locality,
        trueProbBefore: h.trueProbBefore,
        trueProbAfter: h.trueProbAfter,
        updateSize: h.updateSize,
        updateSizeMax: h.updateSizeMax,
        kl: s.kl,
        msPerEdit: Math.round(s.latencyMs),
        seconds: Math.round((performance.now() - t0) / 1000),
        load: LOAD,
        date: new Date().toISOString(),
      };
      log(`${dtype} ${method}: ${JSON.stringify(row[method])}`);
      edits[dtype] = row;
      results.edits = {
        ...edits,
        note: `The first edits of ${EDITS_FILE} (count per method in "edits"), one at a time, each reverted before the next; fact-world in the dtype (load: see each row and the accuracy note), edits as f32 side-car terms; ROME on int8/int4 with key statistics recomputed on the quantized model (20,000 tokens of data/fact-world/corpus.tsv, as the shipped f32 file; the shipped file records the f32 weights' fingerprint and is refused). reliability/generality: token accuracy of the forced target; *Exact: every target token top-1; *Unedited: the same scores on the unedited model in the same dtype (the floor). locality: token agreement with the unedited model on the neighbourhood prompts. updateSize: mean over edits of max over matrices of ||dW||_F / ||W||_F (updateSizeMax: the largest). msPerEdit includes the probe readings; the machine was shared (2 cores, load above 10).`,
      };
      save();
      model.destroy();
    }
  }
}

if (want('memory')) {
  // Bytes per format for the full-size Qwen3-1.7B: exact sums of the formats' buffer sizes over its tensors.
  const d = llamaDims({ ...tinyQwen3Config(), ...QWEN3_1_7B, nPositions: 4096 });
  const linears = llamaLinearSpecs(d);
  const linearNames = new Set(linears.map((s) => s.param));
  let other = 0;
  for (const [name, shape] of llamaShapes(d))
    if (!linearNames.has(name)) other += shape.reduce((a, b) => a * b, 1) * 4;
  const linBytes = (dtype: WeightDtype) =>
    linears.reduce(
      (a, s) =>
        a +
        (dtype === 'f32'
          ? s.nIn * s.nOut * 4
          : packedBytes(
              dtype === 'f16' ? 'f16' : dtype === 'int8' ? 'q8_0' : 'q4_0',
              ...storageShape(s.order, s.nIn, s.nOut),
            )),
      0,
    );
  const embed = d.vocabSize * d.nEmbd;
  const rows: Record<string, unknown> = {};
  for (const dtype of ['f32', 'f16', 'int8', 'int4'] as WeightDtype[]) {
    const lin = linBytes(dtype);
    rows[dtype] = {
      linearGiB: +(lin / 2 ** 30).toFixed(3),
      embeddingAndNormsF32GiB: +(other / 2 ** 30).toFixed(3),
      totalGiB: +((lin + other) / 2 ** 30).toFixed(3),
      // If the embedding/tied head were stored in the same format too (not implemented: gather and head kernels).
      totalIfEmbeddingPackedGiB: +(
        (lin +
          other -
          embed * 4 +
          (dtype === 'f32'
            ? embed * 4
            : packedBytes(
                dtype === 'f16' ? 'f16' : dtype === 'int8' ? 'q8_0' : 'q4_0',
                d.vocabSize,
                d.nEmbd,
              ))) /
        2 ** 30
      ).toFixed(3),
    };
  }
  results.memory = {
    note: "PROJECTION, not a measurement: bytes of the weight buffers of Qwen3-1.7B (28 layers, 2048 wide, 151,936-token tied embedding) in each format, summed from the formats' exact buffer sizes. The f32 embedding alone is 1.16 GiB. Not measured: the loaders still build an f32 model before re-packing (see docs/quantization.md).",
    parameters: llamaShapes(d).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0),
    qwen3_1_7B: rows,
  };
  save();
}
log(`wrote ${outFile}`);
ctx.destroy();
