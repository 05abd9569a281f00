// The readers on the real benchmark files kept beside the repository in ../shared/data (see its README):
// counts and field values checked against the files as published (values read with Python's json module).

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EditCase, SkippedRecord } from '../types.ts';
import { detectFormat, readEditCases, readEasyEdit, writeEasyEdit } from './index.ts';

const DATA_DIR = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));

function dataFile(name: string): Uint8Array {
  const path = `${DATA_DIR}${name}`;
  if (!existsSync(path))
    throw new Error(
      `Benchmark file not found at ${path}: these tests need ../shared/data next to the repository.`,
    );
  return readFileSync(path);
}

async function read(name: string): Promise<{ cases: EditCase[]; skipped: SkippedRecord[] }> {
  const skipped: SkippedRecord[] = [];
  const cases = await readEditCases(dataFile(name), name, { onSkip: (s) => skipped.push(s) });
  return { cases, skipped };
}

const byId = (cases: EditCase[], id: string) => cases.find((c) => c.id === id)!;

function expectWellFormed(cases: EditCase[]) {
  const ids = new Set<string>();
  for (const c of cases) {
    expect(c.prompt.includes(c.subject), `${c.id}: subject in prompt`).toBe(true);
    expect(c.target.startsWith(' '), `${c.id}: target leading space`).toBe(true);
    expect(c.prompt).toBe(c.prompt.trimEnd());
    ids.add(c.id);
  }
  expect(ids.size, 'ids are unique').toBe(cases.length);
}

describe('ROME known_1000 (rome-known-1000.json)', () => {
  let cases: EditCase[];
  let skipped: SkippedRecord[];
  beforeAll(async () => ({ cases, skipped } = await read('rome-known-1000.json')));

  it('is detected and gives one edit per record except the lone P190 fact', () => {
    expect(detectFormat(JSON.parse(new TextDecoder().decode(dataFile('rome-known-1000.json'))))).toBe(
      'known-facts',
    );
    expect(cases).toHaveLength(1208);
    expect(skipped).toEqual([
      { index: 893, id: '893', reason: 'relation P190 has no other attribute to use as the new target' },
    ]);
    expectWellFormed(cases);
  });

  it("takes the next same-relation record's attribute as target and neighbours as locality", () => {
    // P30 records in file order: Vinson Massif (Antarctica), Catalonia (Europe), Kirkpatrick Glacier (Antarctica).
    expect(byId(cases, '0')).toEqual({
      id: '0',
      prompt: 'Vinson Massif is located in the continent of',
      subject: 'Vinson Massif',
      target: ' Europe',
      groundTruth: ' Antarctica',
      gen: [],
      loc: [
        { prompt: 'Catalonia belongs to the continent of', answer: ' Europe', kind: 'neighborhood' },
        {
          prompt: 'Kirkpatrick Glacier belongs to the continent of',
          answer: ' Antarctica',
          kind: 'neighborhood',
        },
      ],
      relation: 'P30',
      source: 'known-facts:rome-known-1000.json',
    });
    // Kirkpatrick Glacier's next P30 record is Vietnam (Asia): an answer equal to its own is skipped over.
    expect(byId(cases, '10').target).toBe(' Asia');
    for (const c of cases)
      expect(c.target.trim().toLowerCase()).not.toBe(c.groundTruth!.trim().toLowerCase());
  });
});

describe('MQuAKE (mquake-hard.json)', () => {
  let cases: EditCase[];
  beforeAll(async () => ({ cases } = await read('mquake-hard.json')));

  it('gives one edit per requested rewrite, grouped by case', () => {
    expect(cases).toHaveLength(429 * 4);
    expect(new Set(cases.map((c) => c.group)).size).toBe(429);
    expectWellFormed(cases);
  });

  it('maps the first case: question as generality, unedited single hops as locality, multi-hop on the last edit', () => {
    const first = byId(cases, '7417:0');
    expect(first).toMatchObject({
      prompt: 'Hey Jude was performed by',
      subject: 'Hey Jude',
      target: ' Madonna',
      groundTruth: ' The Beatles',
      relation: 'P175',
      group: '7417',
      gen: [{ prompt: 'Who performed Hey Jude?', kind: 'question' }],
    });
    // Hop 0 ("Hey Jude was performed by") is the edit itself; the other three original hops are unedited facts.
    expect(first.loc).toEqual([
      { prompt: 'The director of The Beatles is', answer: ' Brian Epstein', kind: 'unedited-hop' },
      { prompt: 'Brian Epstein is a citizen of', answer: ' United Kingdom', kind: 'unedited-hop' },
      { prompt: 'The official language of United Kingdom is', answer: ' English', kind: 'unedited-hop' },
    ]);
    const last = byId(cases, '7417:3');
    expect(last.prompt).toBe('The official language of Australia is');
    expect(last.gen.filter((g) => g.kind === 'multi-hop')).toHaveLength(3);
    // new_answer " Arabic" is this last edit's own target, so the probe's target is stored as absent (= the edit's).
    expect(last.target).toBe(' Arabic');
    expect(last.gen[1]).toEqual({
      prompt: `What is the official language of the country of citizenship of the director/manager of "Hey Jude"'s performer?`,
      kind: 'multi-hop',
    });
    expect(byId(cases, '7417:1').gen.some((g) => g.kind === 'multi-hop')).toBe(false);
  });

  it('counts every unedited hop of every case (4,952 probes; 478 hops coincide with an edit)', () => {
    expect(cases.reduce((n, c) => n + c.loc.length, 0)).toBe(4952);
    expect(cases.reduce((n, c) => n + c.gen.filter((g) => g.kind === 'multi-hop').length, 0)).toBe(429 * 3);
  });

  it('survives an EasyEdit write/read round trip unchanged', () => {
    expect(readEasyEdit(JSON.parse(writeEasyEdit(cases)), 'mquake.easyedit.json')).toEqual(cases);
  });
});

describe('CounterFact core parquet (counterfact-core.parquet)', () => {
  let cases: EditCase[];
  let skipped: SkippedRecord[];
  beforeAll(async () => ({ cases, skipped } = await read('counterfact-core.parquet')));

  it('is detected from its magic bytes and reads every row but the one without its entity in the stem', () => {
    expect(detectFormat(dataFile('counterfact-core.parquet'))).toBe('parquet-facts');
    expect(cases).toHaveLength(26_266);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ id: 'calinet_8410' });
    expect(cases.filter((c) => c.id.startsWith('rome_'))).toHaveLength(17_173);
    expectWellFormed(cases);
  });

  it('rejects the file cut short with a sentence naming it', async () => {
    const bytes = dataFile('counterfact-core.parquet');
    await expect(readEditCases(bytes.subarray(0, bytes.length - 100), 'cut.parquet')).rejects.toThrow(
      /^cut\.parquet: not a readable parquet file .*truncated/,
    );
  });

  it('maps stem → false with true as ground truth', () => {
    expect(cases[0]).toMatchObject({
      id: 'rome_21844',
      prompt: 'What sport does Megan Rapinoe play? They play',
      subject: 'Megan Rapinoe',
      target: ' basketball',
      groundTruth: ' soccer',
      relation: 'P641',
      gen: [],
      source: 'parquet-facts:counterfact-core.parquet',
    });
    expect(cases[0].loc).toHaveLength(2);
    expect(cases[0].loc.every((l) => l.kind === 'neighborhood' && !l.prompt.includes('Megan Rapinoe'))).toBe(
      true,
    );
  });

  it("resolves the subject from the stem's spelling, the object for inverse phrasings, the first of <br> lists", () => {
    expect(byId(cases, 'rome_14462').subject).toBe('IPod Mini'); // column says "iPod Mini"
    expect(byId(cases, 'calinet_5824')).toMatchObject({
      subject: 'Hungary',
      target: ' Vienna',
      groundTruth: ' Budapest',
    });
    expect(byId(cases, 'calinet_5684').target).toBe(' Tororo District');
  });
});
