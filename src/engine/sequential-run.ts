// Lifelong editing on an engine session: src/eval/sequential.ts's runSequential bound to an EditSession (the
// GPU probes of probe-model.ts, the session's edits). One function for `editscope eval --sequential` and the
// playground's sequential view (src/worker/sequential.ts), so both report the same metrics from the same code.
// No Node imports here: the worker bundles this file.

import type { EditInput, EditSession } from './session.ts';
import type { EditOutcome, MethodName, MethodSettings } from './types.ts';
import type { ProbeModel } from '../eval/probing.ts';
import {
  DEFAULT_CHECKPOINTS,
  runSequential,
  type SequentialPoint,
  type SequentialResult,
  type UnrelatedProbe,
} from '../eval/sequential.ts';
import type { EditCase } from '../eval/types.ts';
import { gpuProbeModel, weightNorms } from './probe-model.ts';

export interface SequentialSummary extends SequentialResult {
  method: MethodName;
  mode: 'sequential';
  unrelatedFacts: number;
}

export interface SequentialRunOptions {
  /** How many unrelated facts (from `unrelatedPool`) locality also reads. */
  unrelated: number;
  checkpoints?: readonly number[];
  settings?: MethodSettings;
  /** Before edit i (0-based); a throw stops the run (a cancel), leaving the edits made so far applied. */
  onEdit?: (i: number, total: number) => void;
  onPoint?: (p: SequentialPoint) => void;
  /** Each edit the session now holds, as soon as it is applied (so a stopped run can still be undone). */
  onApplied?: (editId: string) => void;
  onFailure?: (c: EditCase, e: Error) => void;
  /** How an edit is made (default: session.edit); the worker's host records it for a device-loss replay. */
  edit?: (input: EditInput) => Promise<EditOutcome>;
}

/**
 * Up to `k` unrelated facts for a sequential run: cases outside the edited ones whose subject no edit touches,
 * each its prompt and true answer (the unedited model's greedy answer when the dataset gives none).
 */
export async function unrelatedProbes(
  model: ProbeModel,
  pool: readonly EditCase[],
  edited: readonly EditCase[],
  k: number,
): Promise<UnrelatedProbe[]> {
  const subjects = new Set(edited.map((c) => c.subject));
  const out: UnrelatedProbe[] = [];
  for (const c of pool) {
    if (out.length >= k) break;
    if (subjects.has(c.subject)) continue;
    subjects.add(c.subject); // one fact per subject
    const prompt = model.encode(c.prompt.trimEnd());
    const answer = c.groundTruth ? model.encode(c.groundTruth) : await model.greedy(prompt, 2);
    if (prompt.length > 0 && answer.length > 0) out.push({ prompt, answer });
  }
  return out;
}

/** Every edit applied in turn on the session, never reverted; the edits stay applied when it returns. */
export async function runSequentialOnSession(
  session: EditSession,
  method: MethodName,
  cases: readonly EditCase[],
  unrelatedPool: readonly EditCase[],
  opts: SequentialRunOptions,
): Promise<SequentialSummary> {
  const { model, tokenizer } = session.view;
  const probes = gpuProbeModel(model, tokenizer);
  const weightNorm = await weightNorms(model);
  const unrelated = await unrelatedProbes(probes, unrelatedPool, cases, opts.unrelated);
  const result = await runSequential(
    probes,
    {
      async apply(c) {
        const edit = opts.edit ?? ((input: EditInput) => session.edit(input));
        const o = await edit({
          request: { prompt: c.prompt, subject: c.subject, target: c.target },
          method,
          settings: opts.settings,
          gen: [],
          loc: [],
          skipContinuation: true,
        });
        opts.onApplied?.(o.editId);
        const deltas = session.stack.patches.find((p) => p.id === o.editId)?.deltas ?? [];
        return { latencyMs: o.latencyMs, deltas };
      },
    },
    cases,
    unrelated,
    {
      checkpoints: opts.checkpoints ?? DEFAULT_CHECKPOINTS,
      weightNorm,
      onProgress: opts.onEdit,
      onPoint: opts.onPoint,
      onFailure: opts.onFailure,
    },
  );
  return { method, mode: 'sequential', unrelatedFacts: unrelated.length, ...result };
}
