// What MEND and IBKE share: the edited layers, MEND's input normalisation (running statistics, frozen at edit
// time), the learned per-layer step α_m, the final split g → (left, right) with left_t = −α_m·c_t·ũ_t, and
// saving. Subclasses implement the network between the normalised tokens z = [ū; δ̄] and g = [ũ; δ̃].

import type { GpuContext } from '../../gpu/context.ts';
import {
  gatherColumnsScaled,
  scaleGrads,
  scatterColumnsScaled,
  sumInto,
} from '../../gpu/kernels/hyper-factors.ts';
import { normStatsUpdate, standardize } from '../../gpu/kernels/hyper-norm.ts';
import { editedShape } from './layers.ts';
import { MissingTensorError, ParamSet, Workspace } from './workspace.ts';
import type {
  FactorGradient,
  FactorOutput,
  GradientTokens,
  HypernetConfig,
  HypernetParam,
  BackboneShape,
  SavedHypernet,
} from './types.ts';

export interface EditedLayer {
  index: number;
  /** The layer key '{block}.{role}' (layers.ts); tensor names embed it. */
  key: string;
  nIn: number;
  nOut: number;
  /** nIn + nOut: the width of a gradient token z = [ū; δ̄]. */
  D: number;
  /** Layers with the same (nIn, nOut) share a network (MEND) or projection and heads (IBKE). */
  group: string;
  stats: { u: GPUBuffer; delta: GPUBuffer };
  out: FactorOutput;
}

export abstract class HypernetBase {
  readonly paramSet: ParamSet;
  readonly layers: EditedLayer[];
  protected readonly ws: Workspace;
  /** Tokens merged into the normalisation statistics so far. */
  protected normCount = 0;
  protected readonly alpha: HypernetParam;
  /** Token count of the last forward (per layer). */
  protected N = 0;

  protected constructor(
    protected readonly ctx: GpuContext,
    readonly backbone: BackboneShape,
    readonly config: HypernetConfig,
    weights: Map<string, Float32Array> | undefined,
  ) {
    const label = config.method;
    this.ws = new Workspace(ctx, label);
    this.paramSet = new ParamSet(ctx, label, weights, 1);
    this.layers = config.editedLayers.map((key, index) => {
      const { nIn, nOut } = editedShape(backbone, key);
      const stat = (part: 'u' | 'delta', C: number) => {
        const name = `norm.${key}.${part}`;
        const data = weights ? weights.get(name) : new Float32Array(2 * C);
        if (!data || data.length !== 2 * C) throw new MissingTensorError(name, 2 * C, data?.length ?? null);
        return ctx.upload(`${label}.${name}`, data);
      };
      return {
        index,
        key,
        nIn,
        nOut,
        D: nIn + nOut,
        group: `${nIn}x${nOut}`,
        stats: { u: stat('u', nIn), delta: stat('delta', nOut) },
        out: { key, nIn, nOut, rank: 0, left: ctx.empty, right: ctx.empty },
      };
    });
    if (weights) {
      const count = weights.get('norm.count');
      if (!count || count.length !== 1) throw new MissingTensorError('norm.count', 1, count?.length ?? null);
      this.normCount = count[0];
    }
    this.alpha = this.paramSet.add(
      'alpha',
      [this.layers.length],
      { kind: 'const', value: config.alphaInit },
      false,
    );
  }

  get params(): readonly HypernetParam[] {
    return this.paramSet.list;
  }

  get editedLayers(): readonly string[] {
    return this.config.editedLayers;
  }

  zeroGrad(): void {
    this.paramSet.zeroGrad();
  }

  updateNormStats(tokens: GradientTokens): void {
    const N = this.checkTokens(tokens);
    for (const l of this.layers) {
      const t = tokens.layers[l.index];
      normStatsUpdate(this.ctx, { x: t.u, stats: l.stats.u, rows: N, C: l.nIn, count: this.normCount });
      normStatsUpdate(this.ctx, {
        x: t.delta,
        stats: l.stats.delta,
        rows: N,
        C: l.nOut,
        count: this.normCount,
      });
    }
    this.normCount += N;
  }

  /** Checks the tokens against the edited layers; returns the per-layer token count. */
  protected checkTokens(tokens: GradientTokens): number {
    const got = tokens.layers.map((l) => l.key).join(', ');
    if (got !== this.editedLayers.join(', '))
      throw new Error(
        `Gradient tokens for [${got}] given to an editor of [${this.editedLayers.join(', ')}].`,
      );
    const N = tokens.layers[0]?.tokens ?? 0;
    const sum = tokens.editTokens.reduce((a, b) => a + b, 0);
    if (N < 1 || tokens.layers.some((l) => l.tokens !== N) || sum !== N)
      throw new Error(
        `Gradient tokens disagree on their count (layers ${tokens.layers.map((l) => l.tokens)}, edits sum ${sum}).`,
      );
    return N;
  }

  /** z (N, D) = [(u − mean)/std ; (δ − mean)/std] with the frozen running statistics. */
  protected normalise(l: EditedLayer, tokens: GradientTokens, z: GPUBuffer, N: number): void {
    const t = tokens.layers[l.index];
    const eps = this.config.normEps;
    const common = { rows: N, ld: l.D, count: this.normCount, eps, out: z };
    standardize(this.ctx, { ...common, x: t.u, stats: l.stats.u, C: l.nIn, off: 0 });
    standardize(this.ctx, { ...common, x: t.delta, stats: l.stats.delta, C: l.nOut, off: l.nIn });
  }

  /** left (N, nIn) = −α_m·c_t·g[:, :nIn],  right (N, nOut) = g[:, nIn:]. `c` null means c ≡ 1. */
  protected split(l: EditedLayer, g: GPUBuffer, c: GPUBuffer | null, N: number): FactorOutput {
    const left = this.ws.get(`left.${l.index}`, N * l.nIn);
    const right = this.ws.get(`right.${l.index}`, N * l.nOut);
    const ones = this.ws.ones(N);
    const base = { rows: N, ld: l.D, src: g };
    gatherColumnsScaled(this.ctx, {
      ...base,
      W: l.nIn,
      off: 0,
      alpha: this.alpha.buffer,
      aIdx: l.index,
      rowScale: c ?? ones,
      sign: -1,
      out: left,
    });
    gatherColumnsScaled(this.ctx, {
      ...base,
      W: l.nOut,
      off: l.nIn,
      alpha: ones,
      aIdx: 0,
      rowScale: ones,
      sign: 1,
      out: right,
    });
    l.out = { key: l.key, nIn: l.nIn, nOut: l.nOut, rank: N, left, right };
    return l.out;
  }

  /**
   * split's backward: dg (N, D) = [−α_m c_t dLeft_t ; dRight_t], α_m's gradient accumulated, and ∂L/∂c_t
   * written to dc when c is given.
   */
  protected splitBackward(
    l: EditedLayer,
    d: FactorGradient,
    g: GPUBuffer,
    c: GPUBuffer | null,
    dg: GPUBuffer,
    dc: GPUBuffer | null,
    N: number,
  ): void {
    const ones = this.ws.ones(N);
    const left = {
      rows: N,
      ld: l.D,
      W: l.nIn,
      off: 0,
      alpha: this.alpha.buffer,
      aIdx: l.index,
      rowScale: c ?? ones,
      sign: -1,
    };
    scatterColumnsScaled(this.ctx, { ...left, x: d.dLeft, dst: dg });
    scatterColumnsScaled(this.ctx, {
      rows: N,
      ld: l.D,
      W: l.nOut,
      off: l.nIn,
      alpha: ones,
      aIdx: 0,
      rowScale: ones,
      sign: 1,
      x: d.dRight,
      dst: dg,
    });
    const perAlpha = this.ws.get('perAlpha', N);
    const dRow = dc ?? this.ws.get('dRowDiscard', N);
    scaleGrads(this.ctx, { ...left, dout: d.dLeft, src: g, perAlpha, dRowScale: dRow });
    sumInto(this.ctx, { x: perAlpha, out: this.alpha.grad, n: N, index: l.index });
  }

  /** The dFactors entry of each edited layer, in layer order. */
  protected orderGradients(dFactors: FactorGradient[]): FactorGradient[] {
    return this.layers.map((l) => {
      const d = dFactors.find((f) => f.key === l.key);
      if (!d) throw new Error(`backward: no factor gradient for ${l.key}.`);
      return d;
    });
  }

  async save(): Promise<SavedHypernet> {
    const tensors: SavedHypernet['tensors'] = [];
    for (const p of this.paramSet.list)
      tensors.push({ name: p.name, shape: p.shape, data: await this.ctx.read(p.buffer, 0, p.size * 4) });
    for (const l of this.layers) {
      tensors.push({
        name: `norm.${l.key}.u`,
        shape: [2, l.nIn],
        data: await this.ctx.read(l.stats.u, 0, 8 * l.nIn),
      });
      tensors.push({
        name: `norm.${l.key}.delta`,
        shape: [2, l.nOut],
        data: await this.ctx.read(l.stats.delta, 0, 8 * l.nOut),
      });
    }
    tensors.push({ name: 'norm.count', shape: [1], data: Float32Array.of(this.normCount) });
    return { config: structuredClone(this.config), tensors };
  }

  destroy(): void {
    this.paramSet.destroy();
    this.ws.destroy();
    for (const l of this.layers) {
      l.stats.u.destroy();
      l.stats.delta.destroy();
    }
  }
}
