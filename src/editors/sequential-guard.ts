// Making the hypernetwork editors (MEND, IBKE) fit for sequences of edits (issue 13, item 5; our design), and
// comparing methods at a matched update size (item 3): EditSession wraps every editor in this guard. Applied one
// after another, the hypernetworks' updates pile up on the same input directions — the keys of the template
// tokens every prompt shares ("The", "of", "is") — until unrelated facts collapse. Two options of the settings:
//
// - protectEarlier = μ (> 0): every new update ΔW = Σ_t ũ_t δ̃_tᵀ has its left factors replaced by
//   (I + C_e/(μ·ē))⁻¹ ũ_t, where C_e = Σ k kᵀ over the layer inputs of every token of the earlier edits (their
//   prompt ⊕ target) and ē = trace(C_e)/rows the mean key energy. Directions the earlier edits used a lot are
//   damped (by 1/(1 + e/(μē))), so the new update leaves their outputs — earlier edits and the shared template
//   tokens — nearly alone, and acts through the directions specific to the new subject. The soft projector
//   (rather than AlphaEdit's hard null space) never runs out of room: a 128-wide layer would be spanned after
//   a few dozen edits. Smaller μ protects more.
// - maxUpdate = ρ: the patch is scaled down so that no matrix moves by more than ρ·‖W‖ (Frobenius).
//
// The memory belongs to the editor and the model; it starts again when none of its layers carries an applied
// edit (everything undone, or one-at-a-time evaluation). Without either setting the wrapped editor's patch is
// returned unchanged.

import { deltaFrobenius } from '../eval/update-size.ts';
import { completionRows, makeBatch } from '../model/batch.ts';
import { tokenizeRequest } from './request.ts';
import { choleskySolve, choleskyWithRidge } from './rome-math.ts';
import { checkNumber } from './settings.ts';
import type { EditRequest, Editor, EditTarget, MethodSettings, Patch, WeightDelta } from './types.ts';

interface KeyMemory {
  /** Σ k kᵀ (nIn, nIn) */
  C: Float64Array;
  nIn: number;
  rows: number;
  trace: number;
}

export class SequentialGuard implements Editor {
  private readonly memory = new Map<string, KeyMemory>();
  private readonly weightNorms = new Map<string, number>();

  constructor(readonly inner: Editor) {}

  get method() {
    return this.inner.method;
  }

  /** Batches go straight to the wrapped editor (the guard is for one edit after another). */
  get editBatch() {
    return this.inner.editBatch?.bind(this.inner);
  }

  destroy(): void {
    (this.inner as { destroy?: () => void }).destroy?.();
  }

  async edit(target: EditTarget, request: EditRequest, settings: MethodSettings = {}): Promise<Patch> {
    const patch = await this.inner.edit(target, request, settings);
    const { protectEarlier, maxUpdate } = settings;
    if (protectEarlier === undefined && maxUpdate === undefined) return patch;
    const { model } = target;
    if (patch.deltas.every((d) => model.sideCar.terms(d.block, d.role).length === 0)) this.memory.clear();
    const info: Record<string, number | string> = {};
    if (protectEarlier !== undefined) {
      const mu = checkNumber('protectEarlier', protectEarlier, 1, 1e-6, 1e6);
      let damped = 0;
      let total = 0;
      for (const d of patch.deltas) {
        const mem = this.memory.get(key(d));
        if (!mem || mem.rows === 0) continue;
        const before = rowsNorm(d.left);
        d.left = dampRows(d.left, d.rank, mem, mu);
        // FT-L's dense ΔW is what the side car applies: it follows its damped factors (= (I + C/(μē))⁻¹ ΔW).
        if (d.dense) d.dense = denseOf(d);
        damped += rowsNorm(d.left);
        total += before;
      }
      info.protectedKeys = [...this.memory.values()][0]?.rows ?? 0;
      info.keptFraction = total > 0 ? damped / total : 1;
      await this.remember(target, request, patch.deltas);
    }
    if (maxUpdate !== undefined) {
      const rho = checkNumber('maxUpdate', maxUpdate, 1, 1e-6, 100);
      let worst = 0;
      for (const d of patch.deltas)
        worst = Math.max(worst, deltaFrobenius([d]) / (await this.norm(target, d)));
      const s = worst > rho ? rho / worst : 1;
      if (s < 1)
        for (const d of patch.deltas) {
          d.right = d.right.map((x) => x * s);
          if (d.dense) d.dense = d.dense.map((x) => x * s);
        }
      info.updateScale = s;
    }
    patch.info = { ...patch.info, ...info };
    return patch;
  }

  /** Adds the new edit's layer inputs (every token of prompt ⊕ target but the last) to each layer's memory. */
  private async remember({ model, tokenizer }: EditTarget, request: EditRequest, deltas: WeightDelta[]) {
    const req = tokenizeRequest({ model, tokenizer }, request);
    const seq = [...req.prompt, ...req.target];
    const batch = makeBatch([seq], model.dims.nPositions);
    const rows = seq.length - 1;
    const copies = new Map<string, GPUBuffer>();
    for (const d of deltas)
      if (!copies.has(key(d))) copies.set(key(d), model.ctx.buffer(`guard.${key(d)}`, batch.T * d.nIn * 4));
    try {
      await model.run(batch, completionRows(batch, [req.prompt.length]), {
        hook: (ctx, { block, role, x }) => {
          const buf = copies.get(`${block}.${role}`);
          const d = deltas.find((e) => e.block === block && e.role === role);
          if (buf && d) ctx.copy(x, 0, buf, 0, batch.T * d.nIn * 4);
        },
      });
      for (const [k, buf] of copies) {
        const d = deltas.find((e) => key(e) === k)!;
        const x = await model.ctx.read(buf, 0, rows * d.nIn * 4);
        const mem = this.memory.get(k) ?? {
          C: new Float64Array(d.nIn * d.nIn),
          nIn: d.nIn,
          rows: 0,
          trace: 0,
        };
        for (let t = 0; t < rows; t++)
          for (let a = 0; a < d.nIn; a++) {
            const ka = x[t * d.nIn + a];
            mem.trace += ka * ka;
            for (let b = 0; b < d.nIn; b++) mem.C[a * d.nIn + b] += ka * x[t * d.nIn + b];
          }
        mem.rows += rows;
        this.memory.set(k, mem);
      }
    } finally {
      for (const b of copies.values()) b.destroy();
    }
  }

  private async norm({ model }: EditTarget, d: WeightDelta): Promise<number> {
    let n = this.weightNorms.get(d.param);
    if (n === undefined) {
      const w = await model.readParameter(d.param);
      n = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
      this.weightNorms.set(d.param, n);
    }
    return n;
  }
}

const key = (d: { block: number; role: string }) => `${d.block}.${d.role}`;

/** Each row ũ (rank rows of nIn) → (I + C/(μ·ē))⁻¹ ũ. */
function dampRows(left: Float32Array, rank: number, mem: KeyMemory, mu: number): Float32Array {
  const { nIn, C, rows, trace } = mem;
  const scale = 1 / (mu * (trace / rows));
  const A = new Float64Array(nIn * nIn);
  for (let i = 0; i < A.length; i++) A[i] = C[i] * scale;
  for (let i = 0; i < nIn; i++) A[i * nIn + i] += 1;
  const chol = choleskyWithRidge(A, nIn, 0);
  const out = new Float32Array(left.length);
  for (let r = 0; r < rank; r++) out.set(choleskySolve(chol, left.subarray(r * nIn, (r + 1) * nIn)), r * nIn);
  return out;
}

/** leftᵀ · right, (nIn, nOut). */
function denseOf({ left, right, rank, nIn, nOut }: WeightDelta): Float32Array {
  const out = new Float32Array(nIn * nOut);
  for (let r = 0; r < rank; r++)
    for (let i = 0; i < nIn; i++) {
      const l = left[r * nIn + i];
      if (l === 0) continue;
      for (let j = 0; j < nOut; j++) out[i * nOut + j] += l * right[r * nOut + j];
    }
  return out;
}

function rowsNorm(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}
