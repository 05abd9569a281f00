// The Editor behind MEND and IBKE: capture the edit's per-token gradient, run the trained network once
// (z = μ for IBKE: no sampling at edit time), download the factors as a Patch. The patch is applied by
// PatchStack like any other (ΔW = leftᵀ·right per edited weight).

import type { LanguageModel } from '../../model/language-model.ts';
import { tokenizeRequest } from '../request.ts';
import { checkNumber } from '../settings.ts';
import {
  EditorWeightsError,
  type EditRequest,
  type Editor,
  type EditTarget,
  type MethodSettings,
  type Patch,
  type WeightDelta,
} from '../types.ts';
import { GradientCapture } from './capture.ts';
import { downloadDeltas } from './factors.ts';
import { readEditorFiles } from './files.ts';
import { createHypernet } from './index.ts';
import type { Hypernet } from './types.ts';

export interface EditorFileContents {
  config: string;
  weights: Uint8Array;
}

let patchCounter = 0;

/** A trained network for `model` from its editor files; EditorWeightsError when they do not fit the model. */
export function loadHypernet(
  method: 'mend' | 'ibke',
  model: LanguageModel,
  files: EditorFileContents,
): Hypernet {
  const { config, weights } = readEditorFiles(method, files.config, files.weights, model);
  return createHypernet(model.ctx, model, config, weights);
}

export class HypernetEditor implements Editor {
  private readonly capture: GradientCapture;

  constructor(
    readonly method: 'mend' | 'ibke',
    private readonly model: LanguageModel,
    readonly net: Hypernet,
  ) {
    if (net.method !== method)
      throw new EditorWeightsError(`These are ${net.method} weights, not ${method}.`);
    this.capture = new GradientCapture(model, net.editedLayers);
  }

  edit(target: EditTarget, request: EditRequest, settings?: MethodSettings): Promise<Patch> {
    return this.editBatch(target, [request], settings);
  }

  /** Several edits in one patch: their tokens are concatenated (IBKE encodes each into its own latent). */
  async editBatch(target: EditTarget, requests: EditRequest[], settings?: MethodSettings): Promise<Patch> {
    if (target.model !== this.model)
      throw new EditorWeightsError(`This ${this.method.toUpperCase()} editor was loaded for another model.`);
    if (requests.length === 0) throw new RangeError('editBatch needs at least one edit.');
    const stepScale = checkNumber('The step scale', settings?.stepScale, 1, 0, 100);
    const edits = requests.map((r) => tokenizeRequest(target, r));
    const tokens = await this.capture.capture(edits);
    const outs = this.net.forward(tokens, { train: false });
    const deltas = await downloadDeltas(this.model, outs);
    if (stepScale !== 1) for (const d of deltas) d.left.forEach((v, i) => (d.left[i] = v * stepScale));
    return {
      id: `${this.method}${++patchCounter}`,
      method: this.method,
      request: requests[0],
      deltas,
      info: {
        edits: requests.length,
        tokens: tokens.editTokens.reduce((a, b) => a + b, 0),
        lossBefore: tokens.loss / requests.length,
        maxDeltaNorm: Math.max(...deltas.map(frobenius)),
      },
    };
  }

  destroy(): void {
    this.capture.destroy();
    this.net.destroy();
  }
}

/** ‖leftᵀ·right‖_F without forming it: √(Σ_ij (L Lᵀ)_ij (R Rᵀ)_ij), rank² work. */
export function frobenius(d: WeightDelta): number {
  const dot = (a: Float32Array, i: number, j: number, n: number) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
    return s;
  };
  let s = 0;
  for (let i = 0; i < d.rank; i++)
    for (let j = 0; j < d.rank; j++) s += dot(d.left, i, j, d.nIn) * dot(d.right, i, j, d.nOut);
  return Math.sqrt(Math.max(s, 0));
}
