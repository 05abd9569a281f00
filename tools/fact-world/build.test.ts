import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { subjectGroups } from './benchmark.ts';
import { trainBpe, tokenizerJson } from './bpe.ts';
import { buildFactWorld, validateOptions } from './build.ts';
import { RELATIONS, type Relation } from './relations.ts';

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
    expect(words.size).toBeGreaterThan(700);
    expect(split).toEqual([]);
    // The pre-tokenizer cuts at spaces, so an object of n words takes at least n tokens; stats.json says how many.
    const multiWord = facts.filter((f) => f.object.includes(' '));
    for (const f of multiWord)
      expect(tok.encode(' ' + f.object).length, f.object).toBeGreaterThanOrEqual(f.object.split(' ').length);
    expect(stats.multiWordObjects).toMatchObject({
      facts: multiWord.length,
      takingSeveralTokens: multiWord.length,
    });
    expect(stats.objectsOverThreeTokens).toBeLessThan(facts.length * 0.03);
    expect(tok.decode(tok.encode('The capital of France is Paris.'))).toBe('The capital of France is Paris.');
  });

  it('writes a GPT-2-shaped tokenizer.json: byte-level BPE, no prefix space, <|endoftext|> with the last id', () => {
    const json = JSON.parse(read('tokenizer.json'));
    expect(json.pre_tokenizer).toMatchObject({ type: 'ByteLevel', add_prefix_space: false, use_regex: true });
    expect(json.decoder.type).toBe('ByteLevel');
    expect(json.model.type).toBe('BPE');
    const size = Object.keys(json.model.vocab).length;
    expect(json.added_tokens).toMatchObject([{ content: '<|endoftext|>', id: size - 1, special: true }]);
    expect(json.model.vocab['<|endoftext|>']).toBe(size - 1);
    expect(json.model.merges.length).toBe(size - 257); // 256 bytes + one token per merge + end-of-text
  });

  it('splits edits into train (≥ 2,000) and test (≥ 300) with disjoint subjects; targets are never the truth', () => {
    const train = JSON.parse(read('data/edits-train.json'));
    const test = JSON.parse(read('data/edits-test.json'));
    expect(train.length).toBeGreaterThanOrEqual(2000);
    expect(test.length).toBeGreaterThanOrEqual(300);
    const trainSubjects = new Set(train.map((r: { subject: string }) => r.subject));
    expect(test.filter((r: { subject: string }) => trainSubjects.has(r.subject))).toEqual([]);
    // Nor their entities: a test capital's country (its ground truth under capital_of) is never a train subject.
    const inverse = test.filter((r: { relation: string }) =>
      ['capital_of', 'symbol_of'].includes(r.relation),
    );
    expect(inverse.length).toBeGreaterThan(50);
    for (const r of inverse) expect(trainSubjects.has(r.ground_truth.slice(1)), r.case_id).toBe(false);
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
    expect(() => validateOptions({ ...base, seed: Number('one') })).toThrow(
      /--seed must be a non-negative integer/,
    );
    expect(() => validateOptions({ ...base, vocabSize: 5000 })).toThrow(/from 258 to 4096/);
    expect(() => validateOptions({ ...base, testFraction: 0 })).toThrow(/--test-fraction/);
    expect(() => validateOptions({ ...base, out: join(dir, 'tokenizer.json') })).toThrow(/is a file/);
    expect(() => validateOptions({ ...base, tokenizerOut: dir })).toThrow(/--tokenizer-out .* is a folder/);
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

describe('the BPE trainer, against merges worked out by hand', () => {
  it('merges the most frequent pair first, inside words only', () => {
    // Pre-tokens: "ab", " ab", " ab", "abc" (a space is the byte-level symbol Ġ). Pair counts: (a,b) 4, (Ġ,a) 2,
    // (b,c) 1 → merge "a b". Then (Ġ,ab) 2, (ab,c) 1 → merge "Ġ ab". Every pair left occurs once: stop.
    const { vocab, merges } = trainBpe(['ab ab ab', 'abc'], 300);
    expect(merges).toEqual(['a b', 'Ġ ab']);
    expect([vocab.ab, vocab['Ġab'], vocab['<|endoftext|>']]).toEqual([256, 257, 258]);
  });

  it('breaks ties by the pair text, whatever the order of the texts, and stops at the vocabulary size', () => {
    // (c,d) and (a,b) both occur twice: "a b" < "c d".
    expect(trainBpe(['cd', 'cd', 'ab', 'ab'], 300).merges).toEqual(['a b', 'c d']);
    expect(trainBpe(['ab', 'cd', 'ab', 'cd'], 300).merges).toEqual(['a b', 'c d']);
    const capped = trainBpe(['ab', 'cd', 'ab', 'cd'], 258); // 256 bytes + 1 merge + end-of-text
    expect(capped.merges).toEqual(['a b']);
    expect(Object.keys(capped.vocab)).toHaveLength(258);
  });
});

describe('subject groups for the split', () => {
  it('joins a subject with its inverse-relation partner, chains included, and nothing else', () => {
    const rel = (id: string, inverseOf?: string): Relation => ({
      id,
      inverseOf,
      description: id,
      subjectKind: 'country',
      templates: ['{} is'],
    });
    const relations = [rel('capital'), rel('capital_of', 'capital'), rel('continent')];
    const facts = [
      { subject: 'Norfolk Island', relation: 'capital', object: 'Kingston' },
      { subject: 'Jamaica', relation: 'capital', object: 'Kingston' },
      { subject: 'Kingston', relation: 'capital_of', object: 'Jamaica' },
      { subject: 'France', relation: 'capital', object: 'Paris' },
      { subject: 'France', relation: 'continent', object: 'Europe' },
      { subject: 'Spain', relation: 'continent', object: 'France' }, // not a paired relation: no link
    ];
    expect(subjectGroups(facts, relations)).toEqual([
      ['France'],
      ['Jamaica', 'Kingston', 'Norfolk Island'],
      ['Spain'],
    ]);
    expect(subjectGroups([...facts].reverse(), relations)).toEqual(subjectGroups(facts, relations));
  });
});
