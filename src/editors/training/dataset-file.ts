// Editor-training data from a file the user gives (or the shipped public/data/counterfact-train.json.gz):
// gzip is recognised by its magic bytes and inflated with DecompressionStream (a global in browsers and in
// Node ≥ 18, so one code path serves the worker and the CLI); the format is recognised from the content by
// the evaluation readers (EasyEdit, CounterFact, ZsRE, MQuAKE, RECIPE's flat CounterFact split...), so a file
// in no known format gets their sentence. Targets get their leading space there (src/eval/datasets/common.ts,
// finishCase): RECIPE's "piano" becomes " piano", the form GPT-2 and Qwen3 byte-level BPE tokenizers continue a
// prompt with. Tokenizing then skips records, counting each reason, never silently.

import { readEditCases } from '../../eval/datasets/index.ts';
import { EditDataError, type EditCase } from '../../eval/types.ts';
import type { Completion, EditRecord, TrainingEdit } from './data.ts';

/** An edit record with the fact it replaces (for the "how many does the model know" check). */
export interface TrainingRecord extends EditRecord {
  /** The true answer (leading space), when the dataset gives it. */
  groundTruth?: string;
  /** The relation's id, when the dataset gives it (for `--relations`). */
  relation?: string;
}

export function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** Inflates gzip bytes; a damaged stream is an EditDataError naming the file. */
export async function gunzip(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new EditDataError(
      `${fileName}: the gzip data is damaged (${(e as Error).message}); download the file again.`,
    );
  }
}

/** A dataset file's records for editor training (gzip or plain; any format readEditCases knows). */
export async function readTrainingRecords(bytes: Uint8Array, fileName: string): Promise<TrainingRecord[]> {
  const raw = isGzip(bytes) ? await gunzip(bytes, fileName) : bytes;
  return (await readEditCases(raw, fileName)).map(toTrainingRecord);
}

function toTrainingRecord(c: EditCase): TrainingRecord {
  return {
    id: c.id,
    prompt: c.prompt,
    subject: c.subject,
    target: c.target,
    groundTruth: c.groundTruth,
    relation: c.relation,
    // Training's generality term teaches the edit's own target: probes with another target are not rephrases.
    rephrases: c.gen.filter((g) => g.target === undefined).map((g) => g.prompt),
    locality: c.loc.flatMap((l) => (l.answer === undefined ? [] : [{ prompt: l.prompt, answer: l.answer }])),
  };
}

/** Why records were left out, counted per reason (every skipped record is in exactly one count). */
export interface SkipCounts {
  /** The edit's target tokenizes to no tokens. */
  emptyTarget: number;
  /** prompt ⊕ target longer than the model's context. */
  tooLong: number;
  /** No rephrase or no locality probe fits (with requireProbes). */
  noProbes: number;
}

export interface TokenizedRecords {
  edits: TrainingEdit[];
  skipped: SkipCounts;
  /** Ids of the skipped records, in file order. */
  skippedIds: string[];
}

export function tokenizeRecords(
  records: readonly EditRecord[],
  encode: (text: string) => number[],
  maxT: number,
  requireProbes = true,
): TokenizedRecords {
  const skipped: SkipCounts = { emptyTarget: 0, tooLong: 0, noProbes: 0 };
  const skippedIds: string[] = [];
  const fit = (prompt: number[], target: number[]): Completion | null =>
    prompt.length > 0 && target.length > 0 && prompt.length + target.length <= maxT
      ? { prompt, target }
      : null;
  const edits: TrainingEdit[] = [];
  for (const r of records) {
    const target = encode(r.target);
    const prompt = encode(r.prompt);
    const skip = (why: keyof SkipCounts) => (skipped[why]++, skippedIds.push(r.id));
    if (target.length === 0) {
      skip('emptyTarget');
      continue;
    }
    const edit = fit(prompt, target);
    if (!edit) {
      skip('tooLong');
      continue;
    }
    const generality = r.rephrases.map((p) => fit(encode(p), target)).filter((c) => c !== null);
    const locality = r.locality.map((p) => fit(encode(p.prompt), encode(p.answer))).filter((c) => c !== null);
    if (requireProbes && (generality.length === 0 || locality.length === 0)) {
      skip('noProbes');
      continue;
    }
    edits.push({ id: r.id, edit, generality, locality });
  }
  return { edits, skipped, skippedIds };
}

/** "skipped 3 of 100 records: 1 whose target tokenizes to nothing, 2 longer than the 32-token context". */
export function describeSkips(s: SkipCounts, total: number, maxT: number): string {
  const n = s.emptyTarget + s.tooLong + s.noProbes;
  if (n === 0) return `all ${total} records fit`;
  const parts = [
    s.emptyTarget && `${s.emptyTarget} whose target tokenizes to nothing`,
    s.tooLong && `${s.tooLong} longer than the ${maxT}-token context`,
    s.noProbes && `${s.noProbes} left without a rephrase or locality probe that fits`,
  ].filter(Boolean);
  return `skipped ${n} of ${total} records: ${parts.join(', ')}`;
}
