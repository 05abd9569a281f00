import { describe, expect, it } from 'vitest';
import { FT_DEFAULTS } from '../../editors/ft.ts';
import { describeSettings, fieldsOf, parseSetting, placeholderOf, settingsFor } from './method-settings.ts';

describe('method settings', () => {
  it('shows FT-L’s real defaults as placeholders', () => {
    const shown = Object.fromEntries(fieldsOf('ft').map((f) => [f.key, f.defaultValue]));
    expect(shown).toMatchObject({
      steps: FT_DEFAULTS.steps,
      lr: FT_DEFAULTS.lr,
      epsilon: FT_DEFAULTS.epsilon,
    });
  });

  it('shows each default as its placeholder, and "off" for the options that are off unless set', () => {
    for (const m of ['ibke', 'mend', 'rome', 'ft', 'ultraedit'] as const)
      for (const f of fieldsOf(m))
        if (f.defaultValue !== null) expect(Number(placeholderOf(f))).toBe(f.defaultValue);
        else expect(placeholderOf(f)).not.toBe('');
    const guard = fieldsOf('rome').filter((f) => f.key === 'maxUpdate' || f.key === 'protectEarlier');
    expect(guard.map(placeholderOf)).toEqual(['off', 'off']);
    expect(placeholderOf(fieldsOf('ft')[1])).toBe('0.005');
  });

  it('offers the update cap and earlier-edit protection for every method (the engine guards each editor)', () => {
    for (const m of ['ibke', 'mend', 'rome', 'ft', 'ultraedit'] as const)
      expect(fieldsOf(m).map((f) => f.key)).toEqual(expect.arrayContaining(['maxUpdate', 'protectEarlier']));
    expect(settingsFor('ft', { maxUpdate: 0.1, stepScale: 2 })).toEqual({ maxUpdate: 0.1 });
  });

  it('parses typed values: empty is the default, out of range is a sentence', () => {
    const steps = fieldsOf('ft')[0];
    expect(parseSetting(steps, '')).toEqual({ value: undefined });
    expect(parseSetting(steps, ' 25 ')).toEqual({ value: 25 });
    expect(parseSetting(steps, '2.5')).toEqual({
      error: 'Adam steps must be a whole number from 1 to 1000.',
    });
    expect(parseSetting(steps, 'abc')).toHaveProperty('error');
  });

  it('keeps only the method’s own fields and describes them', () => {
    expect(settingsFor('rome', { steps: 5, layer: 2 })).toEqual({ layer: 2 });
    expect(describeSettings('ft', { steps: 5, lr: 0.1 })).toBe('adam steps 5 · learning rate 0.1');
    expect(describeSettings('ibke', {})).toBe('defaults');
  });
});
