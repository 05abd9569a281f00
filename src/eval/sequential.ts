// Lifelong editing, measured as EasyEdit issue #643 asks: N edits applied in turn without reverting; at
// checkpoints, every earlier edit is read again (retention), with its generality probes, and locality is
// compared with the UNEDITED model's answers (not with the model just before the latest edit, which would hide
// damage that accumulates), on each edit's own locality probes and on a fixed set of unrelated facts.
// The model and the editor are interfaces: the CLI binds them to the GPU engine, the tests to fakes.

import type { EditCase } from './types.ts';
import { exactMatch, scoreHonest, tokenAccuracy, type HonestScores } from './metrics.ts';
import {
  honestReadings,
  prepareProbes,
  readProbes,
  type CaseProbes,
  type CaseReading,
  type Forced,
  type ProbeModel,
} from './probing.ts';
import { updateSize, type FactorDelta } from './update-size.ts';

/** Applies one edit on top of the earlier ones (never reverts them); throws when the edit cannot be made. */
export interface SequentialEditor {
  apply(c: EditCase): Promise<{ latencyMs: number; deltas: readonly FactorDelta[] }>;
}

/** EasyEdit-style checkpoints; the last edit is always measured too. */
export const DEFAULT_CHECKPOINTS = [1, 2, 5, 10, 20, 50, 100, 200];

export interface SequentialOptions {
  checkpoints?: readonly number[];
  /** ‖W‖_F of an edited matrix of the UNEDITED model; enables the cumulative update size. */
  weightNorm?: (param: string) => number;
  /** Called before each edit; a throw here (a cancel) stops the run and propagates (the edits made stay). */
  onProgress?: (done: number, total: number) => void;
  /** Called with each curve point as soon as it is measured (the playground charts the run live). */
  onPoint?: (point: SequentialPoint) => void;
  /** Called for an edit the editor refused (it is left out of every score). */
  onFailure?: (c: EditCase, e: Error) => void;
}

/** A locality probe outside the edited facts: a prompt and its answer (the unedited model is the reference). */
export interface UnrelatedProbe {
  prompt: number[];
  answer: number[];
}

export interface SequentialPoint {
  /** Edits applied so far (refused ones not counted). */
  n: number;
  /** Reliability of every edit so far, read now: token accuracy and exact match. */
  retention: number;
  retentionExact: number;
  generality: number | null;
  generalityExact: number | null;
  /** The edits' own locality probes, argmax now against the unedited model's, teacher-forced on their answers. */
  locality: number | null;
  localitySameSubject: number | null;
  localitySameRelation: number | null;
  /** The fixed unrelated facts, against the unedited model; and the mean p(answer) on them now. */
  unrelated: number | null;
  unrelatedTrueProb: number | null;
  /** ‖Σ ΔW‖/‖W‖ of all edits so far, the largest over matrices (null without weight norms). */
  updateSize: number | null;
}

export interface SequentialResult {
  edits: number;
  failed: number;
  /** Measured over all edits so far after the last one (the last curve point). */
  reliability: number | null;
  generality: number | null;
  locality: number | null;
  reliabilityExact: number | null;
  generalityExact: number | null;
  unrelated: number | null;
  /** Each edit's reliability right after it was applied, averaged (what one-at-a-time evaluation sees). */
  immediateReliability: number | null;
  /** The unedited model's reliability / generality on the same probes. */
  reliabilityFloor: number | null;
  generalityFloor: number | null;
  /** p(answer) of the unrelated facts on the unedited model. */
  unrelatedTrueProbBefore: number | null;
  latencyMs: number | null;
  curve: SequentialPoint[];
}

export async function runSequential(
  model: ProbeModel,
  editor: SequentialEditor,
  cases: readonly EditCase[],
  unrelated: readonly UnrelatedProbe[],
  options: SequentialOptions = {},
): Promise<SequentialResult> {
  const checkpoints = new Set(options.checkpoints ?? DEFAULT_CHECKPOINTS);
  const probes: CaseProbes[] = [];
  for (const c of cases) probes.push(await prepareProbes(model, c));
  const base = await readProbes(model, probes);
  const unrelatedBase = await forceUnrelated(model, unrelated);

  const applied: number[] = []; // indices into cases
  const deltas: FactorDelta[] = [];
  const immediate: number[] = [];
  const latencies: number[] = [];
  const curve: SequentialPoint[] = [];
  let failed = 0;
  let lastScores: HonestScores[] = [];

  const measure = async () => {
    const now = await readProbes(
      model,
      applied.map((i) => probes[i]),
    );
    lastScores = applied.map((i, k) => scoreHonest(honestReadings(probes[i], base[i], now[k])));
    const unrelatedNow = await forceUnrelated(model, unrelated);
    const mean = (xs: (number | null | undefined)[]) => meanOf(xs);
    const point: SequentialPoint = {
      n: applied.length,
      retention: mean(lastScores.map((s) => s.reliability.tokenAccuracy))!,
      retentionExact: mean(lastScores.map((s) => s.reliability.exactMatch))!,
      generality: mean(lastScores.map((s) => s.generality?.tokenAccuracy)),
      generalityExact: mean(lastScores.map((s) => s.generality?.exactMatch)),
      locality: mean(lastScores.map((s) => s.locality)),
      localitySameSubject: mean(lastScores.map((s) => s.localitySameSubject)),
      localitySameRelation: mean(lastScores.map((s) => s.localitySameRelation)),
      unrelated: mean(
        unrelated.map((_, j) => tokenAccuracy(unrelatedNow[j].predicted, unrelatedBase[j].predicted)),
      ),
      unrelatedTrueProb: mean(unrelatedNow.map((f) => product(f.probs))),
      updateSize: options.weightNorm ? updateSize(deltas, options.weightNorm).max : null,
    };
    curve.push(point);
    options.onPoint?.(point);
  };

  for (const [i, c] of cases.entries()) {
    options.onProgress?.(i, cases.length);
    let patch;
    try {
      patch = await editor.apply(c);
    } catch (e) {
      failed++;
      options.onFailure?.(c, e as Error);
      continue;
    }
    applied.push(i);
    deltas.push(...patch.deltas);
    latencies.push(patch.latencyMs);
    const [now] = await readProbes(model, [{ ...probes[i], gen: [], loc: [] }]);
    immediate.push(tokenAccuracy(now.edit.predicted, probes[i].target));
    if (checkpoints.has(applied.length)) await measure();
  }
  if (applied.length > 0 && curve.at(-1)?.n !== applied.length) await measure();

  const last = curve.at(-1);
  const floors = applied.map((i) => floorOf(probes[i], base[i]));
  return {
    edits: applied.length,
    failed,
    reliability: last?.retention ?? null,
    generality: last?.generality ?? null,
    locality: last?.locality ?? null,
    reliabilityExact: last?.retentionExact ?? null,
    generalityExact: last?.generalityExact ?? null,
    unrelated: last?.unrelated ?? null,
    immediateReliability: meanOf(immediate),
    reliabilityFloor: meanOf(floors.map((f) => f.reliability)),
    generalityFloor: meanOf(floors.map((f) => f.generality)),
    unrelatedTrueProbBefore: meanOf(unrelatedBase.map((f) => product(f.probs))),
    latencyMs: meanOf(latencies),
    curve,
  };
}

function floorOf(c: CaseProbes, r: CaseReading) {
  return {
    reliability: tokenAccuracy(r.edit.predicted, c.target),
    generality: meanOf(r.gen.map((g) => tokenAccuracy(g.predicted, c.target))),
    exact: exactMatch(r.edit.predicted, c.target),
  };
}

async function forceUnrelated(model: ProbeModel, probes: readonly UnrelatedProbe[]): Promise<Forced[]> {
  if (probes.length === 0) return [];
  return model.force(probes.map((p) => ({ prompt: p.prompt, completion: p.answer })));
}

function meanOf(xs: readonly (number | null | undefined)[]): number | null {
  const present = xs.filter((x): x is number => x !== null && x !== undefined);
  if (present.length === 0) return null;
  return present.reduce((a, b) => a + b, 0) / present.length;
}

function product(ps: readonly number[]): number {
  let logP = 0;
  for (const p of ps) logP += Math.log(p);
  return Math.exp(logP);
}
