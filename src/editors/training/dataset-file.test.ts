// Training data files: the shipped gzip CounterFact train split reads (10,000 RECIPE records, targets with
// their leading space, one neighbourhood locality probe each), a file in no known format is a sentence,
// damaged gzip is a sentence, and every skipped record is counted under its reason.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { EditDataError } from '../../eval/types.ts';
import { describeSkips, gunzip, readTrainingRecords, tokenizeRecords } from './dataset-file.ts';

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const RECIPE = {
  case_id: 2,
  prompt: 'Toko Yasuda, the',
  target_new: 'piano',
  subject: 'Toko Yasuda',
  ground_truth: 'guitar',
  rephrase_prompt: 'Toko Yasuda is incredible at',
  locality_prompt: 'John Lennon performs on the',
  locality_ground_truth: 'guitar',
};

describe('training dataset files', () => {
  it('reads the shipped gzip CounterFact train split', async () => {
    const bytes = new Uint8Array(await readFile('public/data/counterfact-train.json.gz'));
    const all = JSON.parse(new TextDecoder().decode(await gunzip(bytes, 'counterfact-train.json.gz')));
    expect(all).toHaveLength(10_000);
    // The readers' checks on every record cost seconds on a loaded 2-core CI machine: read the first 300.
    const head = new TextEncoder().encode(JSON.stringify(all.slice(0, 300)));
    const records = await readTrainingRecords(await gzip(new TextDecoder().decode(head)), 'head.json.gz');
    expect(records).toHaveLength(300);
    expect(records[0]).toEqual({
      id: '2',
      prompt: 'Toko Yasuda, the',
      subject: 'Toko Yasuda',
      target: ' piano',
      groundTruth: ' guitar',
      rephrases: ['Toko Yasuda is incredible at'],
      locality: [{ prompt: 'John Lennon performs on the', answer: ' guitar' }],
    });
    expect(records.every((r) => r.target.startsWith(' ') && r.locality.length === 1)).toBe(true);
  });

  it('gives a sentence for unknown formats and damaged gzip', async () => {
    const unknown = new TextEncoder().encode(JSON.stringify([{ question: 'q', answer: 'a' }]));
    await expect(readTrainingRecords(unknown, 'x.json')).rejects.toThrow(
      /x.json: not a recognised edit dataset.*Known formats/,
    );
    const gz = await gzip(JSON.stringify([RECIPE]));
    expect(await readTrainingRecords(gz, 'ok.json.gz')).toHaveLength(1);
    await expect(readTrainingRecords(gz.subarray(0, gz.length - 9), 'cut.json.gz')).rejects.toBeInstanceOf(
      EditDataError,
    );
  });

  it('counts every skipped record under its reason', async () => {
    const base = (await readTrainingRecords(new TextEncoder().encode(JSON.stringify([RECIPE])), 'r'))[0];
    // One token per word; the word "EMPTY" tokenizes to nothing.
    const encode = (t: string) =>
      t
        .split(/\s+/)
        .filter((w) => w !== '' && w !== 'EMPTY')
        .map((w) => w.length);
    const records = [
      base,
      { ...base, id: 'empty', target: ' EMPTY' },
      { ...base, id: 'long', prompt: 'a b c d e f g h i j' },
      { ...base, id: 'noloc', locality: [] },
    ];
    const out = tokenizeRecords(records, encode, 8);
    expect(out.edits.map((e) => e.id)).toEqual(['2']);
    expect(out.skipped).toEqual({ emptyTarget: 1, tooLong: 1, noProbes: 1 });
    expect(out.skippedIds).toEqual(['empty', 'long', 'noloc']);
    expect(describeSkips(out.skipped, 4, 8)).toBe(
      'skipped 3 of 4 records: 1 whose target tokenizes to nothing, 1 longer than the 8-token context, 1 left without a rephrase or locality probe that fits',
    );
  });
});
