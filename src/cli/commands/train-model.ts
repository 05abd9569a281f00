// `editscope train-model`: trains a GPT-2 on a corpus (one sequence per line) with the WebGPU engine, printing
// tokens/s, loss and ETA; checkpoints weights and AdamW state so an interrupted run resumes where it left off.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readCheckpointDir, writeCheckpointDir } from '../../model/checkpoint-node.ts';
import { validateGpt2Config, type Gpt2Config } from '../../model/config.ts';
import { randomGpt2Init } from '../../model/gpt2/init.ts';
import { Gpt2Model } from '../../model/gpt2/model.ts';
import { Gpt2Trainer } from '../../model/gpt2/training.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../../model/safetensors.ts';
import { TextTokenizer } from '../../model/tokenizer.ts';
import {
  trainLanguageModel,
  type LmTrainingConfig,
  type LossPoint,
  type TrainingSequence,
} from '../../train/lm-training.ts';
import { floatOption, intOption, parse, requireString, UsageError } from '../args.ts';
import { gpuContext } from '../engine.ts';

const USAGE =
  'editscope train-model --corpus FILE --tokenizer FILE --out DIR [--layers 2] [--heads 4] [--embd 128] [--ctx 32] ' +
  '[--steps 3000] [--batch 64] [--lr 3e-3] [--warmup 100] [--weight-decay 0.01] [--seed 1] [--checkpoint-every 100] [--state DIR]';

interface SavedState {
  step: number;
  model: Gpt2Config;
  training: LmTrainingConfig;
}

export async function trainModel(argv: string[]): Promise<void> {
  const opt = { type: 'string' } as const;
  const { values } = parse(
    argv,
    {
      corpus: opt,
      tokenizer: opt,
      out: opt,
      layers: opt,
      heads: opt,
      embd: opt,
      ctx: opt,
      steps: opt,
      batch: opt,
      lr: opt,
      warmup: opt,
      'weight-decay': opt,
      seed: opt,
      'checkpoint-every': opt,
      state: opt,
    },
    USAGE,
  );
  const out = resolve(requireString(values, 'out', USAGE));
  const stateDir = resolve(
    (values.state as string | undefined) ?? join('.cache', 'train-model', basename(out)),
  );
  const tokenizerFile = requireString(values, 'tokenizer', USAGE);
  const tokenizer = TextTokenizer.fromJson(await readFile(tokenizerFile, 'utf8'), tokenizerFile);
  const training: LmTrainingConfig = {
    steps: intOption(values, 'steps', 3000, 1, 10_000_000),
    batch: intOption(values, 'batch', 64, 1, 4096),
    lr: floatOption(values, 'lr', 3e-3, 1e-7, 1),
    warmup: intOption(values, 'warmup', 100, 0, 1_000_000),
    seed: intOption(values, 'seed', 1, 0, 2 ** 31 - 1),
    weightDecay: floatOption(values, 'weight-decay', 0.01, 0, 1),
    checkpointEvery: intOption(values, 'checkpoint-every', 100, 1, 1_000_000),
    evalSequences: 0,
  };
  const config = validateGpt2Config(
    {
      nLayer: intOption(values, 'layers', 2, 1, 48),
      nHead: intOption(values, 'heads', 4, 1, 64),
      nEmbd: intOption(values, 'embd', 128, 8, 4096),
      nPositions: intOption(values, 'ctx', 32, 2, 4096),
      vocabSize: tokenizer.vocabSize,
      eps: 1e-5,
    },
    '--layers/--heads/--embd/--ctx',
  );

  const corpusFile = requireString(values, 'corpus', USAGE);
  const corpus = parseCorpus(await readFile(corpusFile, 'utf8'), tokenizer, corpusFile, config.nPositions);
  const corpusTokens = corpus.reduce((s, q) => s + q.ids.length, 0);

  const ctx = await gpuContext();
  const resumed = await loadState(stateDir, out, config, training);
  const weights = resumed?.weights ?? randomGpt2Init(config, training.seed);
  const model = new Gpt2Model(ctx, config, weights, 'train');
  const trainer = new Gpt2Trainer(model);
  let curve: LossPoint[] = [];
  if (resumed) {
    trainer.step = resumed.step;
    for (const name of model.params.tensors.keys()) {
      ctx.write(trainer.m.get(name), resumed.m.get(name)!);
      ctx.write(trainer.v.get(name), resumed.v.get(name)!);
    }
    curve = resumed.curve;
    log(`resuming from step ${resumed.step} (${stateDir})`);
  }
  log(
    `corpus: ${corpus.length} sequences, ${corpusTokens} tokens; model: ${config.nLayer} layers, ${config.nEmbd} wide, vocab ${config.vocabSize}; adapter: ${ctx.adapter.description || ctx.adapter.vendor}`,
  );

  let stop = false;
  process.once('SIGINT', () => {
    log('interrupted: finishing the current step and saving a checkpoint');
    stop = true;
  });
  let lastPrint = 0;
  await trainLanguageModel(trainer, corpus, training, curve, {
    shouldStop: () => stop,
    onProgress: (p) => {
      const now = performance.now();
      if (now - lastPrint < 2000 && p.step !== p.totalSteps) return;
      lastPrint = now;
      log(
        `step ${p.step}/${p.totalSteps}  loss ${p.loss.toFixed(4)}  lr ${p.lr.toExponential(2)}  ${Math.round(p.tokensPerSecond)} tok/s  ETA ${formatSeconds(p.etaSeconds)}`,
      );
    },
    onCheckpoint: async ({ step }) => {
      await saveState(stateDir, out, model, trainer, tokenizer, { step, model: config, training }, curve);
    },
  });
  if (stop)
    await saveState(
      stateDir,
      out,
      model,
      trainer,
      tokenizer,
      { step: trainer.step, model: config, training },
      curve,
    );
  log(`saved ${out} at step ${trainer.step}`);
}

/**
 * One sequence per line. A line "prompt<TAB>completion" scores only the completion (and the end-of-text token
 * after it, so generation learns to stop); a line without a tab is plain text, scored at every token.
 */
export function parseCorpus(
  text: string,
  tokenizer: TextTokenizer,
  file: string,
  maxT: number,
): TrainingSequence[] {
  const eos = tokenizer.eosId;
  const out: TrainingSequence[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const tab = line.indexOf('\t');
    const seq: TrainingSequence =
      tab < 0
        ? { ids: tokenizer.encode(line) }
        : (() => {
            const prompt = tokenizer.encode(line.slice(0, tab));
            const completion = tokenizer.encode(line.slice(tab + 1));
            if (prompt.length === 0 || completion.length === 0)
              throw new UsageError(`${file}:${i + 1}: a prompt and a completion must both be non-empty.`);
            return {
              ids: [...prompt, ...completion, ...(eos === null ? [] : [eos])],
              promptLength: prompt.length,
            };
          })();
    if (seq.ids.length > maxT)
      throw new UsageError(`${file}:${i + 1} has ${seq.ids.length} tokens, more than --ctx ${maxT}.`);
    out.push(seq);
  });
  if (out.length === 0) throw new UsageError(`${file} holds no sequences.`);
  const kinds = new Set(out.map((s) => s.promptLength === undefined));
  if (kinds.size > 1)
    throw new UsageError(`${file} mixes "prompt<TAB>completion" lines with plain lines: use one form.`);
  return out;
}

function log(line: string): void {
  process.stderr.write(`[train-model] ${line}\n`);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

async function saveState(
  stateDir: string,
  out: string,
  model: Gpt2Model,
  trainer: Gpt2Trainer,
  tokenizer: TextTokenizer,
  state: SavedState,
  curve: LossPoint[],
): Promise<void> {
  await writeCheckpointDir(out, { config: state.model, weights: await model.params.download(), tokenizer });
  await writeFile(
    join(out, 'loss-curve.json'),
    JSON.stringify({
      note: 'mean next-token NLL per training step',
      points: curve.map((p) => [p.step, +p.loss.toFixed(5)]),
    }) + '\n',
  );
  const { m, v } = await trainer.moments();
  const tensors = [...m].flatMap(([name, data]) => [
    { name: `m.${name}`, shape: [data.length], data },
    { name: `v.${name}`, shape: [data.length], data: v.get(name)! },
  ]);
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, 'adam.safetensors.tmp'), serializeSafetensors(tensors));
  await rename(join(stateDir, 'adam.safetensors.tmp'), join(stateDir, 'adam.safetensors'));
  await writeFile(join(stateDir, 'state.json'), JSON.stringify(state, null, 2) + '\n');
}

async function loadState(stateDir: string, out: string, config: Gpt2Config, training: LmTrainingConfig) {
  const stateFile = join(stateDir, 'state.json');
  if (!existsSync(stateFile)) return null;
  const saved = JSON.parse(await readFile(stateFile, 'utf8')) as SavedState;
  for (const key of Object.keys(config) as (keyof Gpt2Config)[]) {
    if (saved.model[key] !== config[key]) {
      throw new UsageError(
        `${stateFile} was trained with ${key}=${saved.model[key]}, not ${config[key]}: use the same options, or another --state folder to start over.`,
      );
    }
  }
  if (saved.training.seed !== training.seed || saved.training.batch !== training.batch) {
    throw new UsageError(
      `${stateFile} used --seed ${saved.training.seed} --batch ${saved.training.batch}: resume with the same values, or use another --state folder.`,
    );
  }
  const checkpoint = await readCheckpointDir(out);
  const adam = parseSafetensors(
    await readFile(join(stateDir, 'adam.safetensors')),
    join(stateDir, 'adam.safetensors'),
  );
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const name of checkpoint.weights.keys()) {
    m.set(name, tensorToFloat32(adam, `m.${name}`));
    v.set(name, tensorToFloat32(adam, `v.${name}`));
  }
  let curve: LossPoint[] = [];
  try {
    const curveFile = JSON.parse(await readFile(join(out, 'loss-curve.json'), 'utf8')) as {
      points: [number, number][];
    };
    curve = curveFile.points
      .filter(([s]) => s <= saved.step)
      .map(([step, loss]) => ({ step, loss, lr: 0, tokensPerSecond: 0 }));
  } catch {
    curve = [];
  }
  return { step: saved.step, weights: checkpoint.weights, m, v, curve };
}
