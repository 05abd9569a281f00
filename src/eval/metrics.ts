// Knowledge-editing metrics as /work/shared/method.md defines them, as pure functions over model outputs. The
// evaluator runs the model teacher-forced on prompt ⊕ completion and hands in, for each probe, the argmax token
// id at every completion position (and, for locality, the next-token distributions there); nothing here touches
// a model or a GPU.
//
// - Reliability of an edit: mean over target positions t of [argmax p_θ'(· | q_e, o_e[<t]) = o_e[t]].
// - Generality: the same on each generality probe (its own target, or o_e), averaged over probes.
// - Locality: on each locality probe, teacher-forced on its answer a, the mean over positions of
//   [argmax_post = argmax_pre], averaged over probes.
// - KL(pre ‖ post): per locality probe the mean over positions of KL of the next-token distributions, averaged
//   over probes. Natural log (nats), float64 accumulation, q floored at KL_PROB_FLOOR (see klDivergence).
// Every per-probe mean weighs probes equally (as EasyEdit does), however many tokens each has.

/** Teacher-forced argmax ids at a completion's positions, and the ids they should equal. */
export interface TokenMatch {
  /** (T,) argmax token id at each completion position. */
  predicted: ArrayLike<number>;
  /** (T,) the completion's token ids. */
  target: ArrayLike<number>;
}

/** One locality probe, teacher-forced on its answer a, read before and after the edit. */
export interface LocalityReading {
  /** (T,) pre-edit argmax id at each position of a. */
  pre: ArrayLike<number>;
  /** (T,) post-edit argmax id at each position of a. */
  post: ArrayLike<number>;
  /** (T, V) pre-edit next-token probabilities at those positions; with `postProbs`, enables KL. */
  preProbs?: readonly ArrayLike<number>[];
  /** (T, V) post-edit next-token probabilities. */
  postProbs?: readonly ArrayLike<number>[];
}

export interface EditReadings {
  id?: string;
  /** The edit prompt itself, with the new target. */
  edit: TokenMatch;
  generality: readonly TokenMatch[];
  locality: readonly LocalityReading[];
  /** Wall time of applying the edit. */
  latencyMs?: number;
}

export interface EditScores {
  id?: string;
  reliability: number;
  /** null when the edit has no generality probe. */
  generality: number | null;
  /** null when the edit has no locality probe. */
  locality: number | null;
  /** null unless every locality probe carries distributions (and there is at least one). */
  kl: number | null;
  latencyMs?: number;
}

export interface MetricsSummary {
  /** Number of edits scored. */
  edits: number;
  /** Means over edits; null when no edit contributes (e.g. a dataset without generality probes). */
  reliability: number | null;
  generality: number | null;
  locality: number | null;
  kl: number | null;
  latencyMs: number | null;
  /** How many edits each mean is over (edits without such probes are left out, not counted as 0). */
  counts: { reliability: number; generality: number; locality: number; kl: number; latency: number };
}

/** Probabilities below this are raised to it inside the log of KL, so an underflowed q gives a large, finite KL. */
export const KL_PROB_FLOOR = 1e-30;

/** Mean over positions of [predicted[t] === target[t]]; the arrays must have the same, non-zero length. */
export function tokenAccuracy(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  if (predicted.length !== target.length)
    throw new RangeError(
      `tokenAccuracy: ${predicted.length} predictions for ${target.length} target tokens.`,
    );
  if (target.length === 0) throw new RangeError('tokenAccuracy: the completion has no tokens to score.');
  let same = 0;
  for (let t = 0; t < target.length; t++) if (predicted[t] === target[t]) same++;
  return same / target.length;
}

/**
 * KL(p ‖ q) = Σ_i p_i (ln p_i − ln q_i) in nats, over two next-token distributions of the same length
 * (torch.nn.functional.kl_div(log q, p, reduction='sum')). Terms with p_i = 0 are 0; q_i is floored at
 * KL_PROB_FLOOR; the float64 sum is clamped at 0, since float32 distributions that each sum to 1 ± 1e-7 can
 * otherwise give −1e-9 for identical inputs. NaN, infinite or negative entries throw.
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length)
    throw new RangeError(`klDivergence: distributions of ${p.length} and ${q.length} entries.`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const qi = q[i];
    if (!(pi >= 0 && qi >= 0 && pi !== Infinity && qi !== Infinity))
      throw new RangeError(`klDivergence: entry ${i} is not a probability (p = ${pi}, q = ${qi}).`);
    if (pi > 0) kl += pi * (Math.log(pi) - Math.log(Math.max(qi, KL_PROB_FLOOR)));
  }
  return Math.max(0, kl);
}

/** Mean over positions of KL(pre_t ‖ post_t); (T, V) each, T > 0. */
export function meanKl(pre: readonly ArrayLike<number>[], post: readonly ArrayLike<number>[]): number {
  if (pre.length !== post.length)
    throw new RangeError(`meanKl: ${pre.length} pre-edit and ${post.length} post-edit distributions.`);
  if (pre.length === 0) throw new RangeError('meanKl: no positions to compare.');
  let sum = 0;
  for (let t = 0; t < pre.length; t++) sum += klDivergence(pre[t], post[t]);
  return sum / pre.length;
}

/** Reliability, generality, locality and KL of one edit (see the header for the definitions). */
export function scoreEdit(r: EditReadings): EditScores {
  const locality = r.locality.map((l) => tokenAccuracy(l.post, l.pre));
  const withKl = r.locality.every((l) => l.preProbs !== undefined && l.postProbs !== undefined);
  const kl = withKl ? r.locality.map((l) => meanKl(l.preProbs!, l.postProbs!)) : [];
  const scores: EditScores = {
    reliability: tokenAccuracy(r.edit.predicted, r.edit.target),
    generality: meanOrNull(r.generality.map((g) => tokenAccuracy(g.predicted, g.target))),
    locality: meanOrNull(locality),
    kl: meanOrNull(kl),
  };
  if (r.id !== undefined) scores.id = r.id;
  if (r.latencyMs !== undefined) scores.latencyMs = r.latencyMs;
  return scores;
}

/** Means over edits; each metric over the edits that have it. */
export function aggregate(scores: readonly EditScores[]): MetricsSummary {
  const present = (xs: (number | null | undefined)[]) =>
    xs.filter((x): x is number => x !== null && x !== undefined);
  const reliability = present(scores.map((s) => s.reliability));
  const generality = present(scores.map((s) => s.generality));
  const locality = present(scores.map((s) => s.locality));
  const kl = present(scores.map((s) => s.kl));
  const latency = present(scores.map((s) => s.latencyMs));
  return {
    edits: scores.length,
    reliability: meanOrNull(reliability),
    generality: meanOrNull(generality),
    locality: meanOrNull(locality),
    kl: meanOrNull(kl),
    latencyMs: meanOrNull(latency),
    counts: {
      reliability: reliability.length,
      generality: generality.length,
      locality: locality.length,
      kl: kl.length,
      latency: latency.length,
    },
  };
}

function meanOrNull(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

// ---- Chart helpers: top-k bars, the rank of the old and new answer, p(o_e) ----
// Order everywhere: higher probability first, ties broken by the lower token id, so that
// topK(p, k)[rankOf(p, id) - 1].id === id whenever rankOf(p, id) <= k.

export interface TokenProbability {
  id: number;
  prob: number;
}

/** 1-based rank of token `id` in a (V,) distribution: 1 + #{j : p_j > p_id, or p_j = p_id and j < id}. */
export function rankOf(probs: ArrayLike<number>, id: number): number {
  if (!Number.isInteger(id) || id < 0 || id >= probs.length)
    throw new RangeError(`rankOf: token id ${id} is outside the vocabulary of ${probs.length}.`);
  const p = probs[id];
  if (Number.isNaN(p)) throw new RangeError(`rankOf: the probability of token ${id} is NaN.`);
  let rank = 1;
  for (let j = 0; j < probs.length; j++) if (probs[j] > p || (probs[j] === p && j < id)) rank++;
  return rank;
}

/**
 * The k most probable tokens of a (V,) distribution, most probable first, ties by lower id. One pass with a
 * sorted buffer of k entries (O(V log k) compares + O(k) inserts), no full sort of V entries. NaN throws.
 */
export function topK(probs: ArrayLike<number>, k: number): TokenProbability[] {
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`topK: k must be a non-negative integer, got ${k}.`);
  const keep = Math.min(k, probs.length);
  const top: TokenProbability[] = [];
  if (keep === 0) return top;
  for (let id = 0; id < probs.length; id++) {
    const prob = probs[id];
    if (Number.isNaN(prob)) throw new RangeError(`topK: the probability of token ${id} is NaN.`);
    // Ids arrive in increasing order, so an equal probability already kept has the lower id and stays ahead.
    if (top.length === keep && prob <= top[keep - 1].prob) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (top[mid].prob >= prob) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, { id, prob });
    if (top.length > keep) top.pop();
  }
  return top;
}

/**
 * p(o) of a multi-token completion, teacher-forced: Π_t dists[t][target[t]] with (T, V) distributions, computed
 * as exp(Σ ln) so long targets do not underflow early. A zero probability gives 0.
 */
export function sequenceProbability(dists: readonly ArrayLike<number>[], target: ArrayLike<number>): number {
  if (dists.length !== target.length)
    throw new RangeError(
      `sequenceProbability: ${dists.length} distributions for ${target.length} target tokens.`,
    );
  if (target.length === 0) throw new RangeError('sequenceProbability: the completion has no tokens.');
  let logP = 0;
  for (let t = 0; t < target.length; t++) {
    const id = target[t];
    if (!Number.isInteger(id) || id < 0 || id >= dists[t].length)
      throw new RangeError(
        `sequenceProbability: token id ${id} is outside the vocabulary of ${dists[t].length}.`,
      );
    logP += Math.log(dists[t][id]);
  }
  return Math.exp(logP);
}

// ---- Honest scores (issue 13): exact match beside token accuracy, the unedited model's floor, the locality
// split and the true answer's probability. Token accuracy gives partial credit on multi-token targets, and an
// edit whose probes the model already half-answers looks like a success: every score comes with its floor.

/** 1 when every target position's argmax is the target token, else 0 (same length rules as tokenAccuracy). */
export function exactMatch(predicted: ArrayLike<number>, target: ArrayLike<number>): number {
  return tokenAccuracy(predicted, target) === 1 ? 1 : 0;
}

/** Which locality probes a kind names: same subject / other relation, same relation / other subject, or other. */
export type LocalityGroup = 'sameSubject' | 'sameRelation' | 'other';

const SAME_SUBJECT_KINDS = new Set(['same_subject', 'same-subject', 'other_relation', 'other-relation']);
const SAME_RELATION_KINDS = new Set([
  'neighborhood', // CounterFact's neighborhood_prompts and our fact-world splits: other subjects, same relation
  'attribute', // CounterFact's attribute_prompts: other subjects whose true answer is the new target
  'same_relation',
  'same-relation',
  'other_subject',
  'other-subject',
]);

export function localityGroup(kind: string | undefined): LocalityGroup {
  if (kind !== undefined && SAME_SUBJECT_KINDS.has(kind)) return 'sameSubject';
  if (kind !== undefined && SAME_RELATION_KINDS.has(kind)) return 'sameRelation';
  return 'other';
}

/** A probe read teacher-forced on the unedited model (the floor) and on the edited one. */
export interface ForcedPair {
  before: TokenMatch;
  after: TokenMatch;
}

/** A locality probe teacher-forced on its answer a, with p(a) before and after when known. */
export interface LocalityPair {
  kind?: string;
  /** (T,) argmax at each position of a: unedited model, edited model. */
  pre: ArrayLike<number>;
  post: ArrayLike<number>;
  /** p(a) under the unedited and the edited model (teacher-forced product over a's tokens). */
  pBefore?: number;
  pAfter?: number;
}

export interface HonestReadings {
  id?: string;
  edit: ForcedPair;
  generality: readonly ForcedPair[];
  locality: readonly LocalityPair[];
  /** max over the patch's matrices of ‖ΔW‖_F / ‖W‖_F (see update-size.ts). */
  updateSize?: number;
  latencyMs?: number;
}

/** One probe set's score: token accuracy and exact match, after the edit and on the unedited model. */
export interface ProbeScore {
  tokenAccuracy: number;
  exactMatch: number;
  floorTokenAccuracy: number;
  floorExactMatch: number;
}

export interface HonestScores {
  id?: string;
  reliability: ProbeScore;
  generality: ProbeScore | null;
  /** Token-level locality over all probes and per group (null: no such probe). */
  locality: number | null;
  localitySameSubject: number | null;
  localitySameRelation: number | null;
  localityOther: number | null;
  /** Mean p(true answer) over locality probes before / after the edit, and the mean drop (before − after). */
  trueProbBefore: number | null;
  trueProbAfter: number | null;
  trueProbDrop: number | null;
  updateSize: number | null;
  latencyMs: number | null;
}

function probeScore(pairs: readonly ForcedPair[]): ProbeScore | null {
  if (pairs.length === 0) return null;
  const m = (f: (p: ForcedPair) => number) => meanOrNull(pairs.map(f))!;
  return {
    tokenAccuracy: m((p) => tokenAccuracy(p.after.predicted, p.after.target)),
    exactMatch: m((p) => exactMatch(p.after.predicted, p.after.target)),
    floorTokenAccuracy: m((p) => tokenAccuracy(p.before.predicted, p.before.target)),
    floorExactMatch: m((p) => exactMatch(p.before.predicted, p.before.target)),
  };
}

/** Every honest score of one edit; each probe weighs the same within its set. */
export function scoreHonest(r: HonestReadings): HonestScores {
  const loc = (group?: LocalityGroup) =>
    meanOrNull(
      r.locality
        .filter((l) => group === undefined || localityGroup(l.kind) === group)
        .map((l) => tokenAccuracy(l.post, l.pre)),
    );
  const withP = r.locality.filter((l) => l.pBefore !== undefined && l.pAfter !== undefined);
  const pBefore = meanOrNull(withP.map((l) => l.pBefore!));
  const pAfter = meanOrNull(withP.map((l) => l.pAfter!));
  const s: HonestScores = {
    reliability: probeScore([r.edit])!,
    generality: probeScore(r.generality),
    locality: loc(),
    localitySameSubject: loc('sameSubject'),
    localitySameRelation: loc('sameRelation'),
    localityOther: loc('other'),
    trueProbBefore: pBefore,
    trueProbAfter: pAfter,
    trueProbDrop: pBefore === null || pAfter === null ? null : pBefore - pAfter,
    updateSize: r.updateSize ?? null,
    latencyMs: r.latencyMs ?? null,
  };
  if (r.id !== undefined) s.id = r.id;
  return s;
}

/** Means over edits of every honest score (each over the edits that have it), in a flat record for JSON. */
export interface HonestSummary {
  edits: number;
  reliability: number | null;
  reliabilityExact: number | null;
  reliabilityFloor: number | null;
  reliabilityExactFloor: number | null;
  generality: number | null;
  generalityExact: number | null;
  generalityFloor: number | null;
  generalityExactFloor: number | null;
  locality: number | null;
  localitySameSubject: number | null;
  localitySameRelation: number | null;
  localityOther: number | null;
  trueProbBefore: number | null;
  trueProbAfter: number | null;
  trueProbDrop: number | null;
  updateSize: number | null;
  /** The largest single edit's update size. */
  updateSizeMax: number | null;
  latencyMs: number | null;
}

export function aggregateHonest(scores: readonly HonestScores[]): HonestSummary {
  const m = (f: (s: HonestScores) => number | null | undefined) =>
    meanOrNull(scores.map(f).filter((x): x is number => x !== null && x !== undefined));
  const sizes = scores.map((s) => s.updateSize).filter((x): x is number => x !== null);
  return {
    edits: scores.length,
    reliability: m((s) => s.reliability.tokenAccuracy),
    reliabilityExact: m((s) => s.reliability.exactMatch),
    reliabilityFloor: m((s) => s.reliability.floorTokenAccuracy),
    reliabilityExactFloor: m((s) => s.reliability.floorExactMatch),
    generality: m((s) => s.generality?.tokenAccuracy),
    generalityExact: m((s) => s.generality?.exactMatch),
    generalityFloor: m((s) => s.generality?.floorTokenAccuracy),
    generalityExactFloor: m((s) => s.generality?.floorExactMatch),
    locality: m((s) => s.locality),
    localitySameSubject: m((s) => s.localitySameSubject),
    localitySameRelation: m((s) => s.localitySameRelation),
    localityOther: m((s) => s.localityOther),
    trueProbBefore: m((s) => s.trueProbBefore),
    trueProbAfter: m((s) => s.trueProbAfter),
    trueProbDrop: m((s) => s.trueProbDrop),
    updateSize: m((s) => s.updateSize),
    updateSizeMax: sizes.length === 0 ? null : Math.max(...sizes),
    latencyMs: m((s) => s.latencyMs),
  };
}
