// The engine host: loads a model from any source, owns the EditSession, and survives a lost GPU device by
// re-creating it, reloading the same files and replaying the edits in order. Platform-free: the worker gives
// it a device factory and fetch; Node tests can drive it too.

import { GpuContext } from '../gpu/context.ts';
import type { AcquiredDevice } from '../gpu/adapter.ts';
import { readBaseFromSource } from '../editors/hyper/fingerprint.ts';
import {
  checkpointWeightBytes,
  parseModelCheckpoint,
  type CheckpointFiles,
  type ModelCheckpoint,
} from '../model/checkpoint.ts';
import {
  checkModelFitsAdapter,
  createLanguageModel,
  loadLanguageModel,
  summarizeCheckpoint,
  weightPlan,
} from '../model/factory.ts';
import type { OpenGgufCheckpoint } from '../model/gguf/checkpoint.ts';
import { loadGgufModel } from '../model/gguf/model.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { mapSource, planBytes } from '../model/quant/load.ts';
import { createEditors, type EditorFiles } from './editors.ts';
import type { Patch } from '../editors/types.ts';
import { EditSession, type EditInput } from './session.ts';
import type { EditOutcome, ModelInfo, ModelSource, WeightDtype } from './types.ts';
import { weightOptions } from './weight-options.ts';

export interface LoadedSource {
  source: ModelSource;
  name: string;
  files: CheckpointFiles;
  editorFiles: EditorFiles;
  /**
   * The format the weights are loaded in (default f32): f16/int8/int4 are packed tensor by tensor on load, so
   * only the packed buffers reach the GPU. Kept with the source, so a device-loss reload uses it again.
   */
  dtype?: WeightDtype;
  /**
   * A GGUF file, opened and checked (header, config, tokenizer, tensor table): its tensors are streamed from it
   * on load (and again after a device loss); `files` then holds its config.json and tokenizer.json text only.
   */
  gguf?: OpenGgufCheckpoint;
  /** Sentences about the source's editors found before the load (a built-in model that ships none...). */
  editorNotes?: string[];
}

/** Load progress (packing and uploading tensor by tensor). */
export type HostProgress = (p: { stage: string; fraction: number | null }) => void;

export class EngineHost {
  private ctx: GpuContext | null = null;
  private session: EditSession | null = null;
  private loaded: LoadedSource | null = null;
  /** Applied edits in order, with the ids they were given, for replay after a device loss. */
  private history: { id: string; input: EditInput }[] = [];

  constructor(
    private readonly acquire: () => Promise<AcquiredDevice>,
    private readonly onLost: (message: string, recovered: Promise<void>) => void,
  ) {}

  async context(): Promise<GpuContext> {
    if (this.ctx && !this.ctx.lost) return this.ctx;
    const ctx = new GpuContext(await this.acquire());
    ctx.onDeviceLost((e) => {
      this.ctx = null;
      this.session = null;
      this.onLost(e.message, this.recover());
    });
    this.ctx = ctx;
    return ctx;
  }

  /**
   * Replaces the current model (and its edits) with `src`. Everything that can be refused (files, adapter
   * limits) is checked before the current model is freed, so a bad source leaves it and its edits in place.
   */
  async load(src: LoadedSource, onProgress?: HostProgress): Promise<ModelInfo> {
    const dtype = src.dtype ?? 'f32';
    const ctx = await this.context();
    let checkpoint: ModelCheckpoint;
    let model: LanguageModel;
    if (src.gguf) {
      const open = src.gguf;
      checkModelFitsAdapter(open.config, ctx.device.limits, dtype);
      // A GGUF file is streamed: a damaged tensor shows only while loading, so the new model is loaded before
      // the current one is freed (both on the GPU for a moment), and a refused file leaves it and its edits.
      const r = await loadGgufModel(ctx, open, {
        dtype,
        label: src.name,
        fileName: src.name,
        onProgress: (p) =>
          onProgress?.({ stage: `Loading ${p.tensor} as ${dtype}`, fraction: p.bytesDone / p.bytesTotal }),
      });
      ({ checkpoint, model } = r);
      if (dtype !== 'f32') readBaseFromSource(model, async (name) => (await open.gguf.tensor(name)).data);
      this.session?.destroy();
      this.session = null;
    } else {
      checkpoint = parseModelCheckpoint(src.files, src.name);
      checkModelFitsAdapter(checkpoint.config, ctx.device.limits, dtype);
      // Patches and editors before the model they point into (session.destroy keeps that order).
      this.session?.destroy();
      this.session = null;
      model = await createModel(ctx, checkpoint, src.name, dtype, onProgress);
    }
    // An editor file that does not fit this model (trained for other weights...) is refused on its own: the
    // model loads without that method and says why, rather than the whole load failing over one file.
    const editorNotes: string[] = [...(src.editorNotes ?? [])];
    try {
      const editors = await createEditors({ model, tokenizer: checkpoint.tokenizer }, src.editorFiles, {
        onRefused: (method, e) => editorNotes.push(`${method.toUpperCase()} is not offered: ${e.message}`),
      });
      this.session = new EditSession({ model, tokenizer: checkpoint.tokenizer }, editors);
    } catch (e) {
      model.destroy();
      throw e;
    }
    this.loaded = src;
    this.history = [];
    const d = model.dims;
    const summary = summarizeCheckpoint(checkpoint);
    const choice = weightOptions(checkpoint.config, ctx.device.limits, summary.dtype);
    return {
      source: src.source,
      name: src.name,
      architecture: model.architecture,
      dtype: summary.dtype,
      nLayer: d.nLayer,
      nHead: d.nHead,
      nEmbd: d.nEmbd,
      nPositions: d.nPositions,
      vocabSize: d.vocabSize,
      parameterCount: model.parameterCount,
      weightDtype: dtype,
      gpuWeightBytes: planBytes(weightPlan(checkpoint.config, dtype)),
      fileBytes: src.gguf ? src.gguf.gguf.file.fileSize : checkpointWeightBytes(src.files),
      weightOptions: choice.options,
      methods: this.session.methods,
      ...(editorNotes.length ? { editorNotes } : {}),
    };
  }

  /** The files the current model came from (ONNX export reads its config and tokenizer). */
  get loadedSource(): LoadedSource | null {
    return this.loaded;
  }

  get current(): EditSession {
    if (!this.session) throw new Error('No model is loaded yet: pick one first.');
    return this.session;
  }

  async edit(input: EditInput, checkCancelled?: () => void): Promise<EditOutcome> {
    const outcome = await this.current.edit(input, checkCancelled);
    this.history.push({ id: outcome.editId, input });
    return outcome;
  }

  /** Re-applies a patch this model made before (see EditSession.restore); a device loss replays it too. */
  restore(patch: Patch, input: EditInput): void {
    this.current.restore(patch);
    this.history.push({ id: patch.id, input });
  }

  revert(editId: string): string[] {
    const remaining = this.current.revert(editId);
    this.history = this.history.filter((h) => h.id !== editId);
    return remaining;
  }

  reset(): void {
    this.current.reset();
    this.history = [];
  }

  /**
   * After a device loss: a new device, the same model files, the same edits in the same order, under the same
   * ids (the app still holds them for undo).
   */
  private async recover(): Promise<void> {
    const src = this.loaded;
    if (!src) return;
    const replay = this.history;
    await this.load(src);
    for (const h of replay) {
      const outcome = await this.current.edit(h.input, undefined, h.id);
      this.history.push({ id: outcome.editId, input: h.input });
    }
  }

  /** Frees the session (patches, editors, model). */
  unload(): void {
    this.session?.destroy();
    this.session = null;
    this.loaded = null;
    this.history = [];
  }
}

/**
 * The checkpoint's model in `dtype`: f32 uploaded as it is; f16/int8/int4 streamed into packed buffers, its
 * fingerprint taken from the checkpoint's own values before packing (src/editors/hyper/fingerprint.ts), so an
 * editor trained for this checkpoint fits it in any dtype and another model's is still refused.
 */
async function createModel(
  ctx: GpuContext,
  checkpoint: ModelCheckpoint,
  label: string,
  dtype: WeightDtype,
  onProgress?: HostProgress,
): Promise<LanguageModel> {
  if (dtype === 'f32') return createLanguageModel(ctx, checkpoint, label);
  const { model } = await loadLanguageModel(ctx, checkpoint.config, mapSource(checkpoint.weights), {
    dtype,
    label,
    fileName: label,
    onProgress: (p) =>
      onProgress?.({ stage: `Packing the weights as ${dtype} (${p.tensor})`, fraction: p.done / p.total }),
  });
  // The checkpoint's f32 values stay readable for the fingerprints (kept while the model is loaded).
  readBaseFromSource(model, (name) => {
    const values = checkpoint.weights.get(name);
    if (!values) throw new Error(`unreachable: ${name} is not in the checkpoint`);
    return values;
  });
  return model;
}
