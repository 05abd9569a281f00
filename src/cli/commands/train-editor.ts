// `editscope train-editor`: trains a MEND or IBKE editor for a model on an EasyEdit-style edit dataset
// (src/editors/training), printing loss terms, edits/s and ETA; validates on held-out edits; checkpoints the
// editor, its AdamW state and the step so an interrupted run resumes; writes the editor files (config.json +
// editor.safetensors, readable by src/editors/hyper/files.ts) and loss-curve.json to --out.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { serializeEditorFiles } from '../../editors/hyper/files.ts';
import { modelFingerprint } from '../../editors/hyper/fingerprint.ts';
import { createHypernet, defaultIbkeConfig, defaultMendConfig } from '../../editors/hyper/index.ts';
import type { Hypernet } from '../../editors/hyper/types.ts';
import { parseEditRecords, tokenizeEdits, type TrainingEdit } from '../../editors/training/data.ts';
import { runEditorTraining, type CurvePoint, type ValidationPoint } from '../../editors/training/loop.ts';
import { longestSamples, maxSequenceLength } from '../../editors/training/sampler.ts';
import { settingsDiff, type EditorTrainingSettings } from '../../editors/training/settings.ts';
import { DEFAULT_LAMBDAS, DEFAULT_OPTIMIZER, EditorTrainer } from '../../editors/training/trainer.ts';
import { EditorValidator, type EditScores } from '../../editors/training/validate.ts';
import type { Gpt2Model } from '../../model/gpt2/model.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../../model/safetensors.ts';
import type { TextTokenizer } from '../../model/tokenizer.ts';
import { floatOption, intOption, parse, requireString, UsageError, type Values } from '../args.ts';
import { loadModelDir } from '../engine.ts';

const USAGE =
  'editscope train-editor --method ibke|mend --model DIR --data TRAIN.json --out DIR [--val VAL.json] ' +
  '[--steps 1500] [--batch 8] [--lr 1e-3] [--beta 1e-3] [--lm 4] [--seed 1] [--checkpoint-every 100] ' +
  '[--validate-every 250] [--max-val 64] [--rank R] [--alpha-init A] [--lambda-rel X] [--lambda-gen X] ' +
  '[--lambda-loc X] [--no-ib] [--no-scale] [--state DIR]';

interface SavedState {
  step: number;
  settings: EditorTrainingSettings;
  history: ValidationPoint[];
}

export async function trainEditor(argv: string[]): Promise<void> {
  const s = { type: 'string' } as const;
  const flag = { type: 'boolean' } as const;
  const { values } = parse(
    argv,
    {
      method: s,
      model: s,
      data: s,
      out: s,
      val: s,
      steps: s,
      batch: s,
      lr: s,
      beta: s,
      lm: s,
      seed: s,
      'checkpoint-every': s,
      'validate-every': s,
      'max-val': s,
      rank: s,
      'alpha-init': s,
      'lambda-rel': s,
      'lambda-gen': s,
      'lambda-loc': s,
      'no-ib': flag,
      'no-scale': flag,
      state: s,
    },
    USAGE,
  );
  const method = requireString(values, 'method', USAGE);
  if (method !== 'mend' && method !== 'ibke')
    throw new UsageError(`--method must be mend or ibke (got "${method}").\nUsage: ${USAGE}`);
  const out = resolve(requireString(values, 'out', USAGE));
  const dataFile = requireString(values, 'data', USAGE);
  const { model, tokenizer, dir } = await loadModelDir(requireString(values, 'model', USAGE));
  const T = model.dims.nPositions;
  const train = await readEdits(dataFile, tokenizer, T, 'training');
  const maxVal = intOption(values, 'max-val', 64, 1, 100_000);
  const val = values.val
    ? (await readEdits(values.val as string, tokenizer, T, 'validation')).slice(0, maxVal)
    : [];

  const settings = buildSettings(values, method, model, dataFile, train.length);
  const stateDir = resolve(
    (values.state as string | undefined) ?? join('.cache', 'train-editor', `${method}-${basename(out)}`),
  );
  const resumed = await loadState(stateDir, settings);
  const net = createHypernet(model.ctx, model, settings.hypernet, resumed?.weights);
  const trainer = new EditorTrainer(
    model,
    net,
    settings.optimizer,
    { lambdas: settings.lambdas, beta: settings.beta },
    settings.seed,
  );
  trainer.reserve(settings.batch, maxSequenceLength(train));
  await trainer.warmUp(longestSamples(train, settings.batch));
  const curve: CurvePoint[] = resumed?.curve ?? [];
  const history: ValidationPoint[] = resumed?.state.history ?? [];
  if (resumed) {
    trainer.loadOptimizerState(resumed.adam, resumed.state.step);
    log(`resuming from step ${resumed.state.step} (${stateDir})`);
  }
  const validator = val.length > 0 ? new EditorValidator(model, net, trainer.capture, trainer.swap) : null;
  const params = net.params.reduce((n, p) => n + p.size, 0);
  log(
    `${method}: ${train.length} training edits, ${val.length} validation edits; model ${dir} (${model.dims.nLayer} layers, ${model.dims.nEmbd} wide); editor ${params} parameters on ${net.editedLayers.length} weights; adapter ${model.ctx.adapter.description || model.ctx.adapter.vendor}`,
  );

  let stop = false;
  process.once('SIGINT', () => {
    log('interrupted: finishing the current step and saving a checkpoint');
    stop = true;
  });
  let lastPrint = 0;
  const started = performance.now();
  await runEditorTraining(
    trainer,
    validator,
    train,
    val,
    {
      steps: settings.steps,
      batch: settings.batch,
      seed: settings.seed,
      validateEvery: intOption(values, 'validate-every', 250, 0, 1_000_000),
      checkpointEvery: intOption(values, 'checkpoint-every', 100, 1, 1_000_000),
    },
    curve,
    history,
    {
      shouldStop: () => stop,
      onProgress: (p) => {
        const now = performance.now();
        if (now - lastPrint < 2000 && p.result.step !== p.totalSteps) return;
        lastPrint = now;
        const t = p.result.terms;
        const terms = [
          t.rel !== null ? `rel ${t.rel.toFixed(3)}` : '',
          t.gen !== null ? `gen ${t.gen.toFixed(3)}` : '',
          t.loc !== null ? `kl_loc ${t.loc.toFixed(4)}` : '',
          method === 'ibke' ? `kl_z ${p.result.klLatent.toFixed(2)}` : '',
        ].filter(Boolean);
        log(
          `step ${p.result.step}/${p.totalSteps}  loss ${p.result.loss.toFixed(4)} (${terms.join(', ')})  ${p.editsPerSecond.toFixed(1)} edits/s  ETA ${formatSeconds(p.etaSeconds)}`,
        );
      },
      onValidation: ({ step, scores }) => log(`validation at step ${step}: ${formatScores(scores)}`),
      onCheckpoint: async (step) => {
        await saveState(stateDir, net, trainer, { step, settings, history });
        await writeCurve(stateDir, curve, history, 'curve.json');
        await writeCurve(out, curve, history);
      },
    },
  );
  if (stop) return;
  await writeEditor(out, net, model, settings, history, (performance.now() - started) / 1000);
  await writeCurve(out, curve, history);
  log(`saved the ${method} editor to ${out} at step ${trainer.step}`);
  if (history.length > 0) log(`final validation: ${formatScores(history.at(-1)!.scores)}`);
}

export async function readEdits(
  file: string,
  tokenizer: TextTokenizer,
  T: number,
  what: string,
): Promise<TrainingEdit[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`Cannot read the ${what} edits ${file}: ${(e as Error).message}`);
  }
  const { edits, skipped } = tokenizeEdits(parseEditRecords(json, file), (t) => tokenizer.encode(t), T);
  if (skipped.length > 0)
    log(
      `${file}: skipped ${skipped.length} records (too long for the context, or without a rephrase or locality probe)`,
    );
  if (edits.length === 0) throw new UsageError(`${file} holds no usable ${what} edits.`);
  return edits;
}

function buildSettings(
  values: Values,
  method: 'mend' | 'ibke',
  model: Gpt2Model,
  dataFile: string,
  edits: number,
): EditorTrainingSettings {
  const dims = model.dims;
  const noIb = values['no-ib'] === true;
  if (
    method === 'mend' &&
    (noIb || values['no-scale'] || values.lm !== undefined || values.beta !== undefined)
  )
    throw new UsageError('--beta, --lm, --no-ib and --no-scale are IBKE options; MEND takes none of them.');
  const alpha =
    values['alpha-init'] === undefined ? {} : { alphaInit: floatOption(values, 'alpha-init', 0, 1e-8, 10) };
  const hypernet =
    method === 'mend'
      ? defaultMendConfig(model, {
          ...alpha,
          ...(values.rank ? { rank: intOption(values, 'rank', 16, 1, 4096) } : {}),
        })
      : defaultIbkeConfig(model, {
          ...alpha,
          latentLength: intOption(values, 'lm', 4, 1, 64),
          useIb: !noIb,
          useScale: values['no-scale'] !== true,
        });
  const beta = method === 'mend' || noIb ? 0 : floatOption(values, 'beta', 1e-3, 0, 100);
  if (noIb && values.beta !== undefined && Number(values.beta) !== 0)
    throw new UsageError('--no-ib trains IBKE without the bottleneck (z = μ): --beta must be 0 or left out.');
  const d = DEFAULT_LAMBDAS[method];
  const lambdas = {
    rel: floatOption(values, 'lambda-rel', d.rel, 0, 1000),
    gen: floatOption(values, 'lambda-gen', d.gen, 0, 1000),
    loc: floatOption(values, 'lambda-loc', d.loc, 0, 1000),
  };
  if (lambdas.rel + lambdas.gen + lambdas.loc === 0)
    throw new UsageError('At least one --lambda-* must be > 0.');
  return {
    method,
    backbone: {
      nLayer: dims.nLayer,
      nEmbd: dims.nEmbd,
      vocabSize: dims.vocabSize,
      nPositions: dims.nPositions,
    },
    hypernet,
    optimizer: { ...DEFAULT_OPTIMIZER, lr: floatOption(values, 'lr', DEFAULT_OPTIMIZER.lr, 1e-8, 1) },
    lambdas,
    beta,
    batch: intOption(values, 'batch', 8, 1, 256),
    seed: intOption(values, 'seed', 1, 0, 2 ** 31 - 1),
    steps: intOption(values, 'steps', 1500, 1, 10_000_000),
    data: { file: basename(dataFile), edits },
  };
}

async function saveState(
  stateDir: string,
  net: Hypernet,
  trainer: EditorTrainer,
  state: SavedState,
): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  const saved = await net.save();
  const tensors = [...saved.tensors, ...(await trainer.optimizerState())];
  // Write-then-rename: an interrupted save leaves the previous checkpoint intact.
  await writeFile(join(stateDir, 'checkpoint.safetensors.tmp'), serializeSafetensors(tensors));
  await writeFile(join(stateDir, 'state.json.tmp'), JSON.stringify(state, null, 2) + '\n');
  await rename(join(stateDir, 'checkpoint.safetensors.tmp'), join(stateDir, 'checkpoint.safetensors'));
  await rename(join(stateDir, 'state.json.tmp'), join(stateDir, 'state.json'));
}

async function loadState(stateDir: string, settings: EditorTrainingSettings) {
  const stateFile = join(stateDir, 'state.json');
  if (!existsSync(stateFile)) return null;
  let state: SavedState;
  try {
    state = JSON.parse(await readFile(stateFile, 'utf8')) as SavedState;
  } catch (e) {
    throw new UsageError(
      `${stateFile} is not valid JSON (${(e as Error).message}): delete ${stateDir} to start over.`,
    );
  }
  const diff = settingsDiff(state.settings, settings);
  if (diff.length > 0)
    throw new UsageError(
      `${stateFile} was trained with other settings (${diff.join('; ')}): rerun with the same options, or give another --state folder (or delete this one) to start over.`,
    );
  if (state.step > settings.steps)
    throw new UsageError(
      `${stateFile} is at step ${state.step}, past --steps ${settings.steps}: raise --steps.`,
    );
  const file = join(stateDir, 'checkpoint.safetensors');
  const st = parseSafetensors(await readFile(file), file);
  const weights = new Map<string, Float32Array>();
  const adam = new Map<string, Float32Array>();
  for (const name of st.tensors.keys())
    (name.startsWith('adam.') ? adam : weights).set(name, tensorToFloat32(st, name));
  const curve = (await readCurve(stateDir)).filter((p) => p.step <= state.step);
  return { state, weights, adam, curve };
}

async function readCurve(stateDir: string): Promise<CurvePoint[]> {
  try {
    const text = await readFile(join(stateDir, 'curve.json'), 'utf8');
    return (JSON.parse(text) as { points: CurvePoint[] }).points;
  } catch {
    return [];
  }
}

async function writeCurve(
  out: string,
  curve: CurvePoint[],
  history: ValidationPoint[],
  name = 'loss-curve.json',
): Promise<void> {
  await mkdir(out, { recursive: true });
  const body = {
    note: 'per step: the weighted loss the step descended and its unweighted terms (rel/gen: mean NLL, loc: mean KL(pre‖post), klLatent: IBKE KL(q(z|e)‖N(0,I)))',
    points: curve,
    validation: history,
  };
  await writeFile(join(out, name), JSON.stringify(body) + '\n');
}

async function writeEditor(
  out: string,
  net: Hypernet,
  model: Gpt2Model,
  settings: EditorTrainingSettings,
  history: ValidationPoint[],
  seconds: number,
): Promise<void> {
  await mkdir(out, { recursive: true });
  const files = serializeEditorFiles(await net.save(), model, await modelFingerprint(model)); // refuses other models
  const config = JSON.parse(files.config) as Record<string, unknown>;
  config.training = { ...settings, seconds: Math.round(seconds) };
  config.validation = history.at(-1) ?? null;
  await writeFile(join(out, 'editor.safetensors'), files.weights);
  await writeFile(join(out, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}

function formatScores(s: EditScores): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `reliability ${pct(s.reliability)}, generality ${pct(s.generality)}, locality ${pct(s.locality)}, KL ${s.kl.toFixed(4)} (${s.edits} edits)`;
}

function log(line: string): void {
  process.stderr.write(`[train-editor] ${line}\n`);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}
