// rome-site.json: the layer and key token a causal trace chose, read with a sentence for every bad field.

import { describe, expect, it } from 'vitest';
import { parseRomeSite } from './rome-contexts.ts';
import { EditorWeightsError } from './types.ts';

const bytes = (x: unknown) => new TextEncoder().encode(typeof x === 'string' ? x : JSON.stringify(x));

describe('parseRomeSite', () => {
  it('reads the layer, the key token and where they came from', () => {
    expect(parseRomeSite(bytes({ layer: 1, keyToken: 'last', source: 'causal trace' }), 3)).toEqual({
      layer: 1,
      keyToken: 'last',
      source: 'causal trace',
    });
    expect(parseRomeSite(bytes({ layer: 2 }), 3)).toMatchObject({ layer: 2, keyToken: 'subject_last' });
  });
  it('refuses bad JSON, a layer the model lacks and an unknown key token', () => {
    expect(() => parseRomeSite(bytes('{'), 3)).toThrow(EditorWeightsError);
    expect(() => parseRomeSite(bytes({ layer: 3 }), 3)).toThrow(/from 0 to 2/);
    expect(() => parseRomeSite(bytes({ layer: 1.5 }), 3)).toThrow(/"layer"/);
    expect(() => parseRomeSite(bytes({ layer: 0, keyToken: 'first' }), 3)).toThrow(/"keyToken"/);
    expect(() => parseRomeSite(bytes(null), 3)).toThrow(/"layer"/);
  });
});
