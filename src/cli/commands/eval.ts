// `editscope eval`: edits a model with one method over a dataset's records, one edit at a time (each reverted
// before the next), and reports mean reliability, generality, locality, KL and latency. Reads our EasyEdit
// benchmark and the real formats (CounterFact, ZsRE, MQuAKE, ROME's known_1000, the CounterFact parquet).

import { readFile } from 'node:fs/promises';
import { readEditCases } from '../../eval/datasets/index.ts';
import type { EditCase } from '../../eval/types.ts';
import type { EditMetrics, MethodName } from '../../engine/types.ts';
import type { EditSession } from '../../engine/session.ts';
import { intOption, parse, requireString } from '../args.ts';
import { loadModelDir } from '../engine.ts';
import { openSession, parseMethod } from './edit.ts';

const USAGE = 'editscope eval --model DIR --method ft|rome|mend|ibke --data FILE [--limit N] [--json]';

export interface EvalSummary extends EditMetrics {
  method: MethodName;
  edits: number;
  failed: number;
  latencyMs: number;
}

export async function evaluate(
  session: EditSession,
  method: MethodName,
  cases: EditCase[],
  onEdit?: (i: number) => void,
): Promise<EvalSummary> {
  const sums = { reliability: 0, generality: 0, locality: 0, kl: 0, latencyMs: 0 };
  const counts = { generality: 0, locality: 0 };
  let failed = 0;
  for (const [i, c] of cases.entries()) {
    onEdit?.(i);
    try {
      // Generality probes with a target of their own (MQuAKE's multi-hop answers) need the whole edit group: skip.
      const gen = c.gen.filter((g) => g.target === undefined || g.target === c.target).map((g) => g.prompt);
      const loc = c.loc.map((l) => l.prompt);
      const o = await session.edit({
        request: { prompt: c.prompt, subject: c.subject, target: c.target },
        method,
        gen,
        loc,
        skipContinuation: true,
      });
      session.revert(o.editId);
      sums.reliability += o.metrics.reliability;
      sums.latencyMs += o.latencyMs;
      if (gen.length) {
        sums.generality += o.metrics.generality;
        counts.generality++;
      }
      if (loc.length) {
        sums.locality += o.metrics.locality;
        sums.kl += o.metrics.kl;
        counts.locality++;
      }
    } catch (e) {
      failed++;
      process.stderr.write(`[eval] ${c.id}: ${(e as Error).message}\n`);
    }
  }
  const n = cases.length - failed;
  return {
    method,
    edits: n,
    failed,
    reliability: sums.reliability / n,
    generality: sums.generality / counts.generality,
    locality: sums.locality / counts.locality,
    kl: sums.kl / counts.locality,
    latencyMs: sums.latencyMs / n,
  };
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    {
      model: { type: 'string' },
      method: { type: 'string' },
      data: { type: 'string' },
      limit: { type: 'string' },
    },
    USAGE,
  );
  const method = parseMethod(values, USAGE);
  const file = requireString(values, 'data', USAGE);
  const limit = intOption(values, 'limit', 1_000_000, 1, 1_000_000);
  const cases = (await readEditCases(new Uint8Array(await readFile(file)), file)).slice(0, limit);
  const session = await openSession(await loadModelDir(requireString(values, 'model', USAGE)));
  const s = await evaluate(session, method, cases, (i) => {
    if (i % 10 === 0) process.stderr.write(`[eval] ${method} ${i}/${cases.length}\n`);
  });
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
  process.stdout.write(
    values.json
      ? JSON.stringify(s) + '\n'
      : `${method.toUpperCase()} on ${s.edits} edits (${s.failed} failed): reliability ${pct(s.reliability)}, generality ${pct(s.generality)}, locality ${pct(s.locality)}, KL ${s.kl.toFixed(4)}, ${s.latencyMs.toFixed(0)} ms per edit\n`,
  );
}
