// One entry point for a dataset file a user gives us: recognise the format from the content (never from the
// file name, which users rename), then read it into EditCase[] with that format's reader.

import { EditDataError, type DatasetFormat, type EditCase, type ReadOptions } from '../types.ts';
import { describeValue, isObject } from './common.ts';
import { COUNTERFACT_SHAPE, readCounterFact } from './counterfact.ts';
import { EASYEDIT_SHAPE, readEasyEdit } from './easyedit.ts';
import { KNOWN_FACTS_SHAPE, readKnownFacts } from './known-facts.ts';
import { MQUAKE_SHAPE, readMquake } from './mquake.ts';
import { PARQUET_COLUMNS, readParquetFacts } from './parquet-facts.ts';
import { readZsre, ZSRE_SHAPE } from './zsre.ts';

export { readCounterFact } from './counterfact.ts';
export { readEasyEdit, toEasyEditRecord, writeEasyEdit, type EasyEditRecord } from './easyedit.ts';
export { readKnownFacts } from './known-facts.ts';
export { readMquake } from './mquake.ts';
export { readParquetFacts } from './parquet-facts.ts';
export { readZsre } from './zsre.ts';

const EXPECTED = [
  EASYEDIT_SHAPE,
  COUNTERFACT_SHAPE,
  ZSRE_SHAPE,
  MQUAKE_SHAPE,
  KNOWN_FACTS_SHAPE,
  `a parquet file with columns ${PARQUET_COLUMNS.join(', ')}`,
].join('; ');

/** True when the bytes start with parquet's magic number "PAR1". */
export function isParquet(bytes: Uint8Array | ArrayBuffer): boolean {
  const b = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x52 && b[3] === 0x31;
}

/**
 * The format of a parsed JSON dataset (judged from its first record's keys), or of raw bytes when they are
 * parquet; null when nothing matches. Record-level checks are the reader's job.
 */
export function detectFormat(input: unknown): DatasetFormat | null {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer)
    return isParquet(input) ? 'parquet-facts' : null;
  if (!Array.isArray(input) || !isObject(input[0])) return null;
  const first = input[0];
  const has = (k: string) => k in first;
  if (Array.isArray(first.requested_rewrite)) return 'mquake';
  if (isObject(first.requested_rewrite)) return 'counterfact';
  if (has('src') && has('alt')) return 'zsre';
  if (has('known_id') || (has('attribute') && has('relation_id'))) return 'known-facts';
  if (has('prompt') && has('target_new')) return 'easyedit';
  return null;
}

/**
 * Reads a dataset file (bytes, or text already decoded) into edit cases. Throws EditDataError naming the file
 * and what was expected when the bytes are not UTF-8 JSON or parquet, when no format matches, or when a record
 * is malformed (with its index and field).
 */
export async function readEditCases(
  data: Uint8Array | ArrayBuffer | string,
  fileName: string,
  options: ReadOptions = {},
): Promise<EditCase[]> {
  if (typeof data !== 'string' && isParquet(data)) return readParquetFacts(data, fileName, options);
  const json = parseJson(data, fileName);
  const format = detectFormat(json);
  switch (format) {
    case 'easyedit':
      return readEasyEdit(json, fileName);
    case 'counterfact':
      return readCounterFact(json, fileName);
    case 'zsre':
      return readZsre(json, fileName);
    case 'mquake':
      return readMquake(json, fileName);
    case 'known-facts':
      return readKnownFacts(json, fileName, options);
    case 'parquet-facts':
    case null:
      break;
  }
  const what = !Array.isArray(json)
    ? `a JSON array of records, got ${describeValue(json)}`
    : json.length === 0
      ? 'at least one record, got an empty array'
      : `records of a known format, but record 0 is ${isObject(json[0]) ? `an object with keys ${Object.keys(json[0]).slice(0, 8).join(', ') || '(none)'}` : describeValue(json[0])}`;
  throw new EditDataError(
    `${fileName}: not a recognised edit dataset: expected ${what}. Known formats: ${EXPECTED}.`,
  );
}

function parseJson(data: Uint8Array | ArrayBuffer | string, fileName: string): unknown {
  let text: string;
  if (typeof data === 'string') text = data;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      throw new EditDataError(
        `${fileName}: the file is neither UTF-8 text (JSON) nor parquet; check that it is a dataset file.`,
      );
    }
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '')
    throw new EditDataError(`${fileName}: the file is empty; expected a JSON array of edit records.`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EditDataError(
      `${fileName}: not valid JSON (${(e as Error).message}); the file may be truncated or not a JSON dataset.`,
    );
  }
}
