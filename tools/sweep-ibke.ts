// Sweep of IBKE's latent length l_m and IB weight β (method.md "IBKE" item 4; the paper's Figure 3) with short
// training runs scored on the validation split. Default: a coordinate sweep (l_m over its grid at the middle β,
// then β over its grid at the best l_m: 9 runs); --full runs the whole grid. Writes sweep-ibke.json and
// sweep-ibke.md to --out. Run:
//   node --import ./bin/register.mjs tools/sweep-ibke.ts --model public/models/fact-world \
//     --data data/fact-world/edits-train.json --val data/fact-world/edits-val.json --out bench/sweep-ibke

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { floatOption, intOption, parse, requireString, UsageError } from '../src/cli/args.ts';
import { readEdits } from '../src/cli/commands/train-editor.ts';
import { loadModelDir } from '../src/cli/engine.ts';
import { createHypernet, defaultIbkeConfig } from '../src/editors/hyper/index.ts';
import type { TrainingEdit } from '../src/editors/training/data.ts';
import { runEditorTraining, type CurvePoint } from '../src/editors/training/loop.ts';
import { longestSamples, maxSequenceLength } from '../src/editors/training/sampler.ts';
import { DEFAULT_LAMBDAS, DEFAULT_OPTIMIZER, EditorTrainer } from '../src/editors/training/trainer.ts';
import { EditorValidator, type EditScores } from '../src/editors/training/validate.ts';
import type { Gpt2Model } from '../src/model/gpt2/model.ts';

const USAGE =
  'node --import ./bin/register.mjs tools/sweep-ibke.ts --model DIR --data TRAIN.json --val VAL.json --out DIR ' +
  '[--steps 150] [--batch 8] [--lr 1e-3] [--lm 1,2,4,8,16] [--betas 0,1e-4,1e-3,1e-2,1e-1] [--lambdas REL,GEN,LOC] ' +
  '[--max-val 32] [--seed 1] [--full]';

interface SweepRun {
  lm: number;
  beta: number;
  scores: EditScores;
  /** Mean of reliability, generality and locality: the selection criterion. */
  score: number;
  /** Mean training loss over the last 10% of steps. */
  finalLoss: number;
  seconds: number;
}

async function main(argv: string[]): Promise<void> {
  const s = { type: 'string' } as const;
  const { values } = parse(
    argv,
    {
      model: s,
      data: s,
      val: s,
      out: s,
      steps: s,
      batch: s,
      lr: s,
      lm: s,
      betas: s,
      lambdas: s,
      'max-val': s,
      seed: s,
      full: { type: 'boolean' },
    },
    USAGE,
  );
  const { model, tokenizer } = await loadModelDir(requireString(values, 'model', USAGE));
  const T = model.dims.nPositions;
  const train = await readEdits(requireString(values, 'data', USAGE), tokenizer, T, 'training');
  const maxVal = intOption(values, 'max-val', 32, 1, 10_000);
  const val = (await readEdits(requireString(values, 'val', USAGE), tokenizer, T, 'validation')).slice(
    0,
    maxVal,
  );
  const out = resolve(requireString(values, 'out', USAGE));
  const lms = numberList(values.lm as string | undefined, [1, 2, 4, 8, 16], 'lm');
  const betas = numberList(values.betas as string | undefined, [0, 1e-4, 1e-3, 1e-2, 1e-1], 'betas');
  const [rel, gen, loc] = numberList(
    values.lambdas as string | undefined,
    Object.values(DEFAULT_LAMBDAS.ibke),
    'lambdas',
  );
  if (loc === undefined) throw new UsageError('--lambdas takes three numbers: REL,GEN,LOC.');
  const common = {
    lambdas: { rel, gen, loc },
    steps: intOption(values, 'steps', 150, 1, 1_000_000),
    batch: intOption(values, 'batch', 8, 1, 256),
    lr: floatOption(values, 'lr', 1e-3, 1e-8, 1),
    seed: intOption(values, 'seed', 1, 0, 2 ** 31 - 1),
  };

  const runs: SweepRun[] = [];
  const run = async (lm: number, beta: number) => {
    const done = runs.find((r) => r.lm === lm && r.beta === beta);
    if (done) return done;
    const r = await trainAndScore(model, train, val, { ...common, lm, beta });
    runs.push(r);
    log(`l_m ${lm}, β ${beta}: ${fmt(r)}`);
    await write(out, common, runs);
    return r;
  };
  if (values.full) {
    for (const lm of lms) for (const beta of betas) await run(lm, beta);
  } else {
    const midBeta = betas[Math.floor(betas.length / 2)];
    for (const lm of lms) await run(lm, midBeta);
    const bestLm = best(runs).lm;
    for (const beta of betas) await run(bestLm, beta);
  }
  const b = best(runs);
  log(`best: l_m ${b.lm}, β ${b.beta} (${fmt(b)}); results in ${out}`);
}

async function trainAndScore(
  model: Gpt2Model,
  train: TrainingEdit[],
  val: TrainingEdit[],
  o: {
    lambdas: { rel: number; gen: number; loc: number };
    steps: number;
    batch: number;
    lr: number;
    seed: number;
    lm: number;
    beta: number;
  },
): Promise<SweepRun> {
  const started = performance.now();
  const config = defaultIbkeConfig(model, { latentLength: o.lm });
  const net = createHypernet(model.ctx, model, config);
  const trainer = new EditorTrainer(
    model,
    net,
    { ...DEFAULT_OPTIMIZER, lr: o.lr },
    { lambdas: o.lambdas, beta: o.beta },
    o.seed,
  );
  trainer.reserve(o.batch, maxSequenceLength(train));
  await trainer.warmUp(longestSamples(train, o.batch));
  const validator = new EditorValidator(model, net, trainer.capture, trainer.swap);
  const curve: CurvePoint[] = [];
  const history: { step: number; scores: EditScores }[] = [];
  const loop = { steps: o.steps, batch: o.batch, seed: o.seed, validateEvery: 0, checkpointEvery: o.steps };
  await runEditorTraining(trainer, validator, train, val, loop, curve, history);
  const tail = curve.slice(-Math.max(1, Math.round(curve.length / 10)));
  const scores = history.at(-1)!.scores;
  validator.destroy();
  trainer.destroy();
  net.destroy();
  return {
    lm: o.lm,
    beta: o.beta,
    scores,
    score: (scores.reliability + scores.generality + scores.locality) / 3,
    finalLoss: tail.reduce((a, p) => a + p.loss, 0) / tail.length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

async function write(out: string, common: object, runs: SweepRun[]): Promise<void> {
  await mkdir(out, { recursive: true });
  const b = best(runs);
  await writeFile(
    join(out, 'sweep-ibke.json'),
    JSON.stringify({ settings: common, best: b, runs }, null, 2) + '\n',
  );
  const pct = (x: number) => (100 * x).toFixed(1);
  const rows = runs.map(
    (r) =>
      `| ${r.lm} | ${r.beta} | ${pct(r.scores.reliability)} | ${pct(r.scores.generality)} | ${pct(r.scores.locality)} | ${r.scores.kl.toFixed(4)} | ${pct(r.score)} | ${r.finalLoss.toFixed(4)} | ${r.seconds} |`,
  );
  const md = [
    '# IBKE sweep: latent length l_m and IB weight β',
    '',
    `Short runs (${JSON.stringify(common)}), scored on ${runs[0]?.scores.edits ?? 0} validation edits. ` +
      'Score = mean of reliability, generality and locality (%). Generated by tools/sweep-ibke.ts.',
    '',
    '| l_m | β | reliability | generality | locality | KL(pre‖post) | score | final train loss | seconds |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Best: l_m = ${b.lm}, β = ${b.beta}.`,
    '',
  ].join('\n');
  await writeFile(join(out, 'sweep-ibke.md'), md);
}

function best(runs: SweepRun[]): SweepRun {
  return runs.reduce((a, b) => (b.score > a.score ? b : a));
}

function numberList(text: string | undefined, fallback: number[], name: string): number[] {
  if (text === undefined) return fallback;
  const list = text.split(',').map(Number);
  if (list.length === 0 || list.some((x) => !Number.isFinite(x) || x < 0))
    throw new UsageError(`--${name} must be a comma-separated list of non-negative numbers (got "${text}").`);
  return list;
}

function fmt(r: SweepRun): string {
  const s = r.scores;
  return `rel ${(100 * s.reliability).toFixed(1)}%, gen ${(100 * s.generality).toFixed(1)}%, loc ${(100 * s.locality).toFixed(1)}%, score ${(100 * r.score).toFixed(1)}%, ${r.seconds}s`;
}

function log(line: string): void {
  process.stderr.write(`[sweep-ibke] ${line}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`sweep-ibke: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
