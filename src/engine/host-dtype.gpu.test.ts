// The engine host loading a model in a packed weight format (the app's dtype choice, issue 10 item 5): the
// linears really are packed on the GPU and the bytes reported are the plan's; the model's fingerprint is the
// f32 checkpoint's (taken from the source tensors before packing), so a MEND/IBKE editor trained for model X
// loads on X in int8 while one trained for another model Y of the same shapes is still refused; FT-L and MEND
// edit the packed model; a device loss reloads it in the same dtype and replays the edit.

import { describe, expect, it, vi } from 'vitest';
import type { AcquiredDevice } from '../gpu/adapter.ts';
import { acquireNodeDevice } from '../gpu/node.ts';
import { GpuContext } from '../gpu/context.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import { gpt2Shape } from '../model/gpt2/dims.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { weightPlan } from '../model/factory.ts';
import { planBytes } from '../model/quant/load.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { serializeEditorFiles, EDITOR_FILES, editorDir } from '../editors/hyper/files.ts';
import { createHypernet, defaultMendConfig } from '../editors/hyper/index.ts';
import { modelFingerprint } from '../editors/hyper/fingerprint.ts';
import { keyWeightsHash } from '../editors/rome-covariance.ts';
import { EngineHost, type LoadedSource } from './host.ts';

const DIMS = GPT2_PRESETS.tiny;
const X = tinyCheckpoint(DIMS, 4);
const Y = tinyCheckpoint(DIMS, 5);
const FILES = serializeCheckpoint(X);
const CONFIG = { architecture: 'gpt2' as const, ...X.config };
const EDIT = {
  request: { prompt: 'the cat sat on', subject: 'the cat', target: ' mat' },
  method: 'ft' as const,
  settings: { steps: 3 },
  gen: [],
  loc: [],
  skipContinuation: true,
};

/** A MEND editor file (untrained network, real shapes) that records `fingerprint`. */
async function mendFiles(fingerprint: string): Promise<LoadedSource['editorFiles']> {
  const ctx = new GpuContext(await acquireNodeDevice());
  const shape = gpt2Shape(DIMS);
  const net = createHypernet(ctx, shape, defaultMendConfig(shape));
  const f = serializeEditorFiles(await net.save(), shape, fingerprint);
  net.destroy();
  ctx.destroy();
  const files = new Map<string, Uint8Array>([
    [`${editorDir('mend')}/${EDITOR_FILES.config}`, new TextEncoder().encode(f.config)],
    [`${editorDir('mend')}/${EDITOR_FILES.weights}`, f.weights],
  ]);
  return async (name) => files.get(name) ?? null;
}

/** The f32 model's editor fingerprint and ROME key-weights hash (block 1). */
async function fingerprintOf(weights: Map<string, Float32Array>): Promise<[string, string]> {
  const ctx = new GpuContext(await acquireNodeDevice());
  const model = new Gpt2Model(ctx, DIMS, weights, 'f32');
  const fp = [await modelFingerprint(model), await keyWeightsHash(model, 1)] as [string, string];
  model.destroy();
  ctx.destroy();
  return fp;
}

const source = (editorFiles: LoadedSource['editorFiles'], dtype: LoadedSource['dtype']): LoadedSource => ({
  source: { kind: 'local', label: 'tiny' },
  name: 'tiny',
  files: FILES,
  editorFiles,
  dtype,
});

describe('EngineHost in a packed dtype', () => {
  it('packs the linears, reports the plan bytes, and keeps the f32 checkpoint’s editor fingerprint', async () => {
    const [[fpX, romeX], [fpY]] = [await fingerprintOf(X.weights), await fingerprintOf(Y.weights)];
    const host = new EngineHost(acquireNodeDevice, () => {});
    const progress = vi.fn();
    const info = await host.load(source(await mendFiles(fpX), 'int8'), progress);
    expect(progress).toHaveBeenCalledWith(expect.objectContaining({ stage: expect.stringMatching(/int8/) }));
    expect(info.weightDtype).toBe('int8');
    expect(info.gpuWeightBytes).toBe(planBytes(weightPlan(CONFIG, 'int8')));
    expect(info.gpuWeightBytes).toBeLessThan(planBytes(weightPlan(CONFIG, 'f32')));
    expect(info.weightOptions?.map((o) => [o.dtype, o.weightBytes])).toEqual(
      (['f32', 'f16', 'int8', 'int4'] as const).map((d) => [d, planBytes(weightPlan(CONFIG, d))]),
    );
    const model = host.current.view.model;
    expect(model.linearWeight(0, 'mlp.in').format).toBe('q8_0');
    // The packed weights read back dequantised (another hash), yet the model is X: its fingerprint is X's.
    const param = model.linear(0, 'mlp.in').param;
    expect(await model.readParameter(param)).not.toEqual(X.weights.get(param));
    expect(await modelFingerprint(model)).toBe(fpX);
    expect(await keyWeightsHash(model, 1)).toBe(romeX); // ROME statistics made for X fit X in int8 too
    expect(info.methods).toContain('mend'); // X's editor on X in int8
    expect(info.editorNotes).toBeUndefined();

    // FT-L and MEND edit the packed model (gradients through the packed linears, edits as f32 side-car terms).
    const ft = await host.edit(EDIT);
    expect(ft.latencyMs).toBeGreaterThan(0);
    const mend = await host.edit({ ...EDIT, method: 'mend', settings: {} });
    expect(host.current.stack.patches.map((p) => p.id)).toEqual([ft.editId, mend.editId]);

    // Y's editor on X in int8: refused with the sentence, the model loads without MEND.
    const refused = await host.load(source(await mendFiles(fpY), 'int8'));
    expect(refused.methods).not.toContain('mend');
    expect(refused.editorNotes).toEqual([
      expect.stringMatching(/^MEND is not offered: .*trained for other weights/),
    ]);
    host.unload();
  }, 300_000);

  it('a device loss reloads the model in the same dtype and replays the edit', async () => {
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
    let recovered: Promise<void> | null = null;
    const host = new EngineHost(acquire, (_m, done) => (recovered = done));
    await host.load(source(async () => null, 'int4'));
    const a = await host.edit(EDIT);
    const prompt = [[...X.tokenizer.encode('the cat sat on')]];
    const before = await host.current.view.model.topNext(prompt, 3);
    lost[0]({ reason: 'unknown', message: 'test: device lost' } as unknown as GPUDeviceLostInfo);
    await vi.waitFor(() => expect(recovered).not.toBeNull());
    await recovered;
    expect(lost).toHaveLength(2);
    expect(host.current.view.model.linearWeight(0, 'mlp.in').format).toBe('q4_0');
    expect(host.current.stack.patches.map((p) => p.id)).toEqual([a.editId]);
    expect(await host.current.view.model.topNext(prompt, 3)).toEqual(before);
    host.unload();
  }, 300_000);
});
