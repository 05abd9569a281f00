// What to try when an edit did not reach its target, per method, each as one setting (or another method) the
// user can apply in one click. Numbers are the editors' defaults from method-settings.ts, scaled.

import type { MethodName, MethodSettings } from '../../engine/types.ts';
import { fieldsOf, methodLabel } from './method-settings.ts';

export interface EditFix {
  /** The button's text: "Retry with ε = 0.2". */
  label: string;
  /** Why this may help, one sentence. */
  why: string;
  method: MethodName;
  settings: MethodSettings;
}

const defaultOf = (m: MethodName, key: keyof MethodSettings) =>
  fieldsOf(m).find((f) => f.key === key)?.defaultValue ?? null;

function scaled(m: MethodName, s: MethodSettings, key: keyof MethodSettings, factor: number, max: number) {
  const base = s[key] ?? defaultOf(m, key);
  return base === null || base === undefined ? null : Math.min(max, Number((base * factor).toPrecision(3)));
}

export function fixesFor(
  method: MethodName,
  settings: MethodSettings,
  nLayer: number,
  available: readonly MethodName[],
): EditFix[] {
  const fixes: EditFix[] = [];
  const add = (label: string, why: string, patch: MethodSettings, m = method) =>
    fixes.push({ label, why, method: m, settings: m === method ? { ...settings, ...patch } : patch });
  if (method === 'ft') {
    const eps = scaled('ft', settings, 'epsilon', 4, 10);
    if (eps !== null && eps !== settings.epsilon)
      add(`Retry with radius ε = ${eps}`, 'A larger L∞ radius lets the weights move further.', {
        epsilon: eps,
      });
    const steps = scaled('ft', settings, 'steps', 2, 1000);
    if (steps !== null && steps !== settings.steps)
      add(`Retry with ${steps} steps`, 'More Adam steps before it gives up.', { steps });
    for (let l = 0; l < nLayer; l++)
      if (l !== (settings.layer ?? Math.floor(nLayer / 2)))
        add(`Retry at layer ${l}`, 'Another block’s MLP may hold the fact.', { layer: l });
  } else if (method === 'ultraedit') {
    const lr = scaled('ultraedit', settings, 'lr', 3, 1);
    if (lr !== null && lr !== settings.lr)
      add(`Retry with step size ${lr}`, 'A larger closed-form step moves the weights further.', { lr });
  } else if (fieldsOf(method).some((f) => f.key === 'stepScale')) {
    const scale = settings.stepScale ?? 1;
    for (const f of [2, 4])
      add(`Retry with step scale ${scale * f}`, 'A larger step pushes the learned update further.', {
        stepScale: scale * f,
      });
  }
  for (const other of ['ibke', 'mend', 'ft'] as MethodName[])
    if (other !== method && available.includes(other))
      add(`Try ${methodLabel(other)}`, `Another method on the same edit.`, {}, other);
  return fixes.slice(0, 5);
}
