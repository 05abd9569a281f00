// Editors are files for one model: train-editor's config.json records the weights fingerprint and the edited
// layers' role table; the same weights (another model object) are accepted, other weights of the same shape
// (another seed) are refused with a sentence, a tampered role table is refused, a file without a fingerprint
// (version 1, the shipped fact-world editors) is accepted on its shape checks.

import { describe, expect, it } from 'vitest';
import { testContext } from '../../gpu/testing.ts';
import { tinyRandomTarget, TOY_ARCHITECTURES } from '../toy-model.testing.ts';
import { EditorWeightsError } from '../types.ts';
import { readEditorFiles, serializeEditorFiles } from './files.ts';
import { checkEditorFingerprint, modelFingerprint, recordedFingerprint } from './fingerprint.ts';
import { createHypernet, defaultMendConfig } from './index.ts';

describe.each(TOY_ARCHITECTURES)('editor fingerprint on a tiny %s', (arch) => {
  it('accepts the same weights, refuses other weights and a changed role table', async () => {
    const ctx = await testContext();
    const { model } = tinyRandomTarget(ctx, arch, 5);
    const twin = tinyRandomTarget(ctx, arch, 5).model;
    const other = tinyRandomTarget(ctx, arch, 6).model;
    const net = createHypernet(ctx, model, defaultMendConfig(model, {}));
    const fp = await modelFingerprint(model);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(await modelFingerprint(twin)).toBe(fp);
    expect(await modelFingerprint(other)).not.toBe(fp);
    const files = serializeEditorFiles(await net.save(), model, fp);
    net.destroy();
    expect(recordedFingerprint(files.config)).toBe(fp);
    const file = JSON.parse(files.config) as { architecture: string; model: { layers: object } };
    expect(file.architecture).toBe(arch);
    expect(Object.keys(file.model.layers)).toEqual(defaultMendConfig(model, {}).editedLayers);

    await expect(checkEditorFingerprint('mend', files.config, twin)).resolves.toBeUndefined();
    await expect(checkEditorFingerprint('mend', files.config, other)).rejects.toThrow(
      /MEND editor was trained for other weights/,
    );
    await expect(checkEditorFingerprint('mend', files.config, other)).rejects.toBeInstanceOf(
      EditorWeightsError,
    );
    // Same shapes, so the shape checks alone pass: the fingerprint is what tells the models apart.
    expect(() => readEditorFiles('mend', files.config, files.weights, other)).not.toThrow();

    // A role table naming another tensor for a layer is refused.
    const key = Object.keys(file.model.layers)[0];
    const tampered = JSON.parse(files.config) as { model: { layers: Record<string, { param: string }> } };
    tampered.model.layers[key].param = 'not.this.weight';
    expect(() => readEditorFiles('mend', JSON.stringify(tampered), files.weights, model)).toThrow(
      /was "not.this.weight".*Train an editor for this model/,
    );

    // No fingerprint recorded (older files): accepted.
    const legacy = serializeEditorFiles(
      { ...(await createHypernet(ctx, model, defaultMendConfig(model, {})).save()) },
      model,
    );
    expect(recordedFingerprint(legacy.config)).toBeNull();
    await expect(checkEditorFingerprint('mend', legacy.config, other)).resolves.toBeUndefined();
    for (const m of [model, twin, other]) m.destroy();
  });
});
