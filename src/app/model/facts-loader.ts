// Loads data/fact-world/facts.json for the probe suggestions, as a separate chunk the first time it is
// needed (the main bundle stays small). Only the embedded fact-world model has suggestions.

import { parseFactWorld, type FactWorld } from './facts.ts';

let cached: Promise<FactWorld> | null = null;

export function loadFactWorld(): Promise<FactWorld> {
  cached ??= import('../../../data/fact-world/facts.json').then((m) => parseFactWorld(m.default));
  cached.catch(() => {
    cached = null;
  });
  return cached;
}
