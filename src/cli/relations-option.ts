// `--relations a,b`: keep the records of some relations only (issue 13 item 6, domain transfer: train an editor
// on countries, test it on elements). Records say their relation in EasyEdit's `relation` field.

import { UsageError } from './args.ts';

/** The relation ids of `--relations` (comma-separated), or undefined without the option. */
export function parseRelations(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const ids = [
    ...new Set(
      list
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== ''),
    ),
  ];
  if (ids.length === 0) throw new UsageError('--relations needs one or more relation ids, comma-separated.');
  return ids;
}

/** The records whose relation is one of `wanted` (all of them when undefined); a sentence when one is missing. */
export function keepRelations<T extends { relation?: string }>(
  records: readonly T[],
  wanted: readonly string[] | undefined,
  file: string,
): T[] {
  if (wanted === undefined) return [...records];
  const present = [...new Set(records.flatMap((r) => (r.relation === undefined ? [] : [r.relation])))];
  if (present.length === 0)
    throw new UsageError(
      `--relations: ${file} gives no record a relation, so there is nothing to choose by.`,
    );
  const unknown = wanted.filter((r) => !present.includes(r));
  if (unknown.length > 0)
    throw new UsageError(
      `--relations: ${file} has no relation ${unknown.map((r) => `"${r}"`).join(', ')}; it has ${present.join(', ')}.`,
    );
  return records.filter((r) => r.relation !== undefined && wanted.includes(r.relation));
}
