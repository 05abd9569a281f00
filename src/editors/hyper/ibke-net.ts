// IBKE's editor network (method.md "IBKE"; choices marked "ours" there). With M edited layers, N gradient tokens
// per layer (E edits), d = dHidden, Q = E·l_m latent rows:
//   z_m = [ū; δ̄]                              (N, D_m)   MEND's normalisation
//   h_m = (z_m A_g) B_g + e_m                 (N, d)     low-rank projection per shape group + layer embedding
//   H = [h_1; …; h_M]                         (M·N, d)
//   encoder φ₁: X₀ = the l_m learnable queries, once per edit; n_enc CrossBlocks over LN(H), each edit's queries
//     seeing only its own tokens; Xf = LN(X);  μ = Xf W_μ + b_μ,  log σ² = Xf W_σ + b_σ   (Q, d_z)
//   z = μ + σ ⊙ ε (train) or μ (edit; "without IB": always)        KL = mean over edits of Σ KL(N(μ,σ²)‖N(0,1))
//   decoder φ₂: Y₀ = H; n_dec CrossBlocks over z (each token sees its edit's latents); s̃ = LN(Y)   (M·N, d)
//   g_m = z_m + s̃_m U_g   (U_g = [U_u | U_δ] zero-initialised: ũ = ū + U_u s̃, δ̃ = δ̄ + U_δ s̃)
//   c_m = softplus(s̃_m W_s + b_s), b_s = softplus⁻¹(1) so c starts at 1 (c ≡ 1 without the scale factor)
//   left = −α_m c ⊙ ũ,  right = δ̃:  ΔW_m = −α_m Σ_t c_t ũ_t δ̃_tᵀ
// The backward runs the same path in reverse; β·KL's gradient enters at the reparameterisation.

import type { GpuContext } from '../../gpu/context.ts';
import { softplusBackward, softplusForward, sumBlocks } from '../../gpu/kernels/hyper-factors.ts';
import { reparamBackward, reparamForward } from '../../gpu/kernels/hyper-latent.ts';
import { layernormBackward, layernormForward } from '../../gpu/kernels/layernorm.ts';
import { HypernetBase, type EditedLayer } from './base.ts';
import { CrossBlock, LN_EPS } from './cross-block.ts';
import { linearBackward, linearForward } from './ops.ts';
import type {
  BackwardOptions,
  FactorGradient,
  FactorOutput,
  ForwardOptions,
  GradientTokens,
  Hypernet,
  HypernetParam,
  IbkeConfig,
  BackboneShape,
} from './types.ts';

/** softplus⁻¹(1) = ln(e − 1): the scale factor's bias so that c = 1 at initialisation. */
export const SOFTPLUS_INV_ONE = Math.log(Math.E - 1);

export class IbkeNet extends HypernetBase implements Hypernet {
  readonly method = 'ibke' as const;
  declare readonly config: IbkeConfig;
  private readonly enc: CrossBlock[] = [];
  private readonly dec: CrossBlock[] = [];
  private E = 0;
  private trained = false;

  constructor(
    ctx: GpuContext,
    backbone: BackboneShape,
    config: IbkeConfig,
    weights?: Map<string, Float32Array>,
  ) {
    super(ctx, backbone, config, weights);
    const { dHidden: d, projRank: rp, latentLength: lm, dLatent: dz, dMlp } = config;
    const ps = this.paramSet;
    const seen = new Set<string>();
    for (const l of this.layers) {
      if (seen.has(l.group)) continue;
      seen.add(l.group);
      ps.add(`ibke.${l.group}.A`, [l.D, rp], { kind: 'xavier', fanIn: l.D, fanOut: rp }, true);
      ps.add(`ibke.${l.group}.B`, [rp, d], { kind: 'xavier', fanIn: rp, fanOut: d }, true);
      ps.add(`ibke.${l.group}.U`, [d, l.D], { kind: 'zeros' }, true);
      if (config.useScale) {
        ps.add(`ibke.${l.group}.Ws`, [d, 1], { kind: 'zeros' }, true);
        ps.add(`ibke.${l.group}.bs`, [1], { kind: 'const', value: SOFTPLUS_INV_ONE }, false);
      }
    }
    for (const l of this.layers) ps.add(`ibke.${l.key}.embed`, [d], { kind: 'normal', std: 0.02 }, false);
    ps.add('ibke.queries', [lm, d], { kind: 'normal', std: 0.02 }, false);
    const ln = (name: string) => {
      ps.add(`${name}.weight`, [d], { kind: 'const', value: 1 }, false);
      ps.add(`${name}.bias`, [d], { kind: 'zeros' }, false);
    };
    ln('ibke.enc.ln_mem');
    for (let b = 0; b < config.nEnc; b++)
      this.enc.push(new CrossBlock(ctx, this.ws, ps, `ibke.enc.${b}`, d, d, dMlp));
    ln('ibke.enc.ln_out');
    for (const head of ['mu', 'logvar']) {
      ps.add(`ibke.${head}.weight`, [d, dz], { kind: 'xavier', fanIn: d, fanOut: dz }, true);
      ps.add(`ibke.${head}.bias`, [dz], { kind: 'zeros' }, false);
    }
    for (let b = 0; b < config.nDec; b++)
      this.dec.push(new CrossBlock(ctx, this.ws, ps, `ibke.dec.${b}`, d, dz, dMlp));
    ln('ibke.dec.ln_out');
  }

  forward(tokens: GradientTokens, opts: ForwardOptions): FactorOutput[] {
    const { ctx, ws, config } = this;
    const { dHidden: d, projRank: rp, latentLength: lm, dLatent: dz } = config;
    const N = this.checkTokens(tokens);
    const E = tokens.editTokens.length;
    const Nt = this.layers.length * N;
    const Q = E * lm;
    Object.assign(this, { N, E, trained: opts.train });
    const seg = this.segments(tokens.editTokens, lm);
    // Gradient tokens → H (M·N, d).
    const H = ws.get('H', Nt * d);
    for (const l of this.layers) {
      const z = this.act(l, 'z', N * l.D);
      const p = this.act(l, 'p', N * rp);
      const h = ws.get('h', N * d);
      this.normalise(l, tokens, z, N);
      linearForward(ctx, z, this.g(l, 'A'), null, p, { rows: N, nIn: l.D, nOut: rp });
      linearForward(ctx, p, this.g(l, 'B'), this.param(`ibke.${l.key}.embed`), h, {
        rows: N,
        nIn: rp,
        nOut: d,
      });
      ctx.copy(h, 0, H, l.index * N * d * 4, N * d * 4);
    }
    // Encoder φ₁.
    const Hn = ws.get('Hn', Nt * d);
    this.layernorm('ibke.enc.ln_mem', H, Hn, 'mem', Nt);
    let x = ws.get('X0', Q * d);
    for (let e = 0; e < E; e++) ctx.copy(this.param('ibke.queries').buffer, 0, x, e * lm * d * 4, lm * d * 4);
    this.enc.forEach((block, b) => {
      const next = ws.get(`X${b + 1}`, Q * d);
      block.forward(x, next, Hn, { rows: seg.latents, cols: seg.tokens }, Q, Nt);
      x = next;
    });
    const Xf = ws.get('Xf', Q * d);
    this.layernorm('ibke.enc.ln_out', x, Xf, 'xf', Q);
    const [mu, lv, eps, Z, kl] = ['mu', 'lv', 'eps', 'Z', 'kl'].map((k) => ws.get(k, Q * dz));
    linearForward(ctx, Xf, this.param('ibke.mu.weight'), this.param('ibke.mu.bias'), mu, {
      rows: Q,
      nIn: d,
      nOut: dz,
    });
    linearForward(ctx, Xf, this.param('ibke.logvar.weight'), this.param('ibke.logvar.bias'), lv, {
      rows: Q,
      nIn: d,
      nOut: dz,
    });
    const sample = opts.train && config.useIb;
    reparamForward(ctx, { mu, logVar: lv, eps, z: Z, kl, n: Q * dz, sample, seed: opts.seed ?? 0 });
    // Decoder φ₂.
    let y = H;
    this.dec.forEach((block, b) => {
      const next = ws.get(`Y${b + 1}`, Nt * d);
      block.forward(y, next, Z, { rows: seg.tokens, cols: seg.latents }, Nt, Q);
      y = next;
    });
    const St = ws.get('St', Nt * d);
    this.layernorm('ibke.dec.ln_out', y, St, 'st', Nt);
    // Heads: g = z + s̃ U, c = softplus(s̃ W_s + b_s), then left/right.
    return this.layers.map((l) => {
      const st = this.act(l, 'st', N * d);
      const g = this.act(l, 'g', N * l.D);
      ctx.copy(St, l.index * N * d * 4, st, 0, N * d * 4);
      ctx.copy(this.act(l, 'z', 0), 0, g, 0, N * l.D * 4);
      linearForward(ctx, st, this.g(l, 'U'), null, g, { rows: N, nIn: d, nOut: l.D }, true);
      let c: GPUBuffer | null = null;
      if (config.useScale) {
        const pre = this.act(l, 'pre', N);
        c = this.act(l, 'c', N);
        linearForward(ctx, st, this.g(l, 'Ws'), this.g(l, 'bs'), pre, { rows: N, nIn: d, nOut: 1 });
        softplusForward(ctx, { x: pre, y: c, n: N });
      }
      return this.split(l, g, c, N);
    });
  }

  backward(dFactors: FactorGradient[], { beta }: BackwardOptions): void {
    if (!this.trained) throw new Error('IBKE backward needs a forward with train: true first.');
    const { ctx, ws, config, N, E } = this;
    const { dHidden: d, projRank: rp, latentLength: lm, dLatent: dz } = config;
    const Nt = this.layers.length * N;
    const Q = E * lm;
    const ones = ws.ones(Math.max(Nt, Q));
    const grads = this.orderGradients(dFactors);
    // Heads → ∂L/∂s̃ (M·N, d).
    const dSt = ws.get('dSt', Nt * d);
    for (const l of this.layers) {
      const st = this.act(l, 'st', 0);
      const dg = ws.get('dg', N * l.D);
      const dst = ws.get('dst', N * d);
      const dc = config.useScale ? ws.get('dc', N) : null;
      const c = config.useScale ? this.act(l, 'c', 0) : null;
      this.splitBackward(l, grads[l.index], this.act(l, 'g', 0), c, dg, dc, N);
      linearBackward(ctx, st, dg, this.g(l, 'U'), null, dst, { rows: N, nIn: d, nOut: l.D }, ones);
      if (dc) {
        const dpre = ws.get('dpre', N);
        softplusBackward(ctx, { x: this.act(l, 'pre', 0), dy: dc, dx: dpre, n: N });
        linearBackward(
          ctx,
          st,
          dpre,
          this.g(l, 'Ws'),
          this.g(l, 'bs'),
          dst,
          { rows: N, nIn: d, nOut: 1 },
          ones,
          true,
        );
      }
      ctx.copy(dst, 0, dSt, l.index * N * d * 4, N * d * 4);
    }
    // Decoder, in reverse: dY ends as ∂L/∂H through the decoder; dZ collects ∂L/∂z.
    const dY = ws.get('dY', Nt * d);
    const dZ = ws.get('dZ', Q * dz);
    ctx.clear(dY, 0, Nt * d * 4);
    ctx.clear(dZ, 0, Q * dz * 4);
    const H = ws.get('H', 0);
    const yLast = this.dec.length ? ws.get(`Y${this.dec.length}`, 0) : H;
    this.layernormBackward('ibke.dec.ln_out', dSt, yLast, 'st', dY, Nt);
    for (let b = this.dec.length - 1; b >= 0; b--) this.dec[b].backward(dY, dZ, ones);
    // Latent: reparameterisation + β·KL, then the μ and log σ² heads.
    const [dmu, dlv] = ['dmu', 'dlv'].map((k) => ws.get(k, Q * dz));
    const [mu, lv, eps] = ['mu', 'lv', 'eps'].map((k) => ws.get(k, 0));
    const klWeight = config.useIb ? beta / E : 0;
    reparamBackward(ctx, { mu, logVar: lv, eps, dz: dZ, dmu, dlogVar: dlv, n: Q * dz, klWeight });
    const Xf = ws.get('Xf', 0);
    const dXf = ws.get('dXf', Q * d);
    const head = { rows: Q, nIn: d, nOut: dz };
    linearBackward(ctx, Xf, dmu, this.param('ibke.mu.weight'), this.param('ibke.mu.bias'), dXf, head, ones);
    linearBackward(
      ctx,
      Xf,
      dlv,
      this.param('ibke.logvar.weight'),
      this.param('ibke.logvar.bias'),
      dXf,
      head,
      ones,
      true,
    );
    // Encoder, in reverse: dX → the queries' gradient; dHn collects ∂L/∂LN(H).
    const dX = ws.get('dX', Q * d);
    const dHn = ws.get('dHn', Nt * d);
    ctx.clear(dX, 0, Q * d * 4);
    ctx.clear(dHn, 0, Nt * d * 4);
    this.layernormBackward('ibke.enc.ln_out', dXf, ws.get(`X${this.enc.length}`, 0), 'xf', dX, Q);
    for (let b = this.enc.length - 1; b >= 0; b--) this.enc[b].backward(dX, dHn, ones);
    sumBlocks(ctx, { x: dX, out: this.param('ibke.queries').grad, blocks: E, W: lm * d });
    this.layernormBackward('ibke.enc.ln_mem', dHn, H, 'mem', dY, Nt);
    // Projection: dY = ∂L/∂H.
    for (const l of this.layers) {
      const dh = ws.get('dh', N * d);
      const dp = ws.get('dp', N * rp);
      ctx.copy(dY, l.index * N * d * 4, dh, 0, N * d * 4);
      linearBackward(
        ctx,
        this.act(l, 'p', 0),
        dh,
        this.g(l, 'B'),
        this.param(`ibke.${l.key}.embed`),
        dp,
        { rows: N, nIn: rp, nOut: d },
        ones,
      );
      linearBackward(
        ctx,
        this.act(l, 'z', 0),
        dp,
        this.g(l, 'A'),
        null,
        null,
        { rows: N, nIn: l.D, nOut: rp },
        ones,
      );
    }
  }

  async readKl(): Promise<number> {
    const n = this.E * this.config.latentLength * this.config.dLatent;
    if (n === 0) return 0;
    const kl = await this.ctx.read(this.ws.get('kl', 0), 0, n * 4);
    let s = 0;
    for (const v of kl) s += v;
    return s / this.E;
  }

  /** Edit index of every token row (layer-major, edit-major within a layer) and of every latent row. */
  private segments(editTokens: number[], lm: number): { tokens: GPUBuffer; latents: GPUBuffer } {
    const perLayer = editTokens.flatMap((n, e) => Array<number>(n).fill(e));
    const tokens = Uint32Array.from(this.layers.flatMap(() => perLayer));
    const latents = Uint32Array.from(editTokens.flatMap((_, e) => Array<number>(lm).fill(e)));
    return { tokens: this.ws.write('segTokens', tokens), latents: this.ws.write('segLatents', latents) };
  }

  private layernorm(name: string, inp: GPUBuffer, out: GPUBuffer, save: string, rows: number): void {
    const d = this.config.dHidden;
    layernormForward(this.ctx, {
      inp,
      out,
      weight: this.param(`${name}.weight`).buffer,
      bias: this.param(`${name}.bias`).buffer,
      mean: this.ws.get(`${save}.mean`, rows),
      rstd: this.ws.get(`${save}.rstd`, rows),
      N: rows,
      C: d,
      eps: LN_EPS,
    });
  }

  /** LayerNorm's backward; dinp accumulates (+=). */
  private layernormBackward(
    name: string,
    dout: GPUBuffer,
    inp: GPUBuffer,
    save: string,
    dinp: GPUBuffer,
    rows: number,
  ): void {
    const w = this.param(`${name}.weight`);
    layernormBackward(this.ctx, {
      dout,
      inp,
      weight: w.buffer,
      mean: this.ws.get(`${save}.mean`, 0),
      rstd: this.ws.get(`${save}.rstd`, 0),
      dinp,
      dweight: w.grad,
      dbias: this.param(`${name}.bias`).grad,
      N: rows,
      C: this.config.dHidden,
    });
  }

  private param(name: string): HypernetParam {
    return this.paramSet.get(name);
  }

  private g(l: EditedLayer, name: string): HypernetParam {
    return this.paramSet.get(`ibke.${l.group}.${name}`);
  }

  private act(l: EditedLayer, name: string, floats: number): GPUBuffer {
    return this.ws.get(`${name}.${l.index}`, floats);
  }
}
