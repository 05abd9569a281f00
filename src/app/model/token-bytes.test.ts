import { describe, expect, it } from 'vitest';
import { bytesLabel, isPartialText, pieceBytes } from './token-bytes.ts';

describe('partial UTF-8 tokens', () => {
  it('reads byte-level BPE pieces back as bytes (GPT-2 byte-to-unicode)', () => {
    // "🙂" is F0 9F 99 82; GPT-2 spells F0 as "ð" (U+00F0) and 9F as "Ł" (U+0141, the 66th extra char).
    expect(pieceBytes('ð')).toEqual([0xf0]);
    expect(pieceBytes('ðŁ')).toEqual([0xf0, 0x9f]);
    expect(pieceBytes('Ġ')).toEqual([0x20]);
    expect(pieceBytes('ĠParis')).toEqual([0x20, ...Array.from('Paris', (c) => c.charCodeAt(0))]);
    expect(pieceBytes('<0xF0>')).toEqual([0xf0]);
    expect(pieceBytes('漢')).toBeNull();
  });

  it('labels them <0x..> and tells partial text from whole characters', () => {
    expect(bytesLabel([0xf0, 0x9f])).toBe('<0xF0 0x9F>');
    expect(bytesLabel([0x20, 0xf0])).toBe('\u2423<0xF0>');
    expect(isPartialText('\uFFFD')).toBe(true);
    expect(isPartialText('')).toBe(true);
    expect(isPartialText(' Paris')).toBe(false);
    // Every byte has exactly one character.
    const all = Array.from({ length: 256 }, (_, b) => b);
    expect(new Set(all.map((b) => bytesLabel([b]))).size).toBe(256);
  });
});

describe('chart rows for partial tokens', () => {
  it('keeps two partial tokens apart and never labels one empty', async () => {
    const { tokenBarRows } = await import('./chart-data.ts');
    const rows = tokenBarRows(
      {
        before: [
          { token: '\uFFFD', id: 170, prob: 0.3 },
          { token: '\uFFFD', id: 171, prob: 0.2 },
          { token: '', id: 9, prob: 0.1 },
        ],
        after: [],
      },
      undefined,
    );
    expect(rows.map((r) => r.label)).toEqual(['<token 170>', '<token 171>', '<token 9>']);
    expect(rows.map((r) => r.before)).toEqual([0.3, 0.2, 0.1]);
  });
});
