// Validates the top-k oracle against a brute-force definition: entry j of a row is the value that exactly j
// other columns beat (larger value, or equal value at a lower index).

import { describe, expect, it } from 'vitest';
import { randomArray } from '../gpu/testing.ts';
import { topkRef } from './topk.ts';

describe('top-k reference', () => {
  it('ranks by value, then by lower index, including ties and -Infinity', () => {
    const R = 3;
    const V = 40;
    const values = randomArray(R * V, 21).map((x) => Math.round(x * 4) / 4); // many ties
    values[5] = -Infinity;
    values[V + 3] = Infinity;
    const k = 12;
    const { index, value } = topkRef(values, R, V, k);
    for (let r = 0; r < R; r++) {
      for (let i = 0; i < V; i++) {
        const x = values[r * V + i];
        let beaten = 0;
        for (let j = 0; j < V; j++) {
          const y = values[r * V + j];
          if (y > x || (y === x && j < i)) beaten++;
        }
        if (beaten < k) {
          expect(index[r * k + beaten]).toBe(i);
          expect(value[r * k + beaten]).toBe(x);
        }
      }
    }
    expect(index[k]).toBe(3); // row 1's +Infinity
  });
});
