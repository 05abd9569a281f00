// An exported editor's config.json gets this model's fingerprint and layer roles (a shipped version 1 file,
// which names GPT-2 parameters, included), so the file refuses any other model.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelShape } from '../model/language-model.ts';
import { stampEditorConfig } from './training-calls.ts';

const ROLES: Record<string, [string, number, number]> = {
  'mlp.in': ['c_fc', 128, 512],
  'mlp.down': ['c_proj', 512, 128],
};
const shape = {
  architecture: 'gpt2',
  linear: (block: number, role: string) => {
    const [name, nIn, nOut] = ROLES[role];
    return { block, role, param: `h.${block}.mlp.${name}.weight`, biasParam: null, nIn, nOut };
  },
} as unknown as ModelShape;

describe('stampEditorConfig', () => {
  it('adds the fingerprint and the role table to the shipped version 1 IBKE config', () => {
    const text = readFileSync('public/models/fact-world/editors/ibke/config.json', 'utf8');
    const out = JSON.parse(stampEditorConfig(text, shape as never, '0123456789abcdef'));
    expect(out.model.fingerprint).toBe('0123456789abcdef');
    expect(out.model.layers['0.mlp.in']).toEqual({ param: 'h.0.mlp.c_fc.weight', nIn: 128, nOut: 512 });
    expect(Object.keys(out.model.layers)).toHaveLength(6);
    expect(out.config).toEqual(JSON.parse(text).config); // the editor itself is unchanged
  });

  it('keeps a fingerprint the file already records', () => {
    const text = JSON.stringify({ model: { fingerprint: 'aaaa' }, config: { editedLayers: ['1.mlp.down'] } });
    const out = JSON.parse(stampEditorConfig(text, shape as never, 'bbbb'));
    expect(out.model.fingerprint).toBe('aaaa');
    expect(out.model.layers['1.mlp.down'].param).toBe('h.1.mlp.c_proj.weight');
  });
});
