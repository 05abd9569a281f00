// The method picker (IBKE, MEND, ROME, FT-L, UltraEdit) with the chosen method's main settings and its explanation.
// A method the loaded model has no editor for is shown but disabled, with the reason as its title.

import { useState } from 'react';
import type { MethodName } from '../../engine/types.ts';
import { METHOD_EXPLANATIONS } from '../model/explanations.ts';
import {
  fieldsOf,
  methodLabel,
  parseSetting,
  placeholderOf,
  type SettingField,
} from '../model/method-settings.ts';
import { METHOD_NAMES } from '../permalink/schema.ts';
import { useApp } from '../store/index.ts';
import { Explain } from './Explain.tsx';

export function MethodPicker() {
  const method = useApp((s) => s.draft.method);
  const available = useApp((s) => s.model.info?.methods ?? null);
  const setDraft = useApp((s) => s.setDraft);
  return (
    <div className="method-picker">
      <div className="segmented" role="radiogroup" aria-label="Editing method" data-testid="method-picker">
        {METHOD_NAMES.map((m) => {
          const missing = available !== null && !available.includes(m);
          return (
            <button
              key={m}
              role="radio"
              aria-checked={m === method}
              className={m === method ? 'active' : ''}
              onClick={() => setDraft({ method: m })}
              title={
                missing
                  ? `This model has no ${methodLabel(m)} editor (no trained weights or cache for it).`
                  : undefined
              }
              data-testid={`method-${m}`}
              data-available={missing ? 'false' : 'true'}
            >
              {methodLabel(m)}
              {missing && <span className="unavailable-dot" aria-label="not available for this model" />}
            </button>
          );
        })}
      </div>
      <MethodSettingsForm key={method} method={method} />
      {METHOD_EXPLANATIONS[method] && (
        <Explain explanation={METHOD_EXPLANATIONS[method]} testId="method-explanation" />
      )}
    </div>
  );
}

function MethodSettingsForm({ method }: { method: MethodName }) {
  return (
    <div className="settings-grid" data-testid="method-settings">
      {fieldsOf(method).map((f) => (
        <SettingInput key={f.key} method={method} field={f} />
      ))}
    </div>
  );
}

function SettingInput({ method, field }: { method: MethodName; field: SettingField }) {
  const value = useApp((s) => s.settings[method]?.[field.key]);
  const setSetting = useApp((s) => s.setSetting);
  const [raw, setRaw] = useState(value === undefined ? '' : String(value));
  const [error, setError] = useState<string | null>(null);
  // A value set from elsewhere (a suggested fix after a failed edit, an opened session) shows in the field
  // (React's "adjust state when a prop changes" pattern: compared during render, no effect).
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    const parsed = parseSetting(field, raw);
    if (!('value' in parsed) || parsed.value !== value) {
      setRaw(value === undefined ? '' : String(value));
      setError(null);
    }
  }
  const id = `setting-${method}-${field.key}`;
  const onChange = (text: string) => {
    setRaw(text);
    const parsed = parseSetting(field, text);
    if ('error' in parsed) return setError(parsed.error);
    setError(null);
    setSetting(method, field.key, parsed.value);
  };
  return (
    <label className="setting" htmlFor={id} title={field.help}>
      <span>{field.label}</span>
      <input
        id={id}
        inputMode="decimal"
        value={raw}
        placeholder={placeholderOf(field)}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error !== null}
        data-testid={`setting-${field.key}`}
      />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
