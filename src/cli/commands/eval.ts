// `editscope eval`: edits a model with one method over a dataset's records and reports honest scores
// (src/eval/metrics.ts): token accuracy and exact match for reliability and generality, each beside the
// unedited model's score on the same probes (the floor); locality split by probe kind with the mean drop of the
// true answer's probability; the update size ‖ΔW‖/‖W‖; KL and latency.
// Default: one edit at a time, each reverted before the next. --sequential: the edits are applied in turn and
// never reverted (src/eval/sequential.ts), with retention, generality and locality against the unedited model
// at checkpoints; a fixed set of unrelated facts (cases after the edited ones, other subjects) is read too.
// Reads our EasyEdit benchmark and the real formats (CounterFact, ZsRE, MQuAKE, ROME's known_1000, parquet).

import { readFile, writeFile } from 'node:fs/promises';
import { readEditCases } from '../../eval/datasets/index.ts';
import { aggregateHonest, scoreHonest, type HonestScores, type HonestSummary } from '../../eval/metrics.ts';
import { honestReadings, prepareProbes, readProbes, type ProbeModel } from '../../eval/probing.ts';
import { spreadSample } from '../../eval/spread.ts';
import { keepRelations, parseRelations } from '../relations-option.ts';
import type { EditCase } from '../../eval/types.ts';
import { updateSize, type FactorDelta } from '../../eval/update-size.ts';
import {
  METHOD_SETTING_KEYS,
  type EditMetrics,
  type MethodName,
  type MethodSettings,
} from '../../engine/types.ts';
import type { EditSession } from '../../engine/session.ts';
import { intOption, parse, requireString, UsageError } from '../args.ts';
import { loadLanguageModelDir } from '../engine.ts';
import { editorOverride, openSession, parseMethod } from './edit.ts';
import { gpuProbeModel, weightNorms } from '../../engine/probe-model.ts';
import { runSequentialOnSession, type SequentialSummary } from '../../engine/sequential-run.ts';

export { unrelatedProbes, type SequentialSummary } from '../../engine/sequential-run.ts';

const USAGE =
  'editscope eval --model DIR --method ft|rome|mend|ibke|ultraedit|alphaedit --data FILE [--limit N | --spread N] [--sequential [--checkpoints 1,2,5,...] [--unrelated K]] [--relations capital,language] [--settings JSON] [--editor DIR] [--out FILE] [--json]';

export interface EvalSummary extends EditMetrics {
  method: MethodName;
  edits: number;
  failed: number;
  latencyMs: number;
  /** Every honest score (exact match, floors, locality split, p(true) drop, update size). */
  honest: HonestSummary;
}

/** The probes and weight norms of one model, read before any edit. */
export interface EvalModel {
  probes: ProbeModel;
  weightNorm: (param: string) => number;
}

export async function evalModel(session: EditSession): Promise<EvalModel> {
  const { model, tokenizer } = session.view;
  return { probes: gpuProbeModel(model, tokenizer), weightNorm: await weightNorms(model) };
}

/** The patch an edit added to the session (its factors give the update size). */
function patchDeltas(session: EditSession, editId: string): readonly FactorDelta[] {
  return session.stack.patches.find((p) => p.id === editId)?.deltas ?? [];
}

const requestOf = (c: EditCase) => ({ prompt: c.prompt, subject: c.subject, target: c.target });

/** One edit at a time, each reverted before the next. */
export async function evaluate(
  session: EditSession,
  method: MethodName,
  cases: EditCase[],
  onEdit?: (i: number) => void,
  m?: EvalModel,
  settings?: MethodSettings,
): Promise<EvalSummary> {
  const { probes: model, weightNorm } = m ?? (await evalModel(session));
  const scores: HonestScores[] = [];
  let kl = 0;
  let klCount = 0;
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    onEdit?.(i);
    try {
      const probes = await prepareProbes(model, c);
      const [before] = await readProbes(model, [probes]);
      // The session reads the locality prompts' next-token distributions before and after: KL(pre ‖ post).
      const o = await session.edit({
        request: requestOf(c),
        method,
        settings,
        gen: [],
        loc: c.loc.map((l) => l.prompt),
        skipContinuation: true,
      });
      try {
        const [after] = await readProbes(model, [probes]);
        const size = updateSize(patchDeltas(session, o.editId), weightNorm).max;
        scores.push(
          scoreHonest(honestReadings(probes, before, after, { updateSize: size, latencyMs: o.latencyMs })),
        );
        if (c.loc.length > 0) {
          kl += o.metrics.kl;
          klCount++;
        }
      } finally {
        session.revert(o.editId);
      }
    } catch (e) {
      failed++;
      process.stderr.write(`[eval] ${c.id}: ${(e as Error).message}\n`);
    }
  }
  const honest = aggregateHonest(scores);
  const nan = (x: number | null) => x ?? NaN;
  return {
    method,
    edits: scores.length,
    failed,
    reliability: nan(honest.reliability),
    generality: nan(honest.generality),
    locality: nan(honest.locality),
    kl: klCount ? kl / klCount : NaN,
    latencyMs: nan(honest.latencyMs),
    honest,
  };
}

/** Every edit applied in turn without reverting (src/engine/sequential-run.ts); the session is reset afterwards. */
export async function evaluateSequential(
  session: EditSession,
  method: MethodName,
  cases: EditCase[],
  unrelatedPool: EditCase[],
  opts: {
    unrelated: number;
    checkpoints?: number[];
    onEdit?: (i: number) => void;
    settings?: MethodSettings;
  },
): Promise<SequentialSummary> {
  try {
    return await runSequentialOnSession(session, method, cases, unrelatedPool, {
      ...opts,
      onFailure: (c, e) => process.stderr.write(`[eval] ${c.id}: ${e.message}\n`),
    });
  } finally {
    session.reset();
  }
}

/** --settings '{"lr": 0.01}': the method settings every edit gets (a JSON object of numbers). */
export function parseSettings(text: string | undefined): MethodSettings | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--settings must be a JSON object such as '{"steps": 20}' (got "${text}").`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new UsageError(`--settings must be a JSON object such as '{"steps": 20}' (got "${text}").`);
  for (const [k, v] of Object.entries(json)) {
    // An unknown key would be ignored silently (e.g. an editor option that is not a per-edit setting).
    if (!(METHOD_SETTING_KEYS as readonly string[]).includes(k))
      throw new UsageError(
        `--settings: "${k}" is not a method setting; the settings are ${METHOD_SETTING_KEYS.join(', ')}.`,
      );
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new UsageError(`--settings: "${k}" must be a number (got ${JSON.stringify(v)}).`);
  }
  return json as MethodSettings;
}

function parseCheckpoints(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(
      `--checkpoints must be a comma-separated list of positive integers (got "${text}").`,
    );
  return list;
}

const pct = (x: number | null | undefined) =>
  x === null || x === undefined || Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;

function oneAtATimeText(s: EvalSummary): string {
  const h = s.honest;
  return [
    `${s.method.toUpperCase()} on ${s.edits} edits (${s.failed} failed), one at a time`,
    `  reliability ${pct(h.reliability)} tokens, ${pct(h.reliabilityExact)} exact (unedited: ${pct(h.reliabilityFloor)}, ${pct(h.reliabilityExactFloor)})`,
    `  generality  ${pct(h.generality)} tokens, ${pct(h.generalityExact)} exact (unedited: ${pct(h.generalityFloor)}, ${pct(h.generalityExactFloor)})`,
    `  locality    ${pct(h.locality)} (same subject ${pct(h.localitySameSubject)}, same relation ${pct(h.localitySameRelation)}, other ${pct(h.localityOther)}), KL ${Number.isNaN(s.kl) ? 'n/a' : s.kl.toFixed(4)}`,
    `  p(true answer) on locality probes ${pct(h.trueProbBefore)} → ${pct(h.trueProbAfter)} (mean drop ${pct(h.trueProbDrop)})`,
    `  update size ‖ΔW‖/‖W‖ mean ${h.updateSize?.toFixed(4) ?? 'n/a'}, max ${h.updateSizeMax?.toFixed(4) ?? 'n/a'}; ${s.latencyMs.toFixed(0)} ms per edit`,
  ].join('\n');
}

function sequentialText(s: SequentialSummary): string {
  return [
    `${s.method.toUpperCase()}, ${s.edits} edits in sequence (${s.failed} failed), ${s.unrelatedFacts} unrelated facts`,
    '     N  retention (exact)  generality (exact)  locality  unrelated  ‖ΣΔW‖/‖W‖',
    ...s.curve.map(
      (p) =>
        `${String(p.n).padStart(6)}  ${pct(p.retention).padStart(6)} (${pct(p.retentionExact)})  ${pct(p.generality).padStart(6)} (${pct(p.generalityExact)})  ${pct(p.locality).padStart(8)}  ${pct(p.unrelated).padStart(9)}  ${p.updateSize?.toFixed(3) ?? 'n/a'}`,
    ),
    `floor (unedited): reliability ${pct(s.reliabilityFloor)}, generality ${pct(s.generalityFloor)}; right after each edit: ${pct(s.immediateReliability)}`,
  ].join('\n');
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      model: { type: 'string' },
      method: { type: 'string' },
      data: { type: 'string' },
      limit: { type: 'string' },
      spread: { type: 'string' },
      sequential: { type: 'boolean' },
      checkpoints: { type: 'string' },
      unrelated: { type: 'string' },
      out: { type: 'string' },
      settings: { type: 'string' },
      editor: { type: 'string' },
      relations: { type: 'string' },
    },
    USAGE,
  );
  const method = parseMethod(values, USAGE);
  const file = requireString(values, 'data', USAGE);
  const limit = intOption(values, 'limit', 1_000_000, 1, 1_000_000);
  const unrelated = intOption(values, 'unrelated', 100, 0, 100_000);
  const checkpoints = parseCheckpoints(values.checkpoints as string | undefined);
  const settings = parseSettings(values.settings as string | undefined);
  const all = keepRelations(
    await readEditCases(new Uint8Array(await readFile(file)), file),
    parseRelations(values.relations as string | undefined),
    file,
  );
  if (values.limit !== undefined && values.spread !== undefined)
    throw new UsageError(
      'Give --limit (the first N records) or --spread (N spread over the file), not both.',
    );
  const { picked: cases, rest } =
    values.spread === undefined
      ? { picked: all.slice(0, limit), rest: all.slice(limit) }
      : spreadSample(all, intOption(values, 'spread', 100, 1, 1_000_000));
  const session = await openSession(
    await loadLanguageModelDir(requireString(values, 'model', USAGE)),
    editorOverride(values, method, USAGE),
  );
  const progress = (i: number) => {
    if (i % 10 === 0) process.stderr.write(`[eval] ${method} ${i}/${cases.length}\n`);
  };
  const result = values.sequential
    ? await evaluateSequential(session, method, cases, rest, {
        unrelated,
        checkpoints,
        onEdit: progress,
        settings,
      })
    : await evaluate(session, method, cases, progress, undefined, settings);
  const json = JSON.stringify(result);
  if (typeof values.out === 'string') await writeFile(values.out, json + '\n');
  process.stdout.write(
    values.json ? json + '\n' : ('curve' in result ? sequentialText(result) : oneAtATimeText(result)) + '\n',
  );
}
