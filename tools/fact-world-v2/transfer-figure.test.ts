import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRelationsCovered, domainOf } from './domains.ts';
import { readTransfer, transferSvg, transferTable } from './transfer-figure.ts';

const honest = (r: number) => ({
  honest: { reliabilityExact: r, generalityExact: r / 2, locality: 0.9, edits: 10 },
});

describe('domain transfer', () => {
  it('puts every v2 relation in one domain', () => {
    expect(allRelationsCovered()).toBe(true);
    expect(domainOf('capital')).toBe('countries');
    expect(domainOf('person_sport')).toBe('people');
    expect(domainOf('moon')).toBeUndefined();
  });

  it('reads {variant}-{trained}-on-{tested}.json files into a heat map and a table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'transfer-'));
    writeFileSync(join(dir, 'ibke-countries-on-countries.json'), JSON.stringify(honest(0.9)));
    writeFileSync(join(dir, 'ibke-countries-on-people.json'), JSON.stringify(honest(0.4)));
    writeFileSync(join(dir, 'no-ib-countries-on-people.json'), JSON.stringify(honest(0.2)));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const s = readTransfer(dir);
    expect(Object.keys(s)).toEqual(['ibke', 'no-ib']);
    expect(s.ibke.countries.people.reliabilityExact).toBe(0.4);
    const svg = transferSvg(s, 'T & <t>');
    expect(svg).toContain('T &amp; &lt;t>');
    expect(svg.match(/<rect x=/g)).toHaveLength(3 * 3); // 3 cells × 3 scores
    expect(svg).toContain('>40.0<');
    const table = transferTable(s);
    expect(table).toContain('| ibke | countries | 90.0 / 45.0 / 90.0 (10) | 40.0 / 20.0 / 90.0 (10) |');
    expect(table).toContain('| no-ib | countries |  | 20.0 / 10.0 / 90.0 (10) |');
  });
});
