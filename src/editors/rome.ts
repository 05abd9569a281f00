// ROME (Meng et al., "Locating and Editing Factual Associations in GPT", NeurIPS 2022): a rank-one change of
// W = block l*'s MLP down projection (role 'mlp.down': GPT-2 c_proj, Llama/Qwen down_proj; logical (n, C),
// n = MLP width) that maps the key at the edit site to a new value. Spec: method.md, "ROME". We follow ROME's
// released code (kmeng01/rome: rome_main.py, compute_u.py, compute_v.py) where it differs from the paper:
//
// 1. Contexts: the bare prompt and up to 5 "<prefix>. <prompt>" variants; the prefixes are distinct ≤10-token
//    texts the model itself samples after <|endoftext|> (rome-contexts.ts).
// 2. Keys: k̄ = mean over the contexts of the down projection's input at the key token; only its direction
//    u = C⁻¹k̄ is used (compute_u.py). The bare prompt's own key k_b and value v_b (compute_v.py) set the target.
// 3. v* = v_b + δ: Adam on δ ∈ R^C added to the layer's output at the key token of every context and of
//    "{subject} is a" (a LinearHook), minimising mean target NLL over the contexts + 0.0625·KL of the next-token
//    distribution at the key token of "{subject} is a" (the code's "essence" row; we use KL(p_pre ‖ p_δ), whose
//    logit gradient is a soft-target cross-entropy, where the code has KL(p_δ ‖ p_pre); both vanish only at
//    p_δ = p_pre) + 0.5·‖δ‖/‖v_b‖²; ‖δ‖ ≤ 4‖v_b‖; stop once the TOTAL loss < 0.05 (the code's rule). The Adam
//    lr is scaled to the value norm, relative·‖v_b‖/√C (rome-math.ts valueScaledLr; ours: ROME's lr 0.5 was
//    tuned for GPT-2 XL's width and value norms), unless a setting gives it.
// 4. ΔW = u (v* − v_b)ᵀ / (uᵀk_b) (rome-math.ts releasedRankOneUpdate): the whole δ reaches the edit prompt.
//    The paper's form, (C⁻¹k̄)(v* − W k̄)ᵀ/(k̄ᵀC⁻¹k̄), stays available as normalisation 'paper'. C comes from
//    rome-covariance.ts with a ridge of 1e-2·mean(diag C) (the code inverts C as is; a small sample leaves it
//    ill-posed).
//
// Site: the layer and key token come from rome-site.json next to the model (a causal trace's choice), else the
// middle block at the subject's last token; both are reported in the patch info. Never the last block with
// keyToken 'subject_last': there the subject row cannot reach the prediction (its δ gradient is exactly 0).

import { gatherRows, scatterAddRows } from '../gpu/kernels/gather.ts';
import { softTargetBackward } from '../gpu/kernels/soft-targets.ts';
import { klDivergence } from '../eval/metrics.ts';
import { completionRows, lastTokenRows, makeBatch, type HeadRow } from '../model/batch.ts';
import type { LinearHook } from '../model/language-model.ts';
import { tokenizeRequest, type TokenizedRequest } from './request.ts';
import {
  parseRomeSite,
  ROME_SITE_FILE,
  sampleContextPrefixes,
  type KeyToken,
  type RomeSite,
} from './rome-contexts.ts';
import {
  covarianceFileName,
  keyWeightsHash,
  parseKeyCovariance,
  ROME_ROLE,
  type KeyCovariance,
} from './rome-covariance.ts';
import {
  choleskyWithRidge,
  norm,
  rankOneUpdate,
  releasedRankOneUpdate,
  valueScaledLr,
  VectorAdam,
  type Cholesky,
} from './rome-math.ts';
import { checkLayer, checkNumber, middleLayer } from './settings.ts';
import {
  EditorWeightsError,
  EditRequestError,
  type EditRequest,
  type Editor,
  type EditTarget,
  type MethodSettings,
  type Patch,
} from './types.ts';

export const ROME_DEFAULTS = {
  /** Fixed context prefixes; null: sample `contexts` of them from the model after <|endoftext|>. */
  prefixes: null as string[] | null,
  /** Where the key is read and δ added: ROME's 'subject_last', or 'last' (the prompt's last token). */
  keyToken: 'subject_last' as KeyToken,
  /** The released code's get_context_templates: 5 samples of 10 tokens (the paper's appendix had 10 + 10). */
  contexts: 5,
  contextTokens: 10,
  steps: 25,
  /** Adam lr as a fraction of ‖v_b‖/√C: one step moves δ by about this fraction of ‖v_b‖. */
  lrRelative: 0.2,
  klWeight: 0.0625,
  weightDecay: 0.5,
  clampFactor: 4,
  /** Early stop on the total loss (NLL + KL term + weight decay), as the released code. */
  lossStop: 0.05,
  ridge: 1e-2,
  /** 'released': bare prompt's key and value (the code); 'paper': context-averaged key for both (eq. 2). */
  normalisation: 'released' as 'released' | 'paper',
  /** Shown with each edit: how the layer and key token were chosen. */
  siteSource: 'default: the middle block at the subject’s last token',
};
export type RomeOptions = typeof ROME_DEFAULTS;

/** What ROME's optimisation finds for one request, before any update is formed (AlphaEdit reuses it). */
export interface RomeTarget {
  layer: number;
  /** k̄ (n): the context-averaged key; k_b (n), v_b (C): the bare prompt's key and value. */
  keyMean: Float64Array;
  keyBare: Float64Array;
  valueBare: Float64Array;
  /** v̄ (C): the context-averaged value, W k̄ + b (the paper's form targets v̄ + δ at k̄). */
  valueMean: Float64Array;
  /** δ (C): v* = v_b + δ. */
  delta: Float64Array;
  info: Record<string, number | string>;
}

let patchCounter = 0;

export class RomeEditor implements Editor {
  readonly method = 'rome' as const;
  readonly options: RomeOptions;
  private cholesky: Cholesky | null = null;
  private prefixes: { model: object; texts: string[] } | null = null;

  constructor(
    readonly covariance: KeyCovariance,
    options: Partial<RomeOptions> = {},
  ) {
    this.options = { ...ROME_DEFAULTS, ...options };
  }

  get layer(): number {
    return this.covariance.layer;
  }

  async edit(target: EditTarget, request: EditRequest, settings: MethodSettings = {}): Promise<Patch> {
    const t = await this.computeTarget(target, request, settings);
    const vStar = t.valueBare.map((v, j) => v + t.delta[j]);
    const update =
      this.options.normalisation === 'released'
        ? releasedRankOneUpdate(this.factor(), t.keyMean, t.keyBare, vStar, t.valueBare)
        : rankOneUpdate(
            this.factor(),
            t.keyMean,
            t.valueMean.map((v, j) => v + t.delta[j]),
            t.valueMean,
          );
    const spec = target.model.linear(t.layer, ROME_ROLE);
    return {
      id: `rome${++patchCounter}`,
      method: 'rome',
      request,
      deltas: [
        {
          block: t.layer,
          role: ROME_ROLE,
          param: spec.param,
          nIn: spec.nIn,
          nOut: spec.nOut,
          rank: 1,
          left: update.left,
          right: update.right,
        },
      ],
      info: { ...t.info, normalisation: this.options.normalisation, keyEnergy: update.keyEnergy },
    };
  }

  /** Steps 1–3: contexts, keys, and δ; validates the request and the settings. */
  async computeTarget(
    target: EditTarget,
    request: EditRequest,
    settings: MethodSettings = {},
  ): Promise<RomeTarget> {
    const { model } = target;
    const { dims } = model;
    const req = tokenizeRequest(target, request);
    const l = this.layer;
    if (checkLayer(dims, settings.layer, l) !== l)
      throw new EditRequestError(
        `ROME edits layer ${l}, where its key covariance was computed; compute one for layer ${settings.layer} to edit there.`,
      );
    if (l >= dims.nLayer || this.covariance.n !== model.linear(l, ROME_ROLE).nIn)
      throw new EditorWeightsError(
        `The ROME covariance (${this.covariance.n} wide, layer ${l}) does not fit this model (${dims.nLayer} layers, MLP ${dims.nInner} wide).`,
      );
    const steps = checkNumber('ROME steps', settings.steps, this.options.steps, 1, 500, true);

    const contexts = [req, ...(await this.prefixTexts(target)).flatMap((p) => fits(target, request, p))];
    const klReq = tokenizeRequest(target, { ...request, prompt: `${request.subject} is a` });
    const { keyMean, keyBare, valueBare, valueMean } = await this.keys(target, contexts);
    const C = valueBare.length;
    const lr =
      settings.lr === undefined
        ? valueScaledLr(this.options.lrRelative, norm(valueBare), C)
        : checkNumber('The ROME learning rate', settings.lr, this.options.lrRelative, 1e-6, 10);
    const opt = await this.optimiseDelta(target, contexts, klReq, valueBare, steps, lr);
    // How much of δ the paper's form would deliver at the bare prompt: uᵀk_b / uᵀk̄ with u = C⁻¹k̄.
    const u = rankOneUpdate(this.factor(), keyMean, valueBare, valueBare).left;
    let reach = 0;
    for (let i = 0; i < u.length; i++) reach += u[i] * keyBare[i];
    return {
      layer: l,
      keyMean,
      keyBare,
      valueBare,
      valueMean,
      delta: opt.delta,
      info: {
        layer: l,
        keyToken: this.options.keyToken,
        site: this.options.siteSource,
        contexts: contexts.length,
        steps: opt.updates,
        lr,
        nll: opt.nll,
        kl: opt.kl,
        loss: opt.loss,
        deltaNorm: norm(opt.delta),
        valueNorm: norm(valueBare),
        paperReach: reach,
      },
    };
  }

  private keyPosition(c: TokenizedRequest): number {
    return this.options.keyToken === 'last' ? c.prompt.length - 1 : c.subjectLast;
  }

  /** L = chol(C + ridge·mean(diag C)·I), once per editor (O(n³)); each edit then solves in O(n²). */
  factor(): Cholesky {
    const { cov, n } = this.covariance;
    this.cholesky ??= choleskyWithRidge(cov, n, this.options.ridge);
    return this.cholesky;
  }

  private async prefixTexts({ model, tokenizer }: EditTarget): Promise<string[]> {
    if (this.options.prefixes) return this.options.prefixes;
    if (this.prefixes?.model === model) return this.prefixes.texts;
    const texts = await sampleContextPrefixes(
      model,
      tokenizer,
      this.options.contexts,
      this.options.contextTokens,
    );
    this.prefixes = { model, texts };
    return texts;
  }

  /** k̄ (n), v̄ (C): means over the contexts; k_b, v_b: the bare prompt's (context 0) key and value. */
  private async keys(
    { model }: EditTarget,
    contexts: TokenizedRequest[],
  ): Promise<{
    keyMean: Float64Array;
    keyBare: Float64Array;
    valueBare: Float64Array;
    valueMean: Float64Array;
  }> {
    const { ctx, dims } = model;
    const { nIn: n, nOut: C } = model.linear(this.layer, ROME_ROLE);
    const P = contexts.length;
    const batch = makeBatch(
      contexts.map((c) => c.prompt),
      dims.nPositions,
    );
    const idx = ctx.upload(
      'rome.keyRows',
      Uint32Array.from(contexts, (c, b) => b * batch.T + this.keyPosition(c)),
    );
    const keys = ctx.buffer('rome.keys', P * n * 4); // (P, n)
    const values = ctx.buffer('rome.values', P * C * 4); // (P, C)
    try {
      await model.run(batch, lastTokenRows(batch), {
        hook: (c, { block, role, x, y }) => {
          if (block !== this.layer || role !== ROME_ROLE) return;
          gatherRows(c, { inp: x, idx, out: keys, R: P, C: n });
          gatherRows(c, { inp: y, idx, out: values, R: P, C });
        },
      });
      const k = await ctx.read(keys);
      const v = await ctx.read(values);
      return {
        keyMean: rowSum(k, P).map((x) => x / P),
        keyBare: Float64Array.from(k.subarray(0, n)),
        valueBare: Float64Array.from(v.subarray(0, C)),
        valueMean: rowSum(v, P).map((x) => x / P),
      };
    } finally {
      for (const b of [idx, keys, values]) b.destroy();
    }
  }

  /** Step 3: Adam on δ (CPU, C floats); forward/backward on the GPU with δ added through a LinearHook. */
  private async optimiseDelta(
    { model }: EditTarget,
    contexts: TokenizedRequest[],
    kl: TokenizedRequest,
    value: Float64Array,
    steps: number,
    lr: number,
  ): Promise<{ delta: Float64Array; nll: number; kl: number; loss: number; updates: number }> {
    const { ctx, dims } = model;
    const V = dims.vocabSize;
    const C = value.length;
    const o = this.options;
    const P = contexts.length;
    const seqs = [...contexts.map((c) => [...c.prompt, ...c.target]), kl.prompt];
    const batch = makeBatch(seqs, dims.nPositions);
    const nllBatch = { ...batch, B: P, lengths: batch.lengths.slice(0, P) };
    const rows: HeadRow[] = completionRows(
      nllBatch,
      contexts.map((c) => c.prompt.length),
    );
    const klHeadRow = rows.length;
    // The essence row: the next-token distribution at the key token of "{subject} is a" (compute_v.py).
    rows.push({ row: P * batch.T + this.keyPosition(kl), target: 0, weight: 0 }); // soft target only
    const subjectRows = Uint32Array.from([...contexts, kl], (c, b) => b * batch.T + this.keyPosition(c));
    const S = subjectRows.length;
    const idx = ctx.upload('rome.deltaRows', subjectRows);
    const deltaRows = ctx.buffer('rome.delta', S * C * 4); // (S, C) δ repeated
    const gradRows = ctx.buffer('rome.deltaGrad', S * C * 4); // (S, C) ∂L/∂y at the subject rows
    const klRow = ctx.upload('rome.klRow', Uint32Array.of(klHeadRow));
    const klWeight = ctx.upload('rome.klWeight', Float32Array.of(o.klWeight));
    const q = ctx.buffer('rome.pPre', V * 4); // (1, V)
    const addDelta: LinearHook = (c, { block, role, y }) => {
      if (block === this.layer && role === ROME_ROLE)
        scatterAddRows(c, { dout: deltaRows, idx, dinp: y, R: S, C });
    };
    const delta = new Float64Array(C);
    const adam = new VectorAdam(C, lr);
    const maxNorm = o.clampFactor * norm(value);
    const vv = norm(value) ** 2;
    let [nll, klValue, loss, updates] = [NaN, NaN, NaN, 0];
    try {
      // p_pre: the unedited distribution at the essence row (δ = 0 everywhere).
      const pre = await model.run(batch, rows, { readProbs: true });
      const pPre = pre.probs!.slice(klHeadRow * V, (klHeadRow + 1) * V);
      ctx.write(q, pPre);
      for (;;) {
        ctx.write(deltaRows, repeatRows(delta, S));
        const result = await model.run(batch, rows, {
          hook: addDelta,
          readProbs: true,
          backward: {
            stopLayer: this.layer,
            stopAfterMlp: true,
            onHeadGradient: ({ dlogits, probs }) =>
              softTargetBackward(ctx, { rows: klRow, weights: klWeight, q, probs, dlogits, K: 1, V }),
            onLinear: (l, role, _u, dy) => {
              if (l === this.layer && role === ROME_ROLE)
                gatherRows(ctx, { inp: dy, idx, out: gradRows, R: S, C });
            },
          },
        });
        nll = result.loss; // the essence row has weight 0 here: this is the mean target NLL alone
        klValue = klDivergence(pPre, result.probs!.subarray(klHeadRow * V, (klHeadRow + 1) * V));
        const dn = norm(delta);
        loss = nll + o.klWeight * klValue + (o.weightDecay * dn) / vv;
        if (loss < o.lossStop || updates === steps) break;
        const grad = rowSum(await ctx.read(gradRows, 0, S * C * 4), S); // ∂L/∂δ = Σ_s ∂L/∂y_s
        if (dn > 0) for (let j = 0; j < C; j++) grad[j] += (o.weightDecay * delta[j]) / (dn * vv);
        adam.step(delta, grad);
        updates++;
        const after = norm(delta);
        if (after > maxNorm) for (let j = 0; j < C; j++) delta[j] *= maxNorm / after;
      }
      return { delta, nll, kl: klValue, loss, updates };
    } finally {
      for (const b of [idx, deltaRows, gradRows, klRow, klWeight, q]) b.destroy();
    }
  }
}

/**
 * The ROME editor for a model whose covariance file sits next to it; null when the file is absent. The site
 * (layer, key token) comes from rome-site.json when present, else `layer` at the subject's last token. A file
 * made for other weights is an EditorWeightsError. Call before any edit is applied.
 */
export async function loadRomeEditor(
  target: EditTarget,
  files: (name: string) => Promise<Uint8Array | null>,
  layer = middleLayer(target.model.dims),
  options: Partial<RomeOptions> = {},
): Promise<RomeEditor | null> {
  const siteBytes = await files(ROME_SITE_FILE);
  const site: RomeSite = siteBytes
    ? parseRomeSite(siteBytes, target.model.dims.nLayer)
    : { layer, keyToken: 'subject_last', source: ROME_DEFAULTS.siteSource };
  const name = covarianceFileName(site.layer);
  const bytes = await files(name);
  if (!bytes) return null;
  const cov = parseKeyCovariance(bytes, name, {
    layer: site.layer,
    n: target.model.linear(site.layer, ROME_ROLE).nIn,
    weightsHash: await keyWeightsHash(target.model, site.layer),
  });
  return new RomeEditor(cov, { keyToken: site.keyToken, siteSource: site.source, ...options });
}

/** The request with a context prefix, or nothing when it no longer fits the model's context. */
function fits(target: EditTarget, request: EditRequest, prefix: string): TokenizedRequest[] {
  try {
    return [tokenizeRequest(target, { ...request, prompt: `${prefix}. ${request.prompt}` })];
  } catch (e) {
    if (e instanceof EditRequestError) return [];
    throw e;
  }
}

function rowSum(rows: Float32Array, R: number): Float64Array {
  const n = rows.length / R;
  const out = new Float64Array(n);
  for (let r = 0; r < R; r++) for (let j = 0; j < n; j++) out[j] += rows[r * n + j];
  return out;
}

function repeatRows(x: Float64Array, S: number): Float32Array {
  const out = new Float32Array(S * x.length);
  for (let s = 0; s < S; s++) out.set(x, s * x.length);
  return out;
}
