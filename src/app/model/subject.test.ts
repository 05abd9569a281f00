import { describe, expect, it } from 'vitest';
import { checkSubject, occurrences, splitPrompt } from './subject.ts';

describe('subject highlighting', () => {
  it('splits the prompt around the subject', () => {
    expect(splitPrompt('The capital of France is', 'France')).toEqual([
      { text: 'The capital of ', subject: null },
      { text: 'France', subject: 'used' },
      { text: ' is', subject: null },
    ]);
  });

  it('marks the last occurrence as the one editors key on, like the engine (lastIndexOf)', () => {
    const segs = splitPrompt('Paris, Paris', 'Paris');
    expect(segs.map((s) => s.subject)).toEqual(['other', null, 'used']);
    expect(segs.map((s) => s.text).join('')).toBe('Paris, Paris');
    expect(occurrences('aaaa', 'aa')).toEqual([0, 2]);
  });

  it('keeps the prompt whole when the subject is empty or absent', () => {
    expect(splitPrompt('abc', '')).toEqual([{ text: 'abc', subject: null }]);
    expect(splitPrompt('', 'x')).toEqual([]);
  });

  it('warns about a missing subject, a case mismatch, repeats and a target without its space', () => {
    expect(checkSubject('The capital of France is', 'France', ' Rome')).toMatchObject({
      found: true,
      warnings: [],
    });
    expect(checkSubject('The capital of France is', 'Spain', ' Rome').warnings[0]).toMatch(/does not occur/);
    expect(checkSubject('The capital of France is', 'france', ' Rome').warnings[0]).toMatch(/other capitals/);
    expect(checkSubject('The capital of France is', '', ' Rome').warnings[0]).toMatch(/Type the subject/);
    expect(checkSubject('France, France', 'France', ' Rome').warnings[0]).toMatch(/more than once/);
    expect(checkSubject('The capital of France is', 'France', 'Rome').warnings[0]).toMatch(
      /start with a space/,
    );
  });
});
