// The applied edits this tab has seen, with their readings, by their place in a chain: (the model load, the
// ids applied before it, the edit as a session stores it). Undoing a reset, Back to an earlier session state
// or reopening a session in the same tab finds its edits here and asks the worker to put their patches back
// (restoreEdits) instead of running each editor and its probes again. The key holds the ids before the edit,
// so a cached edit is reused only on exactly the model state it was computed and measured on.

import type { SessionEdit } from '../permalink/schema.ts';
import { settingsFor } from '../model/method-settings.ts';
import type { AppliedEdit } from './types.ts';

type Cached = Omit<AppliedEdit, 'measuredAt' | 'reread' | 'dropped'>;

let generation = 0;
const cache = new Map<string, Cached>();

/** The key of `edit` applied on top of the edits `before` (their ids, in order), on the current model load. */
export function chainKey(before: readonly string[], edit: SessionEdit): string {
  const { prompt, subject, target, method, gen, loc } = edit;
  const settings = settingsFor(method, edit.settings);
  return JSON.stringify([generation, before, prompt, subject, target, method, settings, gen, loc]);
}

/** The session form of an applied edit (what a link or a recent session holds). */
export function asSessionEdit(
  e: Pick<AppliedEdit, 'method' | 'settings' | 'gen' | 'loc' | 'outcome'>,
): SessionEdit {
  const { prompt, subject, target } = e.outcome.request;
  return {
    prompt,
    subject,
    target,
    method: e.method,
    settings: settingsFor(e.method, e.settings),
    gen: [...e.gen],
    loc: [...e.loc],
  };
}

export function rememberEdit(before: readonly string[], edit: Cached): void {
  cache.set(chainKey(before, asSessionEdit(edit)), {
    id: edit.id,
    method: edit.method,
    settings: edit.settings,
    gen: edit.gen,
    loc: edit.loc,
    outcome: edit.outcome,
  });
}

export function recallEdit(before: readonly string[], edit: SessionEdit): Cached | undefined {
  return cache.get(chainKey(before, edit));
}

/** A new model load: its edit ids start again, so nothing cached can be reused. */
export function forgetEdits(): void {
  generation++;
  cache.clear();
}
