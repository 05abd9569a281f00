import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { trainBpe, tokenizerJson } from './bpe.ts';
import { buildFactWorld, validateOptions } from './build.ts';
import { RELATIONS } from './relations.ts';

const opts = (dir: string) => ({
  seed: 1,
  out: join(dir, 'data'),
  tokenizerOut: join(dir, 'tokenizer.json'),
  vocabSize: 4096,
  testFraction: 0.22,
});

describe('the fact world', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fact-world-'));
  const stats = buildFactWorld(opts(dir));
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  it('has at least 6 relations, 1,500 facts and 5 phrasings per relation, with the required capital phrasings', () => {
    expect(Object.keys(stats.relations).length).toBeGreaterThanOrEqual(6);
    expect(stats.facts).toBeGreaterThanOrEqual(1500);
    for (const r of RELATIONS) expect(r.templates.length, r.id).toBeGreaterThanOrEqual(5);
    const capital = RELATIONS.find((r) => r.id === 'capital')!.templates;
    expect(capital).toContain('The capital of {} is');
    expect(capital).toContain("{}'s capital city is");
  });

  it('tokenizes every single-word entity after a space as one token, within 4,096 entries', () => {
    const tok = TextTokenizer.fromJson(read('tokenizer.json'), 'tokenizer.json');
    expect(tok.vocabSize).toBeLessThanOrEqual(4096);
    expect(tok.encode(' Paris')).toHaveLength(1);
    const { facts } = JSON.parse(read('data/facts.json')) as { facts: { subject: string; object: string }[] };
    // Hyphens and apostrophes split words in GPT-2's pre-tokenizer (Porto-Novo, N'Djamena), so they are exempt.
    const words = new Set(
      facts.flatMap((f) => [f.subject, f.object]).filter((e) => /^[\p{L}\p{N}]+$/u.test(e)),
    );
    const split = [...words].filter((w) => tok.encode(' ' + w).length !== 1);
    expect(split).toEqual([]);
    expect(tok.decode(tok.encode('The capital of France is Paris.'))).toBe('The capital of France is Paris.');
  });

  it('splits edits into train (≥ 2,000) and test (≥ 300) with disjoint subjects; targets are never the truth', () => {
    const train = JSON.parse(read('data/edits-train.json'));
    const test = JSON.parse(read('data/edits-test.json'));
    expect(train.length).toBeGreaterThanOrEqual(2000);
    expect(test.length).toBeGreaterThanOrEqual(300);
    const trainSubjects = new Set(train.map((r: { subject: string }) => r.subject));
    expect(test.filter((r: { subject: string }) => trainSubjects.has(r.subject))).toEqual([]);
    for (const r of [...train, ...test]) {
      expect(r.target_new).not.toBe(r.ground_truth);
      expect(r.prompt).toContain(r.subject);
      expect(r.rephrase_prompts.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('is reproducible byte for byte from the seed', () => {
    const again = mkdtempSync(join(tmpdir(), 'fact-world-'));
    buildFactWorld(opts(again));
    for (const f of ['data/corpus.tsv', 'data/edits-train.json', 'data/edits-test.json', 'tokenizer.json']) {
      expect(readFileSync(join(again, f), 'utf8'), f).toBe(read(f));
    }
  });

  it('rejects inconsistent options with a clear message', () => {
    const base = opts(dir);
    expect(() => validateOptions({ ...base, seed: 1.5 })).toThrow(/--seed must be a non-negative integer/);
    expect(() => validateOptions({ ...base, vocabSize: 100 })).toThrow(/--vocab-size/);
    expect(() => validateOptions({ ...base, testFraction: 0.9 })).toThrow(/--test-fraction/);
    expect(() => validateOptions({ ...base, out: join(dir, 'tokenizer.json') })).toThrow(/is a file/);
  });
});

describe('the BPE trainer', () => {
  it('learns merges deterministically and round-trips text through the HF tokenizer', () => {
    const texts = ['the cat sat', 'the cat ran', 'the dog sat'];
    const a = trainBpe(texts, 300);
    expect(trainBpe(texts, 300)).toEqual(a);
    const tok = TextTokenizer.fromJson(JSON.stringify(tokenizerJson(a)), 'test');
    expect(tok.encode(' cat')).toHaveLength(1);
    expect(tok.decode(tok.encode('the cat sat, 42 times!'))).toBe('the cat sat, 42 times!');
  });
});
