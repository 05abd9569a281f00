import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FactWorldError,
  findRelation,
  neighbours,
  parseFactWorld,
  suggestProbes,
  type FactWorld,
} from './facts.ts';

const world: FactWorld = parseFactWorld({
  relations: [
    {
      id: 'capital',
      description: 'country → capital city',
      templates: ['The capital of {} is', "{}'s capital city is", 'The capital city of {} is'],
    },
    {
      id: 'continent',
      description: 'country → continent',
      templates: ['{} is located in the continent of', '{} is a country in'],
    },
    { id: 'currency', description: 'country → currency', templates: ['The currency of {} is the'] },
  ],
  facts: [
    { subject: 'Chile', relation: 'capital', object: 'Santiago' },
    { subject: 'Chile', relation: 'continent', object: 'South America' },
    { subject: 'France', relation: 'capital', object: 'Paris' },
    { subject: 'France', relation: 'continent', object: 'Europe' },
    { subject: 'France', relation: 'currency', object: 'Euro' },
    { subject: 'Norway', relation: 'capital', object: 'Oslo' },
    { subject: 'Norway', relation: 'continent', object: 'Europe' },
    { subject: 'Germany', relation: 'capital', object: 'Berlin' },
    { subject: 'Germany', relation: 'continent', object: 'Europe' },
    { subject: 'Germany', relation: 'currency', object: 'Euro' },
  ],
});

describe('fact-world probe suggestions', () => {
  it('finds the relation a prompt phrases, ignoring extra spaces', () => {
    expect(findRelation(world, 'The capital of France is', 'France')?.id).toBe('capital');
    expect(findRelation(world, '  France is a country  in ', 'France')?.id).toBe('continent');
    expect(findRelation(world, 'France is lovely', 'France')).toBeNull();
  });

  it('ranks neighbours by shared facts: Germany (Europe, Euro) before Norway (Europe); Chile shares none', () => {
    expect(neighbours(world, 'France', 'capital', 5)).toEqual(['Germany', 'Norway']);
  });

  it('suggests the other phrasings and neighbouring facts, without duplicates of existing probes', () => {
    const s = suggestProbes(world, { prompt: 'The capital of France is', subject: 'France' }, [
      "France's capital city is",
    ]);
    expect(s.gen).toEqual(['The capital city of France is']);
    expect(s.loc).toEqual([
      'The capital of Germany is',
      'France is located in the continent of',
      'The capital of Norway is',
      'The currency of France is the',
    ]);
    expect(s.note).toMatch(/country → capital city/);
  });

  it('offers only locality probes for an unknown phrasing, and none for an unknown subject', () => {
    const a = suggestProbes(world, { prompt: 'France is lovely', subject: 'France' });
    expect(a.gen).toEqual([]);
    expect(a.loc).toContain('The capital of France is');
    const b = suggestProbes(world, { prompt: 'Atlantis is lovely', subject: 'Atlantis' });
    expect(b).toMatchObject({ gen: [], loc: [] });
    expect(b.note).toMatch(/no facts about "Atlantis"/);
  });

  it('refuses a malformed file with a sentence', () => {
    expect(() => parseFactWorld({ relations: 1 })).toThrow(FactWorldError);
    expect(() => parseFactWorld({ relations: [{ id: 'r', templates: ['no marker'] }], facts: [] })).toThrow(
      /"\{\}"/,
    );
    expect(() =>
      parseFactWorld({
        relations: [{ id: 'r', templates: ['{}'] }],
        facts: [{ subject: 'a', relation: 'zz', object: 'b' }],
      }),
    ).toThrow(/facts\[0\]/);
  });

  it('reads the real data/fact-world/facts.json and suggests France’s paraphrases from it', () => {
    const real = parseFactWorld(JSON.parse(readFileSync('data/fact-world/facts.json', 'utf8')));
    const s = suggestProbes(real, { prompt: 'The capital of France is', subject: 'France' });
    expect(s.gen).toContain("France's capital city is");
    expect(s.loc).toContain('France is located in the continent of');
    expect(s.loc.some((p) => /^The capital of (?!France)/.test(p))).toBe(true);
  });
});
