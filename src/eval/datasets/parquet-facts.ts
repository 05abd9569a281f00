// Fact completions in parquet, as in polyglot-or-not's en-fact-completion file (CounterFact rows "rome_<id>" and
// CaliNet/T-REx rows "calinet_<id>"): columns dataset_id, stem, true, false, relation, subject, object.
// Mapping: prompt = stem, target = false, groundTruth = true, relation, id = dataset_id. Our choices:
// - The edit's subject is the entity the stem is about: `subject` when it occurs in the stem, else `object`
//   (CaliNet phrases some facts inversely: "The capital of Ontario is" → Toronto, with subject = Toronto); a
//   match that differs only in capitals ("IPod Mini" vs "iPod Mini") takes the stem's own spelling. A row
//   whose stem names neither is skipped through onSkip (in the shipped file: 1 of 26,267).
// - `false` may list several wrong answers joined by " <br> " (CaliNet); the first is the target.
// - loc: the next 2 rows of the same relation with another subject, with their true answer; gen: none.
// Read with hyparquet (MIT, no dependencies; uncompressed and snappy pages).

import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { EditDataError, type EditCase, type ReadOptions } from '../types.ts';
import { describeValue, finishCase, sameRelationNeighbours } from './common.ts';

export const PARQUET_COLUMNS = [
  'dataset_id',
  'stem',
  'true',
  'false',
  'relation',
  'subject',
  'object',
] as const;
type Column = (typeof PARQUET_COLUMNS)[number];
type Row = Record<Column, string>;

const NEIGHBOURS = 2;

export async function readParquetFacts(
  bytes: Uint8Array | ArrayBuffer,
  fileName: string,
  options: ReadOptions = {},
): Promise<EditCase[]> {
  const rows = await readRows(bytes, fileName);
  const facts = rows.map((row) => ({
    prompt: row.stem,
    subject: locateEntity(row) ?? row.subject,
    relation: row.relation,
    answer: row.true,
  }));
  const neighbours = sameRelationNeighbours(facts, NEIGHBOURS);
  const cases: EditCase[] = [];
  rows.forEach((row, i) => {
    const subject = locateEntity(row);
    if (subject === undefined) {
      const reason = `neither the subject "${row.subject}" nor the object "${row.object}" occurs in the stem "${row.stem}"`;
      options.onSkip?.({ index: i, id: row.dataset_id, reason });
      return;
    }
    const target = row.false.split(/\s*<br>\s*/).find((s) => s.trim() !== '');
    if (target === undefined)
      throw new EditDataError(`${fileName}, row ${i}: column "false" holds no answer, got "${row.false}".`);
    cases.push(
      finishCase(
        {
          id: row.dataset_id,
          prompt: row.stem,
          subject,
          target,
          groundTruth: row.true,
          gen: [],
          loc: neighbours[i],
          relation: row.relation,
          source: `parquet-facts:${fileName}`,
        },
        `${fileName}, row ${i}`,
      ),
    );
  });
  return cases;
}

/** The entity of the stem as the stem spells it: subject first, then object; exact, then ignoring case. */
function locateEntity(row: Row): string | undefined {
  const stem = row.stem.toLowerCase();
  for (const name of [row.subject, row.object]) {
    if (row.stem.includes(name)) return name;
    const at = stem.indexOf(name.toLowerCase());
    if (at >= 0) return row.stem.slice(at, at + name.length);
  }
  return undefined;
}

async function readRows(bytes: Uint8Array | ArrayBuffer, fileName: string): Promise<Row[]> {
  const file =
    bytes instanceof ArrayBuffer
      ? bytes
      : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let names: string[];
  try {
    names = parquetMetadata(file as ArrayBuffer).schema.map((s) => s.name);
  } catch (e) {
    throw new EditDataError(
      `${fileName}: not a readable parquet file (${(e as Error).message}); the file may be truncated or not parquet.`,
    );
  }
  const missing = PARQUET_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0)
    throw new EditDataError(
      `${fileName}: the parquet file lacks the column(s) ${missing.join(', ')}; expected ${PARQUET_COLUMNS.join(', ')}.`,
    );
  let raw: Record<string, unknown>[];
  try {
    raw = await parquetReadObjects({ file: file as ArrayBuffer, columns: [...PARQUET_COLUMNS] });
  } catch (e) {
    throw new EditDataError(`${fileName}: the parquet data could not be decoded (${(e as Error).message}).`);
  }
  if (raw.length === 0)
    throw new EditDataError(`${fileName}: the parquet file holds no rows; expected fact rows.`);
  return raw.map((r, i) => {
    for (const c of PARQUET_COLUMNS) {
      const v = r[c];
      if (typeof v !== 'string' || v.trim() === '')
        throw new EditDataError(
          `${fileName}, row ${i}: column "${c}" must be a non-empty string, got ${describeValue(v)}.`,
        );
    }
    return r as Row;
  });
}
