// Checks of the per-method settings a user can type (FT-L, ROME): a bad value gets a sentence, never a NaN edit.

import type { ModelDims } from '../model/language-model.ts';
import { EditRequestError } from './types.ts';

/** The middle block, (L − 1) / 2 rounded down: FT-L's and ROME's default for small models (method.md). */
export function middleLayer(dims: ModelDims): number {
  return Math.floor((dims.nLayer - 1) / 2);
}

export function checkLayer(dims: ModelDims, layer: number | undefined, fallback: number): number {
  const l = layer ?? fallback;
  if (!Number.isInteger(l) || l < 0 || l >= dims.nLayer)
    throw new EditRequestError(`The layer must be a whole number from 0 to ${dims.nLayer - 1}; got ${l}.`);
  return l;
}

export function checkNumber(
  what: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new EditRequestError(
      `${what} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}; got ${v}.`,
    );
  return v;
}

/** True when every row's target is the row's most probable token (ties go to the target only if it is first). */
export function targetsAreArgmax(probs: Float32Array, targets: readonly number[], V: number): boolean {
  return targets.every((t, r) => {
    const row = probs.subarray(r * V, (r + 1) * V);
    const p = row[t];
    for (let i = 0; i < V; i++) if (row[i] > p || (row[i] === p && i < t)) return false;
    return true;
  });
}
