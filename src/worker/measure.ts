// Re-reading an edit's probes on the model as it is now (after other edits were undone or added), so a chart
// never shows numbers from a model state that is gone. Same readings as EditSession.edit's "after" side: top-k,
// p(first target token) and its rank, and teacher-forced success (prompt and paraphrases: the target; locality
// probes: the answer they gave before the edit, passed in as token ids).

import { tokenizeRequest } from '../editors/request.ts';
import { rankOf, tokenAccuracy } from '../eval/metrics.ts';
import { readStates, teacherForcedArgmax } from '../engine/readings.ts';
import type { EditSession } from '../engine/session.ts';
import type { EditRequest, TokenProb } from '../engine/types.ts';

export interface MeasureInput {
  request: EditRequest;
  gen: string[];
  loc: string[];
  /** Per locality probe: the token ids of its answer before the edit. */
  locAnswers: number[][];
  k: number;
}

export interface NowReading {
  text: string;
  top: TokenProb[];
  target: { token: string; prob: number; rank: number };
  /** Share of the expected tokens the model now produces teacher-forced (1 = all). */
  accuracy: number;
}

export interface MeasureResult {
  prompt: NowReading;
  gen: NowReading[];
  loc: NowReading[];
}

export async function measureNow(session: EditSession, input: MeasureInput): Promise<MeasureResult> {
  const view = session.view;
  const req = tokenizeRequest(view, input.request);
  const genIds = input.gen.map((g) => session.encodePrompt(g));
  const locIds = input.loc.map((l) => session.encodePrompt(l));
  const prompts = [req.prompt, ...genIds, ...locIds];
  const states = await readStates(view, prompts, input.k);
  const expected = [
    ...[req.prompt, ...genIds].map(() => req.target),
    ...locIds.map((_, i) =>
      input.locAnswers[i]?.length ? input.locAnswers[i] : [states[1 + genIds.length + i].top[0].id],
    ),
  ];
  const forced = await teacherForcedArgmax(
    view.model,
    prompts.map((prompt, i) => ({ prompt, completion: expected[i] })),
  );
  const targetId = req.target[0];
  const token = view.tokenizer.tokenString(targetId);
  const texts = [input.request.prompt, ...input.gen, ...input.loc];
  const readings = texts.map((text, i): NowReading => ({
    text,
    top: states[i].top,
    target: { token, prob: states[i].dist[targetId], rank: rankOf(states[i].dist, targetId) },
    accuracy: tokenAccuracy(forced[i], expected[i]),
  }));
  return {
    prompt: readings[0],
    gen: readings.slice(1, 1 + genIds.length),
    loc: readings.slice(1 + genIds.length),
  };
}
