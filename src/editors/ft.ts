// FT-L (constrained fine-tuning; Zhu et al. 2020, "Modifying Memories in Transformer Models", the baseline of
// ROME's and MEND's papers; EasyEdit's FT): Adam on one MLP weight, W = h.{l}.mlp.c_proj.weight (4C, C), on
// the edit loss L_e = mean NLL of the target tokens given the prompt (teacher-forced), with W projected back
// onto the L∞ ball ‖W − W₀‖∞ ≤ ε after every step. Stops early once every target token is the argmax.
//
// The optimiser runs on the model's own weight buffer (the forward is then the real edited model), with W₀ kept
// in a GPU copy; whatever happens, W₀ is copied back before returning, and the change leaves as a Patch.
// Gradient: only this weight's, ∂L/∂W = Σ_t u_t δ_tᵀ = uᵀ·δ (N, 4C)ᵀ(N, C), from the backward's onLinear
// factors; the backward stops right after this block's MLP.
//
// Patch form: ΔW is dense; its most compact exact factorisation in the Patch's ΔW = leftᵀ·right form is
// rank = min(nIn, nOut) with the identity on the short side. For c_proj (nIn 4C > nOut C): left = ΔWᵀ (C, 4C),
// right = I_C, so leftᵀ·right reproduces ΔW bit for bit (every other product is an exact 0).

import { adamwStep } from '../gpu/kernels/adamw.ts';
import { clampToBall } from '../gpu/kernels/clamp.ts';
import { matmul } from '../gpu/kernels/matmul.ts';
import { axpy } from '../gpu/kernels/residual.ts';
import type { EditRequest, MethodSettings } from '../engine/types.ts';
import { completionRows, makeBatch } from '../model/gpt2/batch.ts';
import { tokenizeRequest } from './request.ts';
import { checkLayer, checkNumber, middleLayer, targetsAreArgmax } from './settings.ts';
import { EditRequestError, type Editor, type EditTarget, type Patch, type WeightDelta } from './types.ts';

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

    const param = `h.${layer}.mlp.c_proj.weight`;
    const weight = model.params.tensors.get(param)!;
    const [nIn, nOut] = weight.shape;
    const n = weight.size;
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
    const original = buf('original'); // (nIn, nOut) W₀
    const grad = buf('grad'); // (nIn, nOut) ∂L/∂W, later ΔW
    const m = buf('adam.m');
    const v = buf('adam.v'); // fresh buffers are zero: Adam's moments start at 0
    ctx.copy(weight.buffer, 0, original, 0, n * 4);
    let loss = NaN;
    let updates = 0;
    let converged = false;
    let deltaW: Float32Array;
    try {
      for (;;) {
        const result = await model.run(batch, rows, {
          readProbs: true,
          backward: {
            stopLayer: layer,
            stopAfterMlp: true,
            onLinear: (l, linear, u, delta) => {
              if (l !== layer || linear !== 'mlp.c_proj') return;
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
          param: weight.buffer,
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
        clampToBall(ctx, { param: weight.buffer, centre: original, n, radius: epsilon });
      }
      // ΔW = W − W₀ (grad is free now).
      ctx.copy(weight.buffer, 0, grad, 0, n * 4);
      axpy(ctx, { x: original, y: grad, n, alpha: -1 });
      deltaW = await ctx.read(grad, 0, n * 4);
    } finally {
      ctx.copy(original, 0, weight.buffer, 0, n * 4);
      ctx.flush();
      for (const b of [original, grad, m, v]) b.destroy();
    }
    let maxAbs = 0;
    for (const x of deltaW) maxAbs = Math.max(maxAbs, Math.abs(x));
    return {
      id: `ft${++patchCounter}`,
      method: 'ft',
      request: requests[0],
      deltas: [denseDelta(param, nIn, nOut, deltaW)],
      info: { layer, steps: updates, loss, converged: converged ? 'yes' : 'no', maxAbsDelta: maxAbs },
    };
  }
}

/** The exact rank-min(nIn, nOut) factorisation of a dense ΔW (nIn, nOut): identity on the short side. */
export function denseDelta(param: string, nIn: number, nOut: number, dW: Float32Array): WeightDelta {
  if (nOut <= nIn) {
    // left = ΔWᵀ (nOut, nIn), right = I (nOut, nOut).
    const left = new Float32Array(nOut * nIn);
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) left[j * nIn + i] = dW[i * nOut + j];
    return { param, nIn, nOut, rank: nOut, left, right: identity(nOut) };
  }
  return { param, nIn, nOut, rank: nIn, left: identity(nIn), right: Float32Array.from(dW) };
}

function identity(n: number): Float32Array {
  const I = new Float32Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}
