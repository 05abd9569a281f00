// Loads the facts and phrasings that sit next to the selected model (public/models/<name>/facts.json) for the
// probes and their suggestions, once per model. A built-in model reads its own world; any other model (a Hub
// repo, a local folder) gets the default built-in world's relations as phrasing templates for its edits.

import type { SessionModel } from '../permalink/schema.ts';
import { DEFAULT_EMBEDDED, factsPath, type EmbeddedName } from './embedded-models.ts';
import { FactWorldError, parseFactWorld, type FactWorld } from './facts.ts';

const cached = new Map<EmbeddedName, Promise<FactWorld>>();

async function fetchWorld(name: EmbeddedName): Promise<FactWorld> {
  const url = `${import.meta.env.BASE_URL}${factsPath(name)}`;
  const res = await fetch(url);
  // Single-page-app hosts answer a missing file with index.html and status 200.
  if (!res.ok || (res.headers.get('content-type') ?? '').startsWith('text/html'))
    throw new FactWorldError(`${factsPath(name)} is missing from this build (run \`npm start\` again).`);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    throw new FactWorldError(`${factsPath(name)} is not valid JSON.`);
  }
  return parseFactWorld(json);
}

/** The fact world for probes on `model`'s edits. */
export function loadFactWorld(model: SessionModel): Promise<FactWorld> {
  const name = model.kind === 'embedded' ? model.name : DEFAULT_EMBEDDED;
  let p = cached.get(name);
  if (!p) {
    p = fetchWorld(name);
    cached.set(name, p);
    p.catch(() => cached.delete(name));
  }
  return p;
}
