// The typed message protocol between the UI thread and the engine worker (web-llm style): every request has an
// id; the worker answers with exactly one `result` or `error`, and may send `progress` events before it.
// Errors cross the boundary as { name, message } so the UI can branch on the name and show the sentence.

import type { AdapterSummary } from '../gpu/adapter.ts';
import type { MatmulCheckResult } from '../gpu/self-check.ts';
import type {
  EditOutcome,
  EditRequest,
  MethodName,
  MethodSettings,
  ModelInfo,
  ModelSource,
  TokenProb,
  WeightChoice,
  WeightDtype,
} from '../engine/types.ts';
import type { MeasureInput, MeasureResult } from './measure.ts';
import type { RomeStatsCalls } from './rome-stats.ts';
import type { TrainingCalls } from './training.ts';
import type { SampleInput } from './sample.ts';
import type { SequentialCalls } from './sequential.ts';

/** Request name -> [payload, result]. Extend here; the client and the worker are typed from this map. */
export interface EngineCalls extends RomeStatsCalls, TrainingCalls, SequentialCalls {
  init: [Record<string, never>, { adapter: AdapterSummary }];
  selfCheck: [Record<string, never>, { results: MatmulCheckResult[] }];
  /**
   * Loads a model (replacing the current one and its edits); `files` only for kind 'local'. `dtype` (default
   * f32) is the format the weights are loaded in: f16/int8/int4 are packed on load (src/engine/host.ts).
   */
  loadModel: [
    {
      source: ModelSource;
      /** A local folder's three files, or a local GGUF file (a File/Blob: the worker reads it in slices). */
      files?: { config: string; safetensors: ArrayBuffer; tokenizer: string } | { gguf: Blob };
      dtype?: WeightDtype;
    },
    { model: ModelInfo },
  ];
  /**
   * What each dtype would cost for a model before it is loaded (its config only: the built-in model's, the hub
   * repo's config.json, or `config` for a local folder), on this adapter, and the default choice.
   */
  weightOptions: [{ source: ModelSource; config?: string }, WeightChoice];
  /** Top-k next tokens of the current (edited) model for each prompt. */
  predict: [{ prompts: string[]; k: number }, { results: { prompt: string; top: TokenProb[] }[] }];
  generate: [{ prompt: string; maxTokens: number }, { text: string }];
  /** Applies an edit on top of the current edits and reads every probe before (unedited model) and after. */
  edit: [
    { request: EditRequest; method: MethodName; settings: MethodSettings; gen: string[]; loc: string[] },
    EditOutcome,
  ];
  /**
   * Puts back edits this model made before (undone or reset), in order, under their ids, without running
   * their editors (src/worker/patch-shelf.ts); stops at the first one it no longer has. The app keeps the
   * readings they were measured with.
   */
  restoreEdits: [{ editIds: string[] }, { restored: string[] }];
  /** The applied edits as a patch file: manifest.json text and patches.safetensors (src/worker/patch-file.ts). */
  exportPatches: [Record<string, never>, { manifest: string; safetensors: ArrayBuffer }];
  /** Applies a patch file's edits on top of the current ones, each measured; another model's file is refused. */
  importPatches: [{ manifest: string; safetensors: ArrayBuffer }, { outcomes: EditOutcome[] }];
  /** Reverts one edit (any order); the others stay applied. */
  revert: [{ editId: string }, { remaining: string[] }];
  /** Compare mode: take out applied edits with this same request until `resumeEdits` (see EditSession). */
  suspendMatching: [{ request: EditRequest }, { suspended: string[] }];
  resumeEdits: [Record<string, never>, Record<string, never>];
  /** Re-reads an edit's probes on the model as it is now (see measure.ts). */
  measure: [MeasureInput, MeasureResult];
  /** The current model, edits merged, as an ONNX folder for transformers.js (src/worker/export-onnx.ts). */
  exportOnnx: [Record<string, never>, { files: { name: string; bytes: ArrayBuffer }[] }];
  /** Vocabulary pieces of token ids (to show partial UTF-8 tokens as bytes; see token-pieces.ts). */
  tokenPieces: [{ ids: number[] }, { pieces: (string | null)[] }];
  /** A sampled continuation (temperature, top-p, seed), optionally without one edit (see sample.ts). */
  sample: [SampleInput, { text: string }];
  /** Back to the original weights. */
  reset: [Record<string, never>, Record<string, never>];
}

export type CallName = keyof EngineCalls;
export type CallPayload<K extends CallName> = EngineCalls[K][0];
export type CallResult<K extends CallName> = EngineCalls[K][1];

export interface ProgressEvent {
  /** What is happening, for a progress bar label ("Downloading model.safetensors"). */
  stage: string;
  /** 0..1, or null when unknown. */
  fraction: number | null;
}

export type ToWorker =
  { kind: 'call'; id: number; name: CallName; payload: unknown } | { kind: 'cancel'; id: number };

export type FromWorker =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: EngineErrorInfo }
  | { kind: 'progress'; id: number; progress: ProgressEvent }
  | { kind: 'deviceLost'; message: string }
  | { kind: 'deviceRecovered' };

export interface EngineErrorInfo {
  name: string;
  message: string;
}

/** The UI-side view of a worker failure: `name` is the engine's error class (WebGPUUnavailableError, ...). */
export class EngineError extends Error {
  constructor(info: EngineErrorInfo) {
    super(info.message);
    this.name = info.name;
  }
}

export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('Cancelled.');
  }
}
