// The pre-edit preview: top-k of the current model for the draft prompt and every probe, so the charts show
// what the model says before anything is applied. Runs only when the engine is idle; a newer request wins.

import { useApp } from '../index.ts';
import { probeTexts } from '../session-doc.ts';
import { previewTask } from './edit.ts';
import { getEngine } from './engine-ref.ts';
import { CHART_TOP_K } from '../../model/chart-data.ts';

export function previewPrompts(): string[] {
  const s = useApp.getState();
  const { gen, loc } = probeTexts(s);
  return [s.draft.prompt.trim(), ...gen, ...loc].filter((p) => p !== '');
}

let latest = 0;

export async function refreshPreview(): Promise<void> {
  const s = useApp.getState();
  if (s.task || s.model.status !== 'ready') return;
  const prompts = previewPrompts();
  // The edits are part of the key: after an edit or an undo the same prompts read differently.
  const key = JSON.stringify([prompts, s.edits.map((e) => e.id)]);
  if (prompts.length === 0 || s.preview?.key === key) return;
  const ticket = ++latest;
  try {
    const answer = await previewTask(() => getEngine().call('predict', { prompts, k: CHART_TOP_K }));
    if (answer && ticket === latest) useApp.getState().setPreview({ key, results: answer.results });
  } catch {
    // A probe the model cannot read (too long, empty) shows up as an error when editing; the preview just
    // keeps its previous readings.
  }
}
