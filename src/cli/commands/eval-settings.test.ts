// `editscope eval --settings`: a JSON object of numbers whose keys are method settings; anything else is refused
// with a sentence (an unknown key used to be ignored silently: '{"klWeight": 1}' ran ROME at its defaults).

import { describe, expect, it } from 'vitest';
import { parseSettings } from './eval.ts';

describe('eval --settings', () => {
  it('passes method settings through', () => {
    expect(parseSettings('{"steps": 20, "lr": 0.01, "layer": 2}')).toEqual({ steps: 20, lr: 0.01, layer: 2 });
    expect(parseSettings(undefined)).toBeUndefined();
  });

  it('names an unknown key and lists the settings', () => {
    expect(() => parseSettings('{"klWeight": 1}')).toThrow(/"klWeight" is not a method setting.*steps, lr/);
  });

  it('refuses what is not an object of finite numbers', () => {
    expect(() => parseSettings('[1]')).toThrow(/JSON object/);
    expect(() => parseSettings('{"steps": "20"}')).toThrow(/"steps" must be a number/);
    expect(() => parseSettings('{steps: 20}')).toThrow(/JSON object/);
  });
});
