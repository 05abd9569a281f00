// MEND's editor network (Mitchell et al. 2022, "Fast Model Editing at Scale"; method.md "MEND"), per edited
// layer m with N gradient tokens and D = nIn + nOut:
//   z = [ū; δ̄]                                       (N, D)  standardised with frozen running statistics
//   h = z + ReLU(s₁ ⊙ (z V₁ U₁ + b₁) + o₁)            V (D, r), U (r, D) zero-initialised: g starts as z
//   g = h + ReLU(s₂ ⊙ (h V₂ U₂ + b₂) + o₂)
//   (ũ, δ̃) = (g[:, :nIn], g[:, nIn:]),   ΔW_m = −α_m Σ_t ũ_t δ̃_tᵀ = leftᵀ·right
// V, U, b are shared by the layers of one shape group (MEND's `shared` mode); the scale/shift s, o are per
// layer (MEND's per-"mode" scale and shift), initialised to 1 and 0. The forward saves z, V·z, a = ·U + b, h,
// V·h, the second a, and g per layer; the backward walks them in reverse.

import type { GpuContext } from '../../gpu/context.ts';
import { affineReluResidualBackward, affineReluResidualForward } from '../../gpu/kernels/hyper-mend.ts';
import { HypernetBase, type EditedLayer } from './base.ts';
import { linearBackward, linearForward } from './ops.ts';
import type {
  BackwardOptions,
  FactorGradient,
  FactorOutput,
  ForwardOptions,
  GradientTokens,
  Hypernet,
  MendConfig,
  BackboneShape,
} from './types.ts';

const BLOCKS = [1, 2] as const;

export class MendNet extends HypernetBase implements Hypernet {
  readonly method = 'mend' as const;
  declare readonly config: MendConfig;
  private trained = false;

  constructor(
    ctx: GpuContext,
    backbone: BackboneShape,
    config: MendConfig,
    weights?: Map<string, Float32Array>,
  ) {
    super(ctx, backbone, config, weights);
    const r = config.rank;
    const groups = new Set<string>();
    for (const l of this.layers) {
      if (!groups.has(l.group)) {
        groups.add(l.group);
        for (const k of BLOCKS) {
          this.paramSet.add(
            `mend.${l.group}.V${k}`,
            [l.D, r],
            { kind: 'xavier', fanIn: l.D, fanOut: r },
            true,
          );
          this.paramSet.add(`mend.${l.group}.U${k}`, [r, l.D], { kind: 'zeros' }, true);
          this.paramSet.add(`mend.${l.group}.b${k}`, [l.D], { kind: 'zeros' }, false);
        }
      }
      for (const k of BLOCKS) {
        this.paramSet.add(`mend.${l.key}.s${k}`, [l.D], { kind: 'const', value: 1 }, false);
        this.paramSet.add(`mend.${l.key}.o${k}`, [l.D], { kind: 'zeros' }, false);
      }
    }
  }

  forward(tokens: GradientTokens, opts: ForwardOptions): FactorOutput[] {
    const N = this.checkTokens(tokens);
    this.N = N;
    this.trained = opts.train;
    return this.layers.map((l) => {
      const z = this.act(l, 'z', N * l.D);
      this.normalise(l, tokens, z, N);
      let x = z;
      for (const k of BLOCKS) {
        const { V, U, b, s, o } = this.blockParams(l, k);
        const t = this.act(l, `t${k}`, N * this.config.rank);
        const a = this.act(l, `a${k}`, N * l.D);
        const y = this.act(l, k === 1 ? 'h' : 'g', N * l.D);
        linearForward(this.ctx, x, V, null, t, { rows: N, nIn: l.D, nOut: this.config.rank });
        linearForward(this.ctx, t, U, b, a, { rows: N, nIn: this.config.rank, nOut: l.D });
        affineReluResidualForward(this.ctx, { x, a, s: s.buffer, o: o.buffer, y, N, D: l.D });
        x = y;
      }
      return this.split(l, x, null, N);
    });
  }

  backward(dFactors: FactorGradient[], _opts: BackwardOptions): void {
    if (!this.trained) throw new Error('MEND backward needs a forward with train: true first.');
    const N = this.N;
    const r = this.config.rank;
    const ones = this.ws.ones(N);
    const grads = this.orderGradients(dFactors);
    for (const l of this.layers) {
      // dx holds ∂L/∂(block output), then, after the block's backward, ∂L/∂(block input) (residual: dy + ...).
      const dx = this.ws.get('dx', N * l.D);
      this.splitBackward(l, grads[l.index], this.act(l, 'g', 0), null, dx, null, N);
      for (const k of [2, 1] as const) {
        const { V, U, b, s, o } = this.blockParams(l, k);
        const x = this.act(l, k === 1 ? 'z' : 'h', 0);
        const t = this.act(l, `t${k}`, 0);
        const a = this.act(l, `a${k}`, 0);
        const da = this.ws.get('da', N * l.D);
        const dt = this.ws.get('dt', N * r);
        affineReluResidualBackward(this.ctx, {
          dy: dx,
          a,
          s: s.buffer,
          o: o.buffer,
          da,
          ds: s.grad,
          dO: o.grad,
          N,
          D: l.D,
        });
        linearBackward(this.ctx, t, da, U, b, dt, { rows: N, nIn: r, nOut: l.D }, ones);
        // z is a constant of the edit: block 1 needs no ∂L/∂z.
        linearBackward(
          this.ctx,
          x,
          dt,
          V,
          null,
          k === 2 ? dx : null,
          { rows: N, nIn: l.D, nOut: r },
          ones,
          true,
        );
      }
    }
  }

  readKl(): Promise<number> {
    return Promise.resolve(0);
  }

  private blockParams(l: EditedLayer, k: 1 | 2) {
    const p = (n: string) => this.paramSet.get(n);
    return {
      V: p(`mend.${l.group}.V${k}`),
      U: p(`mend.${l.group}.U${k}`),
      b: p(`mend.${l.group}.b${k}`),
      s: p(`mend.${l.key}.s${k}`),
      o: p(`mend.${l.key}.o${k}`),
    };
  }

  /** A saved activation of layer l (floats = 0 fetches it without growing). */
  private act(l: EditedLayer, name: string, floats: number): GPUBuffer {
    return this.ws.get(`${name}.${l.index}`, floats);
  }
}
