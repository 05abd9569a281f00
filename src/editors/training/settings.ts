// Everything that defines an editor training run, in one serialisable object: what a checkpoint records and
// what a resumed run must agree with (a resumed run with other settings would silently train something else).

import type { Architecture, ModelDims } from '../../model/language-model.ts';
import type { HypernetConfig } from '../hyper/types.ts';
import type { LossWeights } from './objective.ts';
import type { EditorOptimizer } from './trainer.ts';

export interface EditorTrainingSettings {
  method: 'mend' | 'ibke';
  /** The backbone it trains for (architecture absent in runs started before Llama/Qwen3). */
  backbone: Pick<ModelDims, 'nLayer' | 'nEmbd' | 'vocabSize' | 'nPositions'> & {
    architecture?: Architecture;
  };
  hypernet: HypernetConfig;
  optimizer: EditorOptimizer;
  lambdas: LossWeights;
  beta: number;
  batch: number;
  seed: number;
  steps: number;
  /** The training file's name and edit count (not its path: a moved file still resumes). */
  data: { file: string; edits: number; relations?: string[] };
}

/** Which settings differ between a checkpoint and this run (dotted paths), ignoring `steps` (it may grow). */
export function settingsDiff(saved: EditorTrainingSettings, now: EditorTrainingSettings): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (path === 'steps') return;
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of keys)
        walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push(`${path}: checkpoint ${JSON.stringify(a)}, now ${JSON.stringify(b)}`);
    }
  };
  walk(saved, now, '');
  return out;
}
