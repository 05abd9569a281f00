import { describe, expect, it } from 'vitest';
import { serializeSafetensors } from '../model/safetensors.ts';
import { parseManifest, patchesOf, PATCH_FORMAT, PatchFileError } from './patch-file.ts';

const manifest = () => ({
  format: PATCH_FORMAT,
  version: 1,
  model: { name: 'fact-world', architecture: 'gpt2', fingerprint: '0123456789abcdef' },
  edits: [
    {
      method: 'ibke',
      request: { prompt: 'The capital of France is', subject: 'France', target: ' Rome' },
      settings: { stepScale: 2 },
      gen: ["France's capital city is"],
      loc: ['The capital of Germany is'],
      deltas: [
        {
          block: 2,
          role: 'mlp.down',
          param: 'h.2.mlp.c_proj.weight',
          nIn: 3,
          nOut: 2,
          rank: 1,
          dense: false,
        },
      ],
    },
  ],
});
const tensors = serializeSafetensors([
  { name: '0.0.left', shape: [1, 3], data: new Float32Array([1, 2, 3]) },
  { name: '0.0.right', shape: [1, 2], data: new Float32Array([4, 5]) },
]);

describe('patch files', () => {
  it('reads a manifest and its factors back into patches', () => {
    const m = parseManifest(JSON.stringify(manifest()));
    expect(m.edits[0].request.target).toBe(' Rome');
    const [p] = patchesOf(m, tensors);
    expect(p.method).toBe('ibke');
    expect(p.deltas[0]).toMatchObject({ block: 2, role: 'mlp.down', nIn: 3, nOut: 2, rank: 1 });
    expect([...p.deltas[0].left]).toEqual([1, 2, 3]);
    expect([...p.deltas[0].right]).toEqual([4, 5]);
  });

  it('refuses hostile or damaged manifests with a sentence', () => {
    const bad: [string, unknown][] = [
      ['not JSON', '{'],
      ['another format', { ...manifest(), format: 'other' }],
      ['newer version', { ...manifest(), version: 9 }],
      ['no edits', { ...manifest(), edits: [] }],
      ['unknown method', { ...manifest(), edits: [{ ...manifest().edits[0], method: 'alphaedit' }] }],
      [
        'unknown role',
        {
          ...manifest(),
          edits: [{ ...manifest().edits[0], deltas: [{ ...manifest().edits[0].deltas[0], role: 'x' }] }],
        },
      ],
      [
        'negative rank',
        {
          ...manifest(),
          edits: [{ ...manifest().edits[0], deltas: [{ ...manifest().edits[0].deltas[0], rank: -1 }] }],
        },
      ],
      ['no fingerprint', { ...manifest(), model: { name: 'x', architecture: 'gpt2' } }],
    ];
    for (const [what, v] of bad)
      expect(() => parseManifest(typeof v === 'string' ? v : JSON.stringify(v)), what).toThrow(
        PatchFileError,
      );
  });

  it('refuses factors whose shapes disagree with the manifest', () => {
    const m = parseManifest(JSON.stringify(manifest()));
    const wrong = serializeSafetensors([
      { name: '0.0.left', shape: [1, 2], data: new Float32Array([1, 2]) },
      { name: '0.0.right', shape: [1, 2], data: new Float32Array([4, 5]) },
    ]);
    expect(() => patchesOf(m, wrong)).toThrow(/0\.0\.left of shape \[1, 3\]/);
  });
});
