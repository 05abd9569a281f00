// `eval/edit --editor DIR`: one hypernetwork editor's files come from a train-editor output folder, every other
// file (ROME's covariance, the other editor) still from the model folder; methods without a trained editor refuse.

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorOverride, folderFiles } from './edit.ts';

const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

async function folders() {
  const root = await mkdtemp(join(tmpdir(), 'editscope-editor-'));
  const model = join(root, 'model');
  const trained = join(root, 'trained');
  await mkdir(join(model, 'editors', 'ibke'), { recursive: true });
  await mkdir(join(model, 'editors', 'mend'), { recursive: true });
  await mkdir(trained);
  await writeFile(join(model, 'editors', 'ibke', 'config.json'), 'shipped ibke');
  await writeFile(join(model, 'editors', 'mend', 'config.json'), 'shipped mend');
  await writeFile(join(model, 'rome-cov-l0.safetensors'), 'cov');
  await writeFile(join(trained, 'config.json'), 'trained ibke');
  return { model, trained };
}

describe('folderFiles with --editor', () => {
  it("reads the overridden editor's files from its folder and everything else from the model", async () => {
    const { model, trained } = await folders();
    const files = folderFiles(model, { method: 'ibke', dir: trained });
    expect(text(await files('editors/ibke/config.json'))).toBe('trained ibke');
    expect(text(await files('editors/mend/config.json'))).toBe('shipped mend');
    expect(text(await files('rome-cov-l0.safetensors'))).toBe('cov');
    expect(await files('editors/ibke/editor.safetensors')).toBeNull(); // absent in the trained folder
  });

  it('reads the model folder alone without an override', async () => {
    const { model } = await folders();
    expect(text(await folderFiles(model)('editors/ibke/config.json'))).toBe('shipped ibke');
  });
});

describe('editorOverride', () => {
  it('is absent without --editor and names the folder with it', async () => {
    expect(editorOverride({}, 'ibke', 'usage')).toBeUndefined();
    const { trained } = await folders();
    await writeFile(join(trained, 'editor.safetensors'), 'weights');
    expect(editorOverride({ editor: trained }, 'mend', 'usage')).toEqual({ method: 'mend', dir: trained });
  });

  it("refuses a folder without an editor's files, naming what is missing", async () => {
    const { trained } = await folders(); // config.json only
    expect(() => editorOverride({ editor: trained }, 'ibke', 'usage')).toThrow(
      /has no editor\.safetensors: give the folder train-editor wrote/,
    );
  });

  it('refuses --editor for a method with no trained editor', () => {
    expect(() => editorOverride({ editor: '/tmp/x' }, 'rome', 'usage')).toThrow(
      /MEND or IBKE.*rome has none/,
    );
  });
});
