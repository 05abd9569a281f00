// The training settings from user options: defaults per method, the edited layers checked against the model,
// and a sentence for every option that is out of range or belongs to the other method.

import { describe, expect, it } from 'vitest';
import { gpt2Shape } from '../../model/gpt2/dims.ts';
import { parseTrainingState, TrainingCheckpointError } from './run.ts';
import { trainingSettings, TrainingOptionsError } from './options.ts';

const MODEL = gpt2Shape({ nLayer: 4, nHead: 2, nEmbd: 32, nPositions: 16, vocabSize: 64, eps: 1e-5 });
const data = { file: 'train.json', edits: 10 };

describe('trainingSettings', () => {
  it('fills the defaults of each method and records the backbone', () => {
    const ibke = trainingSettings(MODEL, { method: 'ibke', data });
    expect(ibke.beta).toBe(1e-3);
    expect(ibke.lambdas).toEqual({ rel: 0.1, gen: 0.1, loc: 1 });
    expect(ibke.hypernet.editedLayers).toEqual([
      '1.mlp.in',
      '1.mlp.down',
      '2.mlp.in',
      '2.mlp.down',
      '3.mlp.in',
      '3.mlp.down',
    ]);
    expect(ibke.backbone.architecture).toBe('gpt2');
    const mend = trainingSettings(MODEL, { method: 'mend', data, steps: 20, lambdas: { loc: 2 } });
    expect(mend.beta).toBe(0);
    expect(mend.steps).toBe(20);
    expect(mend.lambdas).toEqual({ rel: 0, gen: 0.1, loc: 2 });
  });

  it('takes chosen layers and refuses ones the model lacks', () => {
    const s = trainingSettings(MODEL, { method: 'ibke', data, layers: ['3.mlp.down'] });
    expect(s.hypernet.editedLayers).toEqual(['3.mlp.down']);
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, layers: ['3.mlp.gate'] })).toThrow(
      /has no layer mlp.gate in block 3/,
    );
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, layers: ['3.mlp.in', '3.mlp.in'] })).toThrow(
      TrainingOptionsError,
    );
  });

  it('refuses mixed-up and out-of-range options with a sentence', () => {
    expect(() => trainingSettings(MODEL, { method: 'mend', data, beta: 0.1 })).toThrow(/IBKE options/);
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, rank: 4 })).toThrow(/MEND option/);
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, noIb: true, beta: 0.1 })).toThrow(/β = 0/);
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, steps: 0 })).toThrow(/steps must be/);
    expect(() => trainingSettings(MODEL, { method: 'ibke', data, lr: Number.NaN })).toThrow(/lr must be/);
    expect(() =>
      trainingSettings(MODEL, { method: 'mend', data, lambdas: { rel: 0, gen: 0, loc: 0 } }),
    ).toThrow(/no term/);
  });
});

describe('parseTrainingState', () => {
  it('refuses a damaged or foreign state with a sentence', () => {
    expect(() => parseTrainingState('{', 'state.json')).toThrow(TrainingCheckpointError);
    expect(() => parseTrainingState('{"step": -1}', 'state.json')).toThrow(/not an editor training state/);
    const ok = parseTrainingState(JSON.stringify({ step: 3, settings: {}, history: [] }), 'state.json');
    expect(ok.curve).toEqual([]);
  });
});
