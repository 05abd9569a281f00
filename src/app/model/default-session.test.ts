import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateSession } from '../permalink/schema.ts';
import { defaultSession, preferredMethod } from './default-session.ts';
import { fill, parseFactWorld } from './facts.ts';

describe('the default session', () => {
  it('is a valid session whose one edit is its draft', () => {
    const doc = defaultSession();
    expect(validateSession(doc)).toEqual(doc);
    const { gen, loc, ...edit } = doc.edits[0];
    expect(edit).toEqual(doc.draft);
    expect({ gen, loc }).toEqual(doc.probes);
  });

  it('uses only phrasings that data/fact-world/facts.json states, about facts it holds', () => {
    const world = parseFactWorld(JSON.parse(readFileSync('data/fact-world/facts.json', 'utf8')));
    const phrasings = new Set(
      world.facts.flatMap((f) =>
        world.relations.find((r) => r.id === f.relation)!.templates.map((t) => fill(t, f.subject)),
      ),
    );
    const doc = defaultSession();
    for (const p of [doc.draft.prompt, ...doc.probes.gen, ...doc.probes.loc])
      expect(phrasings, p).toContain(p);
    // The new target is a real capital, and not France's.
    expect(world.facts).toContainEqual({ subject: 'France', relation: 'capital', object: 'Paris' });
    expect(doc.draft.target).toBe(' Rome');
  });

  it('picks IBKE first, then ROME, MEND, FT-L; null when the model has no editor', () => {
    expect(preferredMethod(['ft', 'ibke'])).toBe('ibke');
    expect(preferredMethod(['ft', 'mend'])).toBe('mend');
    expect(preferredMethod(['ft'])).toBe('ft');
    expect(preferredMethod([])).toBeNull();
  });
});
