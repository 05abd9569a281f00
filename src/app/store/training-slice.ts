// Training slice: the "Train an editor" panel's state (src/app/components/TrainEditor.tsx). The worker owns
// the run (src/worker/training.ts); this holds what the panel shows: the method, the worker's defaults and
// saved run for the loaded model, the live curve polled while it trains, and the outcome as sentences. Engine
// calls live in ./training-actions.ts.

import type { StateCreator } from 'zustand';
import type { CurvePoint, ValidationPoint } from '../../editors/training/loop.ts';
import type { TrainingInfo } from '../../worker/training-calls.ts';
import type { TrainingNotes } from '../../worker/training.ts';
import type { AppState } from './index.ts';

export type TrainingPhase =
  'idle' | 'starting' | 'running' | 'pausing' | 'paused' | 'cancelling' | 'done' | 'error';

export interface TrainingView {
  method: 'mend' | 'ibke';
  phase: TrainingPhase;
  /** Defaults, layer choices, default dataset and saved run for the loaded model (null until asked). */
  info: TrainingInfo | null;
  step: number;
  totalSteps: number;
  curve: CurvePoint[];
  history: ValidationPoint[];
  notes: TrainingNotes | null;
  editsPerSecond: number;
  /** The worker's progress label ("Checking which true answers the model knows"). */
  stage: string | null;
  /** The outcome or the failure, as a sentence. */
  message: string | null;
  error: string | null;
}

export interface TrainingSlice {
  training: TrainingView;
  setTraining: (patch: Partial<TrainingView>) => void;
}

export const INITIAL_TRAINING: TrainingView = {
  method: 'ibke',
  phase: 'idle',
  info: null,
  step: 0,
  totalSteps: 0,
  curve: [],
  history: [],
  notes: null,
  editsPerSecond: 0,
  stage: null,
  message: null,
  error: null,
};

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set) => ({
  training: INITIAL_TRAINING,
  setTraining: (patch) => set((s) => ({ training: { ...s.training, ...patch } })),
});
