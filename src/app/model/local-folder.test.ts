import { describe, expect, it } from 'vitest';
import { pickCheckpointFiles } from './local-folder.ts';

describe('local checkpoint folder', () => {
  it('finds the three files, preferring the shallowest copy', () => {
    const pick = pickCheckpointFiles([
      { path: 'gpt2/onnx/config.json', size: 10 },
      { path: 'gpt2/config.json', size: 10 },
      { path: 'gpt2/model.safetensors', size: 100 },
      { path: 'gpt2/tokenizer.json', size: 10 },
    ]);
    expect(pick).toEqual({
      ok: true,
      index: { 'config.json': 1, 'model.safetensors': 2, 'tokenizer.json': 3 },
      folder: 'gpt2',
    });
  });

  it('names every missing file', () => {
    const pick = pickCheckpointFiles([
      { path: 'gpt2/pytorch_model.bin', size: 1 },
      { path: 'gpt2/config.json', size: 1 },
    ]);
    expect(pick.ok).toBe(false);
    if (!pick.ok) expect(pick.message).toMatch(/no model.safetensors and no tokenizer.json/);
    expect(pickCheckpointFiles([])).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
  });

  it('refuses weights too large for a browser tab before reading them', () => {
    const pick = pickCheckpointFiles([
      { path: 'x/config.json', size: 1 },
      { path: 'x/model.safetensors', size: 6 * 2 ** 30 },
      { path: 'x/tokenizer.json', size: 1 },
    ]);
    expect(pick).toMatchObject({ ok: false, message: expect.stringMatching(/6.0 GiB/) });
  });
});
