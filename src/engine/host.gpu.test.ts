// The engine host on a tiny GPT-2: device-loss replay keeps edit ids (undo works afterwards), reset then load,
// editors freed on model change, an editor file trained for other weights refused on its own, and a refused load that leaves the current model and its edits in place.
// A device loss is simulated by a device whose `lost` promise the test resolves (everything else is the real
// device), because destroying a device ourselves reports reason 'destroyed', which the engine ignores.

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AcquiredDevice } from '../gpu/adapter.ts';
import { acquireNodeDevice } from '../gpu/node.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import { gpt2Shape } from '../model/gpt2/dims.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { HypernetEditor } from '../editors/hyper/editor.ts';
import { serializeEditorFiles, EDITOR_FILES, editorDir } from '../editors/hyper/files.ts';
import { createHypernet, defaultIbkeConfig, defaultMendConfig } from '../editors/hyper/index.ts';
import { modelFingerprint } from '../editors/hyper/fingerprint.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { EngineHost, type LoadedSource } from './host.ts';
import { GpuContext } from '../gpu/context.ts';

const DIMS = GPT2_PRESETS.tiny;
const CKPT = tinyCheckpoint(DIMS, 4);
const FILES = serializeCheckpoint(CKPT);
const EDIT = {
  request: { prompt: 'the cat sat on', subject: 'the cat', target: ' mat' },
  method: 'ft' as const,
  settings: { steps: 3 },
  gen: [],
  loc: [],
  skipContinuation: true,
};

function source(editorFiles: LoadedSource['editorFiles'] = async () => null): LoadedSource {
  return { source: { kind: 'local', label: 'tiny' }, name: 'tiny', files: FILES, editorFiles };
}

/** Real devices whose loss the test triggers: `lose(i)` resolves device i's `lost` as a driver would. */
function losableDevices() {
  const lost: ((info: GPUDeviceLostInfo) => void)[] = [];
  const acquire = async (): Promise<AcquiredDevice> => {
    const real = await acquireNodeDevice();
    const lostPromise = new Promise<GPUDeviceLostInfo>((resolve) => lost.push(resolve));
    const device = new Proxy(real.device, {
      get(target, key) {
        if (key === 'lost') return lostPromise;
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    return { ...real, device };
  };
  const lose = (i: number) =>
    lost[i]({ reason: 'unknown', message: 'test: device lost' } as unknown as GPUDeviceLostInfo);
  return { acquire, lose, count: () => lost.length };
}

afterEach(() => vi.restoreAllMocks());

describe('EngineHost', () => {
  it('replays the edits under the same ids after a device loss, so undo still works', async () => {
    const devices = losableDevices();
    let recovered: Promise<void> | null = null;
    const host = new EngineHost(devices.acquire, (_message, done) => (recovered = done));
    await host.load(source());
    const a = await host.edit(EDIT);
    const b = await host.edit({ ...EDIT, request: { ...EDIT.request, target: ' hat' } });
    expect([a.editId, b.editId]).toEqual(['e1', 'e2']);
    // The outcome names the one matrix FT-L changed, its size and the unedited floor (issue 13 item 3).
    expect(a.site?.weights).toEqual([expect.stringMatching(/^h\.\d+\.mlp\.c_proj\.weight$/)]);
    expect(a.metrics.updateSize).toBeGreaterThan(0);
    expect(a.metrics.reliabilityFloor).toBeGreaterThanOrEqual(0);
    const prompt = [[...CKPT.tokenizer.encode('the cat sat on')]];
    const before = await host.current.view.model.topNext(prompt, 5);

    devices.lose(0);
    await vi.waitFor(() => expect(recovered).not.toBeNull());
    await recovered;
    expect(devices.count()).toBe(2); // a new device
    expect(host.current.stack.patches.map((p) => p.id)).toEqual(['e1', 'e2']);
    expect(await host.current.view.model.topNext(prompt, 5)).toEqual(before); // the same edits, replayed
    expect(host.revert('e1')).toEqual(['e2']);
    const c = await host.edit(EDIT);
    expect(c.editId).toBe('e3'); // numbering continues after the replayed ids
    host.unload();
  }, 300_000); // two loads and four edits on a CPU adapter

  it('reset followed by a load (the patch stack goes before the model it points into)', async () => {
    const host = new EngineHost(acquireNodeDevice, () => {});
    await host.load(source());
    await host.edit(EDIT);
    host.reset();
    await host.load(source());
    const again = await host.edit(EDIT);
    expect(again.editId).toBe('e1'); // ids are per session
    host.reset();
    await host.load(source());
    host.unload();
  });

  it('frees the MEND and IBKE editors when the model changes', async () => {
    const ctx = new GpuContext(await acquireNodeDevice());
    const shape = gpt2Shape(DIMS);
    const files = new Map<string, Uint8Array>();
    for (const method of ['mend', 'ibke'] as const) {
      const cfg = method === 'mend' ? defaultMendConfig(shape) : defaultIbkeConfig(shape, { dHidden: 16 });
      const net = createHypernet(ctx, shape, cfg);
      const f = serializeEditorFiles(await net.save(), shape);
      net.destroy();
      files.set(`${editorDir(method)}/${EDITOR_FILES.config}`, new TextEncoder().encode(f.config));
      files.set(`${editorDir(method)}/${EDITOR_FILES.weights}`, f.weights);
    }
    ctx.destroy();
    const destroyed = vi.spyOn(HypernetEditor.prototype, 'destroy');
    const host = new EngineHost(acquireNodeDevice, () => {});
    const info = await host.load(source(async (name) => files.get(name) ?? null));
    expect(info.methods).toEqual(expect.arrayContaining(['ft', 'ibke', 'mend']));
    expect(destroyed).not.toHaveBeenCalled();
    await host.load(source());
    expect(destroyed).toHaveBeenCalledTimes(2);
    host.unload();
  });

  it('refuses an editor file trained for other weights on its own: the model loads without it and says why', async () => {
    const ctx = new GpuContext(await acquireNodeDevice());
    const shape = gpt2Shape(DIMS);
    // Same shapes, other seed: only the fingerprint tells the models apart.
    const same = new Gpt2Model(ctx, DIMS, CKPT.weights, 'same');
    const other = new Gpt2Model(ctx, DIMS, tinyCheckpoint(DIMS, 5).weights, 'other');
    const fingerprints = { mend: await modelFingerprint(other), ibke: await modelFingerprint(same) };
    same.destroy();
    other.destroy();
    const files = new Map<string, Uint8Array>();
    for (const method of ['mend', 'ibke'] as const) {
      const cfg = method === 'mend' ? defaultMendConfig(shape) : defaultIbkeConfig(shape, { dHidden: 16 });
      const net = createHypernet(ctx, shape, cfg);
      const f = serializeEditorFiles(await net.save(), shape, fingerprints[method]);
      net.destroy();
      files.set(`${editorDir(method)}/${EDITOR_FILES.config}`, new TextEncoder().encode(f.config));
      files.set(`${editorDir(method)}/${EDITOR_FILES.weights}`, f.weights);
    }
    ctx.destroy();
    const host = new EngineHost(acquireNodeDevice, () => {});
    const info = await host.load(source(async (name) => files.get(name) ?? null));
    expect(info.methods).toContain('ibke');
    expect(info.methods).not.toContain('mend');
    expect(info.editorNotes).toEqual([
      expect.stringMatching(/^MEND is not offered: .*trained for other weights/),
    ]);
    // The model itself works: FT-L edits it.
    const a = await host.edit(EDIT);
    expect(host.current.stack.patches.map((p) => p.id)).toEqual([a.editId]);
    host.unload();
  });

  it('a refused load leaves the current model and its edits in place', async () => {
    const host = new EngineHost(acquireNodeDevice, () => {});
    await host.load(source());
    const a = await host.edit(EDIT);
    const broken = { ...source(), files: { ...FILES, config: '{"model_type": "gpt2", "n_layer": -1}' } };
    await expect(host.load(broken)).rejects.toThrow(/config\.json/);
    const noWeights = { ...source(), files: { ...FILES, safetensors: FILES.safetensors.subarray(0, 64) } };
    await expect(host.load(noWeights)).rejects.toThrow(/model\.safetensors/);
    expect(host.current.stack.patches.map((p) => p.id)).toEqual([a.editId]);
    expect(host.revert(a.editId)).toEqual([]);
    const [top] = await host.current.predict(['the cat sat on'], 3);
    expect(top.top).toHaveLength(3);
    host.unload();
  });
});
