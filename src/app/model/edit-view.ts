// What the result view shows for one applied edit, and which model state that is. An edit's readings were
// measured on the model right after it was applied; once another edit is undone or added, the model is a
// different one, so the view says which state its numbers come from, and a re-reading (worker `measure`)
// replaces the "after" side with the current model. Probes the user removed from an edit drop out of its
// cards and of its metrics. Pure functions over plain data.

import type { EditMetrics, EditOutcome, ProbeReading } from '../../engine/types.ts';
import type { MeasureResult, NowReading } from '../../worker/measure.ts';
import type { AppliedEdit } from '../store/types.ts';

export type ReadingState =
  { kind: 'fresh' } | { kind: 'stale'; added: string[]; removed: string[] } | { kind: 'reread' };

export interface EditView {
  state: ReadingState;
  /** The model state the readings' "after" side describes (edit ids, in order). */
  at: string[];
  prompt: ProbeReading;
  gen: ProbeReading[];
  loc: ProbeReading[];
  metrics: EditMetrics;
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

function withNow(r: ProbeReading, now: NowReading | undefined): ProbeReading {
  if (!now) return r;
  return {
    ...r,
    after: now.top,
    target: r.target && {
      ...r.target,
      probAfter: now.target.prob,
      rankAfter: now.target.rank,
    },
    success: now.accuracy === 1,
    kl: undefined,
  };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Metrics over the readings shown: the engine's own numbers when nothing was dropped or re-read. */
function metricsOf(o: EditOutcome, gen: ProbeReading[], loc: ProbeReading[], reread: MeasureResult | null) {
  if (reread) {
    const acc = (list: NowReading[], kept: ProbeReading[]) =>
      mean(list.filter((n) => kept.some((k) => k.text === n.text)).map((n) => n.accuracy));
    return {
      reliability: reread.prompt.accuracy,
      generality: acc(reread.gen, gen),
      locality: acc(reread.loc, loc),
      kl: NaN,
      // The unedited model's floor and this edit's own update size do not depend on the model state re-read.
      reliabilityFloor: o.metrics.reliabilityFloor,
      updateSize: o.metrics.updateSize,
    };
  }
  if (gen.length === o.gen.length && loc.length === o.loc.length) return o.metrics;
  // A probe was removed: its share leaves the mean (success is all target tokens right, as the engine scores).
  const share = (xs: ProbeReading[]) => mean(xs.map((r) => (r.success ? 1 : 0)));
  const kls = loc.map((r) => r.kl).filter((k): k is number => k !== undefined);
  const sameGen = gen.length === o.gen.length;
  return {
    reliability: o.metrics.reliability,
    reliabilityExact: o.metrics.reliabilityExact,
    reliabilityFloor: o.metrics.reliabilityFloor,
    updateSize: o.metrics.updateSize,
    ...(sameGen
      ? { generalityExact: o.metrics.generalityExact, generalityFloor: o.metrics.generalityFloor }
      : {}),
    generality: sameGen ? o.metrics.generality : share(gen),
    locality: loc.length === o.loc.length ? o.metrics.locality : share(loc),
    kl: loc.length === o.loc.length ? o.metrics.kl : mean(kls),
  };
}

/** The view of `edit` when the engine's applied edits are `current` (ids in order). */
export function editView(edit: AppliedEdit, current: readonly string[]): EditView {
  const dropped: DroppedProbes = edit.dropped ?? {};
  const o = edit.outcome;
  const keep = (g: 'gen' | 'loc') => o[g].filter((r) => !(dropped[g] ?? []).includes(r.text));
  const gen = keep('gen');
  const loc = keep('loc');
  const fresh = same(edit.measuredAt, current);
  const reread = !fresh && edit.reread && same(edit.reread.at, current) ? edit.reread.result : null;
  const state: ReadingState = fresh
    ? { kind: 'fresh' }
    : reread
      ? { kind: 'reread' }
      : {
          kind: 'stale',
          added: current.filter((id) => !edit.measuredAt.includes(id)),
          removed: edit.measuredAt.filter((id) => !current.includes(id)),
        };
  const byText = (list: NowReading[] | undefined) => new Map((list ?? []).map((n) => [n.text, n]));
  const genNow = byText(reread?.gen);
  const locNow = byText(reread?.loc);
  const shownGen = gen.map((r) => withNow(r, genNow.get(r.text)));
  const shownLoc = loc.map((r) => withNow(r, locNow.get(r.text)));
  return {
    state,
    at: reread ? [...current] : edit.measuredAt,
    prompt: reread ? withNow(o.prompt, reread.prompt) : o.prompt,
    gen: shownGen,
    loc: shownLoc,
    metrics: metricsOf(o, gen, loc, reread),
  };
}

/** Probe texts removed from one edit's view, per group. */
export type DroppedProbes = Partial<Record<'gen' | 'loc', string[]>>;
