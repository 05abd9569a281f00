// Reading an edit case's probes, teacher-forced, on any model that can score completions: the floor (the
// unedited model) and the edited model read the same token sequences, so every honest score compares like with
// like. The model side is an interface (the CLI binds it to the GPU engine; tests bind it to a fake), so the
// bookkeeping here is plain code.

import type { EditCase } from './types.ts';
import type { ForcedPair, HonestReadings, LocalityPair } from './metrics.ts';

/** What the probes need from a model. Token ids throughout; the model's own tokenizer gives `encode`. */
export interface ProbeModel {
  encode(text: string): number[];
  /** Teacher-forced on prompt ⊕ completion: the argmax and p(completion token) at each completion position. */
  force(pairs: readonly { prompt: number[]; completion: number[] }[]): Promise<Forced[]>;
  /** n greedy tokens after the prompt (the answer of a locality probe the dataset gives none for). */
  greedy(prompt: number[], n: number): Promise<number[]>;
}

export interface Forced {
  predicted: number[];
  /** p(completion[t] | prompt ⊕ completion[<t]) at each position. */
  probs: number[];
}

/** A case's probes as token ids, fixed once (locality answers from the dataset, else the unedited model). */
export interface CaseProbes {
  id: string;
  prompt: number[];
  target: number[];
  gen: number[][];
  loc: { prompt: number[]; answer: number[]; kind?: string }[];
}

/** Tokenises a case; locality probes without an answer get the unedited model's greedy one (target's length). */
export async function prepareProbes(model: ProbeModel, c: EditCase): Promise<CaseProbes> {
  const target = model.encode(c.target);
  // Generality probes with a target of their own (MQuAKE's multi-hop answers) need the whole edit group: skipped.
  const gen = c.gen.filter((g) => g.target === undefined || g.target === c.target).map((g) => g.prompt);
  const loc = [];
  for (const l of c.loc) {
    const prompt = model.encode(l.prompt.trimEnd());
    const answer =
      l.answer !== undefined
        ? model.encode(l.answer)
        : await model.greedy(prompt, Math.max(1, target.length));
    if (prompt.length > 0 && answer.length > 0) loc.push({ prompt, answer, kind: l.kind });
  }
  return {
    id: c.id,
    prompt: model.encode(c.prompt.trimEnd()),
    target,
    gen: gen.map((g) => model.encode(g.trimEnd())).filter((g) => g.length > 0),
    loc,
  };
}

/** Every probe of every case, teacher-forced in one call (the model batches). */
export interface CaseReading {
  edit: Forced;
  gen: Forced[];
  loc: Forced[];
}

export async function readProbes(model: ProbeModel, cases: readonly CaseProbes[]): Promise<CaseReading[]> {
  const pairs = cases.flatMap((c) => [
    { prompt: c.prompt, completion: c.target },
    ...c.gen.map((prompt) => ({ prompt, completion: c.target })),
    ...c.loc.map((l) => ({ prompt: l.prompt, completion: l.answer })),
  ]);
  const forced = pairs.length === 0 ? [] : await model.force(pairs);
  let at = 0;
  return cases.map((c) => {
    const edit = forced[at++];
    const gen = c.gen.map(() => forced[at++]);
    const loc = c.loc.map(() => forced[at++]);
    return { edit, gen, loc };
  });
}

/** The before/after readings of one case as metrics.ts scores them. */
export function honestReadings(
  c: CaseProbes,
  before: CaseReading,
  after: CaseReading,
  extra: { updateSize?: number; latencyMs?: number } = {},
): HonestReadings {
  const pair = (b: Forced, a: Forced, target: number[]): ForcedPair => ({
    before: { predicted: b.predicted, target },
    after: { predicted: a.predicted, target },
  });
  const locality: LocalityPair[] = c.loc.map((l, i) => ({
    kind: l.kind,
    pre: before.loc[i].predicted,
    post: after.loc[i].predicted,
    pBefore: product(before.loc[i].probs),
    pAfter: product(after.loc[i].probs),
  }));
  return {
    id: c.id,
    edit: pair(before.edit, after.edit, c.target),
    generality: c.gen.map((_, i) => pair(before.gen[i], after.gen[i], c.target)),
    locality,
    ...extra,
  };
}

function product(ps: readonly number[]): number {
  let logP = 0;
  for (const p of ps) logP += Math.log(p);
  return Math.exp(logP);
}
