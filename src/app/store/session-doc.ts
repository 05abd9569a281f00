// The store <-> the shareable session document (permalink and JSON export). Pure over the state.

import type { SessionDoc } from '../permalink/schema.ts';
import { settingsFor } from '../model/method-settings.ts';
import type { AppState } from './index.ts';

type DocState = Pick<
  AppState,
  'model' | 'edits' | 'pendingEdits' | 'draft' | 'settings' | 'probes' | 'seed'
> &
  Partial<Pick<AppState, 'sampling'>>;

export function toSessionDoc(s: DocState): SessionDoc {
  const applied = s.edits.map((e) => ({
    prompt: e.outcome.request.prompt,
    subject: e.outcome.request.subject,
    target: e.outcome.request.target,
    method: e.method,
    settings: settingsFor(e.method, e.settings),
    gen: [...e.gen],
    loc: [...e.loc],
  }));
  return {
    v: 1,
    model: s.model.source,
    // Edits a link brought that could not be applied yet stay in the session, after the applied ones.
    edits: [...applied, ...s.pendingEdits],
    draft: { ...s.draft, settings: settingsFor(s.draft.method, s.settings[s.draft.method]) },
    probes: probeTexts(s),
    seed: s.seed,
    ...(s.sampling && (s.sampling.temperature !== 0.8 || s.sampling.topP !== 0.95)
      ? { sampling: { ...s.sampling } }
      : {}),
  };
}

/** Probe texts to send: trimmed, non-empty. */
export function probeTexts(s: Pick<AppState, 'probes'>): { gen: string[]; loc: string[] } {
  const clean = (xs: { text: string }[]) => xs.map((p) => p.text.trim()).filter((t) => t !== '');
  return { gen: clean(s.probes.gen), loc: clean(s.probes.loc) };
}
