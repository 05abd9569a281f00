// Backbone passes the editor training owns: its own activation and head buffers (so the pre-edit forward, the
// post-edit forward/backward and the gradient capture never overwrite each other's results within one
// submit), and the swap that puts ΔW = leftᵀ·right next to the edited weights as side-car terms and takes it
// out again (the frozen weights are never written; forward and backward both see the edit).

import type {
  HeadOutputs,
  HeadRow,
  LanguageModel,
  ModelPass,
  RunOptions,
  TokenBatch,
} from '../../model/language-model.ts';
import { editedShape } from '../hyper/layers.ts';
import type { FactorOutput } from '../hyper/types.ts';

/** One set of activation/head buffers for `model`, grown (never shrunk) when a batch does not fit. */
export class BackbonePass {
  private readonly pass: ModelPass;

  constructor(readonly model: LanguageModel) {
    this.pass = model.createPass();
  }

  /** Allocates for the largest batch up front (B sequences of up to T tokens, R head rows): no later growth. */
  reserve(B: number, T: number, R: number): void {
    this.pass.reserve(B, T, R);
  }

  /** Records the forward (and the backward, when `opts.backward` is set) without submitting. */
  record(batch: TokenBatch, rows: HeadRow[], opts: RunOptions = {}): HeadOutputs {
    return this.pass.record(batch, rows, opts);
  }

  destroy(): void {
    this.pass.destroy();
  }
}

/** The side-car owner of a hypernetwork's training-time edit. */
const OWNER = 'editor-training';

/**
 * Puts hypernetwork factors next to the backbone's edited weights (side-car terms, owner 'editor-training')
 * for the passes recorded between `apply` and `restore`. Other owners' terms (applied patches) stay.
 */
export class SideCarSwap {
  private readonly keys: Set<string>;
  private applied = false;

  constructor(
    private readonly model: LanguageModel,
    editedLayers: readonly string[],
  ) {
    for (const key of editedLayers) editedShape(model, key); // refuses a layer the model lacks
    this.keys = new Set(editedLayers);
  }

  /** From now on, recorded passes see W_m + leftᵀ·right for every factor. */
  apply(factors: readonly FactorOutput[]): void {
    if (this.applied) throw new Error('SideCarSwap.apply: restore the weights before applying another edit.');
    for (const f of factors) {
      if (!this.keys.has(f.key)) throw new Error(`SideCarSwap: ${f.key} is not an edited layer.`);
      const { block, role } = editedShape(this.model, f.key);
      this.model.sideCar.set(OWNER, block, role, {
        kind: 'low_rank',
        rank: f.rank,
        left: f.left,
        right: f.right,
      });
    }
    this.applied = true;
  }

  /** Passes recorded from now on see the weights without the edit. */
  restore(): void {
    this.model.sideCar.clear(OWNER);
    this.applied = false;
  }

  destroy(): void {
    this.restore();
  }
}
