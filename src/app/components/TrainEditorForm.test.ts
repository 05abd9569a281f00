// The panel's form turns into the worker's options (the defaults round-trip), with one sentence for a field
// that is not a number; MEND gets none of IBKE's options.

import { describe, expect, it } from 'vitest';
import { formFromDefaults, optionsFromForm } from './TrainEditorForm.tsx';

describe('the panel form', () => {
  const defaults = {
    steps: 1500,
    batch: 8,
    lr: 1e-3,
    beta: 1e-3,
    latentLength: 4,
    lambdas: { rel: 0.1, gen: 0.1, loc: 1 },
    layers: ['2.mlp.in', '2.mlp.down'],
  };

  it('gives the worker the defaults back as options', () => {
    const r = optionsFromForm('ibke', formFromDefaults(defaults));
    expect(r).toMatchObject({
      options: { method: 'ibke', steps: 1500, batch: 8, lr: 1e-3, beta: 1e-3, latentLength: 4 },
      validation: 16,
      validateEvery: 25,
    });
    expect('options' in r && r.options.lambdas).toEqual(defaults.lambdas);
  });

  it('says which field is not a number, and MEND gets no IBKE options', () => {
    const form = { ...formFromDefaults(defaults), batch: 'eight' };
    expect(optionsFromForm('ibke', form)).toEqual({ error: 'Batch must be a number.' });
    const mend = optionsFromForm('mend', { ...formFromDefaults({ ...defaults, rank: 1 }), beta: '' });
    expect('options' in mend && mend.options).not.toHaveProperty('beta');
    expect(optionsFromForm('ibke', { ...formFromDefaults(defaults), layers: [] })).toEqual({
      error: 'Choose at least one layer for the editor to edit.',
    });
  });
});
