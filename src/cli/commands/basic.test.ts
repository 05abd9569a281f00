// `editscope tokenize`: an empty --text is a text with no tokens (prints []), not a missing option.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { tokenize } from './basic.ts';

function captureStdout(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  return { text: () => chunks.join('') };
}

afterEach(() => vi.restoreAllMocks());

/** The embedded model's tokenizer (small and quick to load). */
const TOK = 'public/models/fact-world';

describe('tokenize', () => {
  it('prints [] for an empty text, as text and as JSON', async () => {
    const out = captureStdout();
    await tokenize(['--tokenizer', TOK, '--text', '']);
    await tokenize(['--tokenizer', TOK, '--text', '', '--json']);
    expect(out.text()).toBe('[]\n{"ids":[]}\n');
  });

  it('still says when --text is missing', async () => {
    await expect(tokenize(['--tokenizer', TOK])).rejects.toThrow(/Missing --text/);
  });

  it('prints one id per line otherwise', async () => {
    const out = captureStdout();
    await tokenize(['--tokenizer', TOK, '--text', 'The capital of France is']);
    const lines = out.text().trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l).toMatch(/^\d+\t".*"$/);
    expect(lines.map((l) => JSON.parse(l.split('\t')[1]) as string).join('')).toBe(
      'The capital of France is',
    );
  });
});
