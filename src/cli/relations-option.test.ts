import { describe, expect, it } from 'vitest';
import { keepRelations, parseRelations } from './relations-option.ts';

const records = [
  { id: 'a', relation: 'capital' },
  { id: 'b', relation: 'symbol' },
  { id: 'c', relation: 'capital' },
  { id: 'd' },
];

describe('--relations', () => {
  it('keeps the records of the named relations, in file order, and everything without the option', () => {
    expect(keepRelations(records, parseRelations('capital'), 'f.json').map((r) => r.id)).toEqual(['a', 'c']);
    expect(
      keepRelations(records, parseRelations(' symbol , capital ,symbol'), 'f.json').map((r) => r.id),
    ).toEqual(['a', 'b', 'c']);
    expect(keepRelations(records, parseRelations(undefined), 'f.json')).toEqual(records);
  });

  it('refuses an unknown relation, an empty list and a file without relations with a sentence', () => {
    expect(() => keepRelations(records, parseRelations('capital,moon'), 'f.json')).toThrow(
      /f\.json has no relation "moon"; it has capital, symbol\./,
    );
    expect(() => parseRelations(' , ')).toThrow(/one or more relation ids/);
    expect(() =>
      keepRelations([{ id: 'x' } as { id: string; relation?: string }], ['capital'], 'g.json'),
    ).toThrow(/g\.json gives no record a relation/);
  });
});
