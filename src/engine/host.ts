// The engine host: loads a model from any source, owns the EditSession, and survives a lost GPU device by
// re-creating it, reloading the same files and replaying the edits in order. Platform-free: the worker gives
// it a device factory and fetch; Node tests can drive it too.

import { GpuContext } from '../gpu/context.ts';
import { GpuLimitError } from '../gpu/errors.ts';
import type { AcquiredDevice } from '../gpu/adapter.ts';
import { parseCheckpoint, type CheckpointFiles, type Gpt2Checkpoint } from '../model/checkpoint.ts';
import { gpt2ParameterCount } from '../model/config.ts';
import { Gpt2Model } from '../model/gpt2/model.ts';
import { parameterShapes } from '../model/gpt2/dims.ts';
import { createEditors, type EditorFiles } from './editors.ts';
import { EditSession, type EditInput } from './session.ts';
import type { EditOutcome, ModelInfo, ModelSource } from './types.ts';

export interface LoadedSource {
  source: ModelSource;
  name: string;
  files: CheckpointFiles;
  editorFiles: EditorFiles;
}

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

  /** Replaces the current model (and its edits) with `src`. */
  async load(src: LoadedSource): Promise<ModelInfo> {
    const checkpoint = parseCheckpoint(src.files, src.name);
    const ctx = await this.context();
    checkFitsAdapter(checkpoint, ctx);
    this.session?.view.model.destroy();
    this.session?.stack.destroy();
    this.session = null;
    const model = new Gpt2Model(ctx, checkpoint.config, checkpoint.weights, src.name);
    const editors = await createEditors({ model, tokenizer: checkpoint.tokenizer }, src.editorFiles);
    this.session = new EditSession({ model, tokenizer: checkpoint.tokenizer }, editors);
    this.loaded = src;
    this.history = [];
    const c = checkpoint.config;
    return {
      source: src.source,
      name: src.name,
      nLayer: c.nLayer,
      nHead: c.nHead,
      nEmbd: c.nEmbd,
      nPositions: c.nPositions,
      vocabSize: c.vocabSize,
      parameterCount: gpt2ParameterCount(c),
      methods: this.session.methods,
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

  revert(editId: string): string[] {
    const remaining = this.current.revert(editId);
    this.history = this.history.filter((h) => h.id !== editId);
    return remaining;
  }

  reset(): void {
    this.current.reset();
    this.history = [];
  }

  /** After a device loss: a new device, the same model files, the same edits in the same order. */
  private async recover(): Promise<void> {
    const src = this.loaded;
    if (!src) return;
    const replay = this.history;
    await this.load(src);
    for (const h of replay) {
      const outcome = await this.current.edit(h.input);
      this.history.push({ id: outcome.editId, input: h.input });
    }
  }
}

/** A model whose largest tensor exceeds the adapter's storage-binding limit cannot run: say so before allocating. */
function checkFitsAdapter(checkpoint: Gpt2Checkpoint, ctx: GpuContext): void {
  const limit = ctx.device.limits.maxStorageBufferBindingSize;
  for (const [name, shape] of parameterShapes(checkpoint.config)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    if (bytes > limit) {
      throw new GpuLimitError(
        `This model is too large for this GPU: ${name} needs ${(bytes / 2 ** 20).toFixed(0)} MiB in one buffer, ` +
          `and the adapter allows ${(limit / 2 ** 20).toFixed(0)} MiB. Pick a smaller model or use a GPU with larger limits.`,
      );
    }
  }
}
