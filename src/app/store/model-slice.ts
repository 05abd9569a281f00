// Model slice: which model is loaded (or loading, with its progress) and what the engine said about it.

import type { StateCreator } from 'zustand';
import type { ModelInfo } from '../../engine/types.ts';
import type { SessionModel } from '../permalink/schema.ts';
import type { AppState } from './index.ts';

export interface ModelSlice {
  model: {
    status: 'idle' | 'loading' | 'ready' | 'error';
    /** What the session asks for (may differ from `info.source` while loading or after a failure). */
    source: SessionModel;
    info: ModelInfo | null;
    error: string | null;
    /** Which picker tab the error came from (a hub download's error is not shown under Local folder). */
    errorFor?: SessionModel['kind'];
  };
  setModel: (patch: Partial<ModelSlice['model']>) => void;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set) => ({
  model: { status: 'idle', source: { kind: 'embedded', name: 'fact-world' }, info: null, error: null },
  setModel: (patch) => set((s) => ({ model: { ...s.model, ...patch } })),
});
