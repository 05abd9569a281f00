// The site line names the changed weights compactly (six hypernetwork matrices read as "… and 5 more").

import { describe, expect, it } from 'vitest';
import { weightsText } from './EditSiteNote.tsx';

describe('the edit site line', () => {
  it('lists one or two weights and counts the rest', () => {
    expect(weightsText(['h.0.mlp.c_proj.weight'])).toBe('h.0.mlp.c_proj.weight');
    expect(weightsText(['a', 'b'])).toBe('a and b');
    expect(weightsText(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('a and 5 more');
  });
});
