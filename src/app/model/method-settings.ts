// The settings each method exposes in the edit panel (a subset of MethodSettings), with the engine's defaults
// shown as placeholders. An empty field means "engine default": nothing is sent, so the editors' own defaults
// (src/editors) stay the single source of truth; method-settings.test.ts checks FT-L's numbers against them.

import type { MethodName, MethodSettings } from '../../engine/types.ts';

export interface SettingField {
  key: keyof MethodSettings;
  label: string;
  /** The engine's default; null where there is no one number (the middle block, an option that is off). */
  defaultValue: number | null;
  /** What an empty field means where there is no default number ("middle", "off"). */
  emptyMeans?: string;
  min: number;
  max: number;
  step: number | 'any';
  integer: boolean;
  help: string;
}

const LAYER: SettingField = {
  key: 'layer',
  label: 'Layer',
  defaultValue: null,
  emptyMeans: 'middle',
  min: 0,
  max: 255,
  step: 1,
  integer: true,
  help: 'Which block’s MLP output weight (mlp.c_proj) is changed. Default: the middle block.',
};

const STEP_SCALE: SettingField = {
  key: 'stepScale',
  label: 'Step scale',
  defaultValue: 1,
  min: 0,
  max: 100,
  step: 'any',
  integer: false,
  help: 'Multiplies the learned step size α of the weight update: above 1 pushes harder, below 1 more gently.',
};

// Every method (the engine wraps each editor in src/editors/sequential-guard.ts): off unless set.
const MAX_UPDATE: SettingField = {
  key: 'maxUpdate',
  label: 'Max update ‖ΔW‖/‖W‖',
  defaultValue: null,
  emptyMeans: 'off',
  min: 1e-6,
  max: 100,
  step: 'any',
  integer: false,
  help: 'Scales the edit down so that no changed matrix moves by more than this fraction of its norm: compares methods at the same update size, and keeps stacked edits from growing.',
};

const PROTECT_EARLIER: SettingField = {
  key: 'protectEarlier',
  label: 'Protect earlier edits μ',
  defaultValue: null,
  emptyMeans: 'off',
  min: 1e-6,
  max: 1e6,
  step: 'any',
  integer: false,
  help: 'For edits stacked on earlier ones: damps the new update along the inputs the earlier edits used (smaller μ protects more). Off for the first edit.',
};

const GUARD = [MAX_UPDATE, PROTECT_EARLIER];

// Partial (as the labels below): a method added to MethodName elsewhere shows with no settings, not a build error.
export const METHOD_FIELDS: Partial<Record<MethodName, SettingField[]>> = {
  ibke: [STEP_SCALE, ...GUARD],
  mend: [STEP_SCALE, ...GUARD],
  rome: [LAYER, ...GUARD],
  ft: [
    {
      key: 'steps',
      label: 'Adam steps',
      defaultValue: 40,
      min: 1,
      max: 1000,
      step: 1,
      integer: true,
      help: 'At most this many gradient steps; it stops early once every target token is the top prediction.',
    },
    {
      key: 'lr',
      label: 'Learning rate',
      defaultValue: 5e-3,
      min: 1e-7,
      max: 1,
      step: 'any',
      integer: false,
      help: 'Adam’s step size: each step moves a weight by about this much.',
    },
    {
      key: 'epsilon',
      label: 'L∞ radius ε',
      defaultValue: 5e-2,
      min: 0,
      max: 10,
      step: 'any',
      integer: false,
      help: 'No weight may move further than ε from its original value (the “constrained” in constrained fine-tuning).',
    },
    LAYER,
    ...GUARD,
  ],
  ultraedit: [
    {
      key: 'lr',
      label: 'Step size',
      defaultValue: 0.02,
      min: 1e-7,
      max: 1,
      step: 'any',
      integer: false,
      help: 'The size of the closed-form update (v = −step·‖u‖²·δ): larger edits harder and disturbs more.',
    },
    ...GUARD,
  ],
};

export const METHOD_LABELS: Partial<Record<MethodName, string>> = {
  ibke: 'IBKE',
  mend: 'MEND',
  rome: 'ROME',
  ft: 'FT-L',
  ultraedit: 'UltraEdit',
};

/** The method's display name ("FT-L"); an unknown method shows as its id in capitals. */
export const methodLabel = (m: MethodName): string => METHOD_LABELS[m] ?? m.toUpperCase();

/** The empty field's placeholder: the engine's default, or what leaving it empty means. */
export const placeholderOf = (f: SettingField): string =>
  f.defaultValue === null ? (f.emptyMeans ?? '') : String(f.defaultValue);

/** The settings fields a method exposes (none for a method this file does not know yet). */
export const fieldsOf = (m: MethodName): SettingField[] => METHOD_FIELDS[m] ?? [];

/** Parses what the user typed into a settings field: undefined for empty (engine default), or a sentence. */
export function parseSetting(
  field: SettingField,
  raw: string,
): { value: number | undefined } | { error: string } {
  const s = raw.trim();
  if (s === '') return { value: undefined };
  const v = Number(s);
  if (!Number.isFinite(v) || v < field.min || v > field.max || (field.integer && !Number.isInteger(v)))
    return {
      error: `${field.label} must be ${field.integer ? 'a whole number' : 'a number'} from ${field.min} to ${field.max}.`,
    };
  return { value: v };
}

/** Only the fields the method uses, so a settings object never carries another method's leftovers. */
export function settingsFor(method: MethodName, settings: MethodSettings = {}): MethodSettings {
  const out: MethodSettings = {};
  for (const f of fieldsOf(method)) if (settings[f.key] !== undefined) out[f.key] = settings[f.key];
  return out;
}

/** "steps 40 · lr 0.005" for the history list; "defaults" when nothing is set. */
export function describeSettings(method: MethodName, settings: MethodSettings): string {
  const parts = fieldsOf(method)
    .filter((f) => settings[f.key] !== undefined)
    .map((f) => `${f.label.toLowerCase()} ${settings[f.key]}`);
  return parts.length ? parts.join(' · ') : 'defaults';
}
