import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDED, EMBEDDED_MODELS, factsPath, isEmbeddedName } from './embedded-models.ts';
import { parseFactWorld } from './facts.ts';

describe('built-in models', () => {
  it('each has its facts and phrasings next to its weights, and they parse', () => {
    for (const m of EMBEDDED_MODELS) {
      const text = readFileSync(`public/${factsPath(m.name)}`, 'utf8');
      const world = parseFactWorld(JSON.parse(text));
      expect(world.facts.length, m.name).toBeGreaterThan(100);
      expect(world.relations.length, m.name).toBeGreaterThan(3);
    }
  });

  it('ship the very facts their data folder holds (data/<name>/facts.json, the builder’s output)', () => {
    for (const m of EMBEDDED_MODELS) {
      const shipped = readFileSync(`public/${factsPath(m.name)}`, 'utf8');
      expect(shipped, `copy data/${m.name}/facts.json to public/${factsPath(m.name)}`).toBe(
        readFileSync(`data/${m.name}/facts.json`, 'utf8'),
      );
    }
  });

  it('offer fact-world v2 beside v1, which stays the default (old links name it)', () => {
    expect(DEFAULT_EMBEDDED).toBe('fact-world');
    expect(EMBEDDED_MODELS.map((m) => m.name)).toEqual(['fact-world', 'fact-world-v2']);
    expect(isEmbeddedName('fact-world-v2')).toBe(true);
    expect(isEmbeddedName('fact-world-v3')).toBe(false);
    for (const m of EMBEDDED_MODELS)
      for (const file of ['config.json', 'model.safetensors', 'tokenizer.json'])
        expect(() => readFileSync(`public/models/${m.name}/${file}`), `${m.name}/${file}`).not.toThrow();
  });
});
