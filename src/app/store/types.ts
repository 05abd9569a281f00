// Plain data the store holds: requests, settings, readings (top-k lists and a few numbers). No tensors, no
// engine objects; everything here could be serialised.

import type { EditOutcome, MethodName, MethodSettings, TokenProb } from '../../engine/types.ts';
import type { MeasureResult } from '../../worker/measure.ts';
import type { ProgressEvent } from '../../worker/protocol.ts';

export type ProbeGroup = 'gen' | 'loc';

export interface Probe {
  id: string;
  text: string;
  /** 'auto': chosen by the app for the draft's fact (replaced when the fact changes); 'user': written by hand. */
  origin: 'auto' | 'user';
  /** The draft subject when the probe was chosen or written. */
  forSubject: string;
}

/** An edit the engine has applied (its id is the engine's editId, used for revert). */
export interface AppliedEdit {
  id: string;
  method: MethodName;
  settings: MethodSettings;
  gen: string[];
  loc: string[];
  outcome: EditOutcome;
  /** The engine's applied edits (ids, in order) when `outcome` was measured: this edit and those before it. */
  measuredAt: string[];
  /** A re-reading of the probes on a later model state (after an undo elsewhere), when asked for. */
  reread?: { at: string[]; result: MeasureResult };
  /** Probes removed from this edit's view (their cards and their share of the metrics), per group. */
  dropped?: Partial<Record<ProbeGroup, string[]>>;
}

/** The one engine operation running now (the engine does one thing at a time). */
export interface EngineTask {
  kind:
    | 'load'
    | 'edit'
    | 'replay'
    | 'compare'
    | 'undo'
    | 'reset'
    | 'preview'
    | 'reread'
    | 'generate'
    | 'files'
    | 'sequential';
  label: string;
  progress: ProgressEvent | null;
  cancellable: boolean;
  cancelling: boolean;
}

/** Top-k of the current model for the draft prompt and the probes, shown before any edit. */
export interface Preview {
  /** The prompts it was read for, in order: draft prompt, gen probes, loc probes. */
  key: string;
  results: { prompt: string; top: TokenProb[] }[];
}

export interface CompareRun {
  method: MethodName;
  status: 'waiting' | 'running' | 'done' | 'failed' | 'skipped';
  outcome?: EditOutcome;
  error?: string;
}

export interface Banner {
  id: string;
  kind: 'link' | 'device' | 'error' | 'info';
  message: string;
}
