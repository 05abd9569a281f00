// FT-L (constrained fine-tuning; Zhu et al. 2020, "Modifying Memories in Transformer Models", the baseline of
// ROME's and MEND's papers; EasyEdit's FT): Adam on one MLP weight, W = the MLP down projection of block l
// (GPT-2 mlp.c_proj, Llama/Qwen mlp.down_proj; logical (nIn, nOut) = (MLP width, C)), on the edit loss
// L_e = mean NLL of the target tokens given the prompt (teacher-forced), with W projected back onto the L∞ ball
// ‖W − W₀‖∞ ≤ ε after every step. Stops early once every target token is the argmax.
//
// The optimiser runs on a dense ΔW of its own, applied as a side-car term next to the frozen weight (owner
// 'ft'), so the forward is the real edited model (earlier patches included) and W₀ is never written: the
// L∞ ball is ‖ΔW‖∞ ≤ ε around 0. Whatever happens, the term is removed before returning, and ΔW leaves as a
// Patch. Gradient: ∂L/∂ΔW = ∂L/∂W = Σ_t u_t δ_tᵀ = uᵀ·δ (N, nIn)ᵀ(N, nOut), from the backward's onLinear
// factors; the backward stops right after this block's MLP.
//
// Patch form: the dense ΔW (applied as a dense side-car term), plus its exact factorisation in the
// ΔW = leftᵀ·right form, rank = min(nIn, nOut) with the identity on the short side, for code that reads factors.

import { adamwStep } from '../gpu/kernels/adamw.ts';
import { clampToBall } from '../gpu/kernels/clamp.ts';
import { matmul } from '../gpu/kernels/matmul.ts';
import { completionRows, makeBatch } from '../model/batch.ts';
import type { LinearRole, LinearSpec } from '../model/language-model.ts';
import { tokenizeRequest } from './request.ts';
import { checkLayer, checkNumber, middleLayer, targetsAreArgmax } from './settings.ts';
import {
  EditRequestError,
  type EditRequest,
  type Editor,
  type EditTarget,
  type MethodSettings,
  type Patch,
  type WeightDelta,
} from './types.ts';

/** The layer FT-L edits in each block. */
export const FT_ROLE: LinearRole = 'mlp.down';
const OWNER = 'ft';

export const FT_DEFAULTS = {
  /** Adam updates at most (EasyEdit: 25; tiny models need a few more). */
  steps: 40,
  /** Adam learning rate: each step moves a weight by about lr, so steps·lr is the reach before the clamp. */
  lr: 5e-3,
  /** L∞ radius around the original weights. */
  epsilon: 5e-2,
} as const;

let patchCounter = 0;

export class FtEditor implements Editor {
  readonly method = 'ft' as const;

  edit(target: EditTarget, request: EditRequest, settings?: MethodSettings): Promise<Patch> {
    return this.editBatch(target, [request], settings);
  }

  /** All requests in one fine-tuning run: L_e is the mean over requests of each one's mean target NLL. */
  async editBatch(
    target: EditTarget,
    requests: EditRequest[],
    settings: MethodSettings = {},
  ): Promise<Patch> {
    if (requests.length === 0) throw new EditRequestError('No edit requests given.');
    const { model } = target;
    const { ctx, dims } = model;
    // Everything that can be refused is checked before the weights are touched.
    const reqs = requests.map((r) => tokenizeRequest(target, r));
    const layer = checkLayer(dims, settings.layer, middleLayer(dims));
    const steps = checkNumber('FT-L steps', settings.steps, FT_DEFAULTS.steps, 1, 1000, true);
    const lr = checkNumber('The FT-L learning rate', settings.lr, FT_DEFAULTS.lr, 1e-7, 1);
    const epsilon = checkNumber('The FT-L radius ε', settings.epsilon, FT_DEFAULTS.epsilon, 0, 10);

    const spec = model.linear(layer, FT_ROLE);
    const { nIn, nOut } = spec;
    const n = nIn * nOut;
    const batch = makeBatch(
      reqs.map((r) => [...r.prompt, ...r.target]),
      dims.nPositions,
    );
    const rows = completionRows(
      batch,
      reqs.map((r) => r.prompt.length),
    );
    const targets = rows.map((r) => r.target);

    const buf = (label: string) => ctx.buffer(`ft.${label}`, n * 4);
    // Fresh buffers are zero: ΔW starts at 0 (the L∞ ball's centre) and Adam's moments at 0.
    const deltaW = buf('delta'); // (nIn, nOut) ΔW, logical layout
    const zero = buf('zero');
    const grad = buf('grad'); // (nIn, nOut) ∂L/∂W
    const m = buf('adam.m');
    const v = buf('adam.v');
    let loss = NaN;
    let updates = 0;
    let converged = false;
    let dW: Float32Array;
    model.sideCar.set(OWNER, layer, FT_ROLE, { kind: 'dense', delta: deltaW });
    try {
      for (;;) {
        const result = await model.run(batch, rows, {
          readProbs: true,
          backward: {
            stopLayer: layer,
            stopAfterMlp: true,
            onLinear: (l, role, u, delta) => {
              if (l !== layer || role !== FT_ROLE) return;
              // ∂L/∂W (nIn, nOut) = uᵀ (nIn, N) · δ (N, nOut); padding rows have δ = 0.
              matmul(ctx, { a: u, b: delta, out: grad, M: nIn, N: nOut, K: batch.B * batch.T, transA: true });
            },
          },
        });
        loss = result.loss;
        converged = targetsAreArgmax(result.probs!, targets, dims.vocabSize);
        if (converged || updates === steps) break;
        updates++;
        adamwStep(ctx, {
          param: deltaW,
          grad,
          m,
          v,
          n,
          lr,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          step: updates,
        });
        clampToBall(ctx, { param: deltaW, centre: zero, n, radius: epsilon });
      }
      dW = await ctx.read(deltaW, 0, n * 4);
    } finally {
      model.sideCar.set(OWNER, layer, FT_ROLE, null);
      ctx.flush();
      for (const b of [deltaW, zero, grad, m, v]) b.destroy();
    }
    let maxAbs = 0;
    for (const x of dW) maxAbs = Math.max(maxAbs, Math.abs(x));
    return {
      id: `ft${++patchCounter}`,
      method: 'ft',
      request: requests[0],
      deltas: [denseDelta(spec, dW)],
      info: { layer, steps: updates, loss, converged: converged ? 'yes' : 'no', maxAbsDelta: maxAbs },
    };
  }
}

/** A dense ΔW (nIn, nOut) as a WeightDelta: `dense`, plus its exact rank-min(nIn, nOut) factorisation. */
export function denseDelta(spec: LinearSpec, dW: Float32Array): WeightDelta {
  const { block, role, param, nIn, nOut } = spec;
  const base = { block, role, param, nIn, nOut, dense: Float32Array.from(dW) };
  if (nOut <= nIn) {
    // left = ΔWᵀ (nOut, nIn), right = I (nOut, nOut).
    const left = new Float32Array(nOut * nIn);
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) left[j * nIn + i] = dW[i * nOut + j];
    return { ...base, rank: nOut, left, right: identity(nOut) };
  }
  return { ...base, rank: nIn, left: identity(nIn), right: Float32Array.from(dW) };
}

function identity(n: number): Float32Array {
  const I = new Float32Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}
