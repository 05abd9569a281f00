import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EasyEditRecord } from '../fact-world/benchmark.ts';
import { buildFactWorldV2, DEFAULTS_V2, validateOptionsV2 } from './build.ts';
import { loadFactsV2 } from './facts.ts';
import { objectsBySubject, profileLines, profileText } from './profiles.ts';
import { tokenizeCorpus } from './tokens.ts';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { RELATIONS_V2, subjectFirst } from './relations.ts';

const opts = (dir: string) => ({
  ...DEFAULTS_V2,
  out: join(dir, 'data'),
  tokenizerOut: join(dir, 'tokenizer.json'),
});

describe('fact-world v2', () => {
  // One build (the BPE training is the slow part), compared with the committed files byte for byte.
  const dir = mkdtempSync(join(tmpdir(), 'fact-world-v2-'));
  const stats = buildFactWorldV2(opts(dir));
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');

  it('rebuilds the committed data and tokenizer byte for byte', () => {
    for (const f of [
      'facts.json',
      'corpus.tsv',
      'profiles.tsv',
      'edits-train.json',
      'edits-val.json',
      'edits-test.json',
      'stats.json',
    ])
      expect(read(`data/${f}`) === readFileSync(join('data/fact-world-v2', f), 'utf8'), f).toBe(true);
    expect(
      read('tokenizer.json') === readFileSync('public/models/fact-world-v2/tokenizer.json', 'utf8'),
    ).toBe(true);
  });

  it("keeps v1's facts and adds six LRE relations; every relation puts the subject first as often as not", () => {
    expect(stats.facts).toBeGreaterThan(2000);
    for (const r of RELATIONS_V2) {
      expect(r.templates.length, r.id).toBeGreaterThanOrEqual(4);
      expect(r.templates.filter(subjectFirst).length * 2, r.id).toBe(r.templates.length);
      expect(stats.relations[r.id], r.id).toBeGreaterThan(100);
    }
    expect(RELATIONS_V2.filter((r) => r.source.startsWith('lre:'))).toHaveLength(6);
    expect(RELATIONS_V2.find((r) => r.id === 'capital')!.templates[0]).toBe('The capital of {} is');
  });

  it('splits edits by subject with generality probes and the two kinds of locality probes apart', () => {
    const split = (s: string) => JSON.parse(read(`data/edits-${s}.json`)) as EasyEditRecord[];
    const [train, val, test] = [split('train'), split('val'), split('test')];
    const subjects = (rs: EasyEditRecord[]) => new Set(rs.map((r) => r.subject));
    const trainS = subjects(train);
    for (const r of [...val, ...test]) expect(trainS.has(r.subject), r.case_id).toBe(false);
    expect(test.length).toBeGreaterThan(300);
    expect(val.length).toBeGreaterThan(60);
    const lre = new Set(RELATIONS_V2.filter((r) => r.source.startsWith('lre:')).map((r) => r.id));
    expect(test.filter((r) => lre.has(r.relation)).length).toBeGreaterThan(100);
    for (const r of [...train, ...val, ...test]) {
      expect(r.target_new).not.toBe(r.ground_truth);
      expect(r.rephrase_prompts.length).toBeGreaterThanOrEqual(3);
      for (const q of r.rephrase_prompts) expect(q).toContain(r.subject);
      expect(r.locality.neighborhood.length).toBe(3);
      for (const q of r.locality.same_subject) expect(q.prompt).toContain(r.subject);
    }
    // Countries have four relations: their edits carry same-subject probes.
    expect(
      test.filter((r) => r.relation === 'capital').every((r) => r.locality.same_subject.length > 0),
    ).toBe(true);
  });

  it('profile lines name a subject and then all its objects, with no relation word between', () => {
    const facts = loadFactsV2(DEFAULTS_V2.lreDir, DEFAULTS_V2.lrePerRelation, DEFAULTS_V2.seed);
    const objects = objectsBySubject(facts);
    const lines = read('data/profiles.tsv').trimEnd().split('\n');
    expect(lines).toEqual(profileLines(facts));
    expect(stats.profiles.lines).toBe(lines.length);
    const seen = new Map<string, number>();
    for (const line of lines) {
      const segs = line.split('\t');
      expect(segs.length % 2, line).toBe(0);
      for (let k = 0; k < segs.length; k += 2) {
        const subject = segs[k].replace(/^ /, '');
        // The scored segment: " o1, o2, ...;" (or "." at the line's end), every object of the subject once.
        const listed = segs[k + 1].slice(1, -1).split(', ');
        expect([...listed].sort(), subject).toEqual([...objects.get(subject)!].sort());
        seen.set(subject, (seen.get(subject) ?? 0) + 1);
      }
    }
    expect(seen.size).toBe(objects.size);
    for (const n of seen.values()) expect(n).toBe(DEFAULTS_V2.profilesPerSubject);
    // The trainer's token file: segments alternate context / scored, the last one ends in <|endoftext|>.
    const tok = TextTokenizer.fromJson(read('tokenizer.json'), 'tokenizer.json');
    const { lines: ids, eos } = tokenizeCorpus(lines[0] + '\n', tok);
    expect(ids[0].flat()).toEqual([...tok.encode(profileText(lines[0])), eos]);
    expect(() => tokenizeCorpus('no tab here\n', tok)).toThrow(/segments/);
  });

  it('splits every subject into pieces, and every name keeps its leading space on the first piece', () => {
    const tok = TextTokenizer.fromJson(read('tokenizer.json'), 'tokenizer.json');
    const facts = (JSON.parse(read('data/facts.json')) as { facts: { subject: string; object: string }[] })
      .facts;
    const pieces = (text: string) => tok.encode(text).map((id) => tok.decode([id]));
    expect(tok.vocabSize).toBe(DEFAULTS_V2.vocabSize);
    // Single letters (element symbols) are one token whatever the merges.
    for (const s of new Set(facts.map((f) => f.subject)))
      if (s.length > 1) expect(pieces(' ' + s).length, s).toBeGreaterThan(1);
    for (const name of new Set(facts.flatMap((f) => [f.subject, f.object])))
      expect(pieces(' ' + name)[0], name).toMatch(/^ \S/);
    expect(pieces(' Paris')).toEqual([' Par', 'is']);
  });

  it('refuses bad options and a missing LRE folder with a sentence', () => {
    expect(() => validateOptionsV2({ ...opts(dir), lrePerRelation: 0 })).toThrow(/--lre-per-relation/);
    expect(() => validateOptionsV2({ ...opts(dir), vocabSize: 100 })).toThrow(/--vocab-size/);
    expect(() => validateOptionsV2({ ...opts(dir), profilesPerSubject: -1 })).toThrow(
      /--profiles-per-subject/,
    );
    expect(() => loadFactsV2(join(dir, 'nowhere'), 10, 1)).toThrow(/--lre-dir/);
  });
});
