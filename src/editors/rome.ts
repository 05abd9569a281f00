// ROME (Meng et al., "Locating and Editing Factual Associations in GPT", NeurIPS 2022): a rank-one change of
// W = block l*'s MLP down projection (role 'mlp.down': GPT-2 c_proj, Llama/Qwen down_proj; logical (n, C),
// n = MLP width) that maps the subject's key k* to a new value v*. Spec: method.md, "ROME".
//
// 1. Contexts: the bare prompt and ~10 "<prefix>. <prompt>" variants; the prefixes are ~5-token texts the model
//    itself samples after <|endoftext|> (ROME's generated context templates), made once per editor and model.
// 2. k* = mean over contexts of c_proj's input (post-GELU) at the subject's last token; v_init = mean of
//    c_proj's output there (= k* W + b, by linearity).
// 3. v* = v_init + δ: Adam on δ ∈ R^C (lr 0.5, ≤ 20 steps) added to c_proj's output at the subject's last
//    token of every context (a LinearHook), minimising mean target NLL over the contexts
//    + 0.0625·KL(p_pre ‖ p_δ) of the next token after "{subject} is a" + 0.5·‖δ‖/‖v_init‖² (ROME's
//    v_weight_decay form); ‖δ‖ ≤ 4‖v_init‖; stop once the NLL < 0.05 (ROME's rule). ∂L/∂δ = Σ over the
//    contexts' subject rows of c_proj's output gradient (onLinear). The KL direction: ROME's code computes
//    KL(p_δ ‖ p_pre); we use KL(p_pre ‖ p_δ), whose logit gradient p_δ − p_pre is a soft-target
//    cross-entropy (shaders/soft_targets.wgsl). Both vanish only at p_δ = p_pre.
// 4. ΔW = leftᵀ·right with left = C⁻¹k* / (k*ᵀC⁻¹k*), right = v* − v_init (rome-math.ts), C from
//    rome-covariance.ts with a ridge of 1e-2·mean(diag C) (ROME uses none; a small sample leaves C ill-posed).
//
// Layer: the middle block by default, (L − 1) / 2. Never the last block with keyToken 'subject_last': there
// the subject row cannot reach the prediction (its δ gradient is exactly 0). Measured on the fact-world model
// (3 blocks, 128 wide; 2–3 TRAIN records, bare prompt, SwiftShader): at the subject's last token the δ
// gradient is ~3e-3 at NLL ≈ 5 and edits fail at blocks 0 and 1 (reliability ≈ 0 even with ‖δ‖ ≤ 30‖v‖): this
// small model moves the subject to the final position before recalling. keyToken 'last' at block 1 reached
// reliability 0.67, generality 0.33, locality 0.50 with clampFactor 30 (0.25/0.17/0.67 at the default 4).

import { gatherRows, scatterAddRows } from '../gpu/kernels/gather.ts';
import { softTargetBackward } from '../gpu/kernels/soft-targets.ts';
import { completionRows, lastTokenRows, makeBatch, type HeadRow } from '../model/batch.ts';
import type { LinearHook } from '../model/language-model.ts';
import { tokenizeRequest, type TokenizedRequest } from './request.ts';
import {
  covarianceFileName,
  keyWeightsHash,
  parseKeyCovariance,
  ROME_ROLE,
  type KeyCovariance,
} from './rome-covariance.ts';
import { choleskyWithRidge, norm, rankOneUpdate, VectorAdam, type Cholesky } from './rome-math.ts';
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
  /**
   * Where the key is read and δ added: ROME's default 'subject_last', or 'last' (the prompt's last token; ROME's
   * code offers it as fact_token="last"), for models that move the subject to the end before recalling.
   */
  keyToken: 'subject_last' as 'subject_last' | 'last',
  contexts: 10,
  contextTokens: 5,
  steps: 20,
  lr: 0.5,
  klWeight: 0.0625,
  weightDecay: 0.5,
  clampFactor: 4,
  nllStop: 0.05,
  ridge: 1e-2,
};
export type RomeOptions = typeof ROME_DEFAULTS;

let patchCounter = 0;

export class RomeEditor implements Editor {
  readonly method = 'rome' as const;
  private cholesky: Cholesky | null = null;
  private prefixes: { model: object; texts: string[] } | null = null;

  constructor(
    readonly covariance: KeyCovariance,
    readonly options: RomeOptions = ROME_DEFAULTS,
  ) {}

  get layer(): number {
    return this.covariance.layer;
  }

  async edit(target: EditTarget, request: EditRequest, settings: MethodSettings = {}): Promise<Patch> {
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
    const lr = checkNumber('The ROME learning rate', settings.lr, this.options.lr, 1e-5, 10);

    const contexts = [req, ...(await this.prefixTexts(target)).flatMap((p) => fits(target, request, p))];
    const klReq = tokenizeRequest(target, { ...request, prompt: `${request.subject} is a` });
    const { key, value } = await this.keyAndValue(target, contexts);
    const { delta, nll, updates } = await this.optimiseDelta(target, contexts, klReq, value, steps, lr);
    const vStar = value.map((v, j) => v + delta[j]);
    const update = rankOneUpdate(this.factor(), key, vStar, value);
    const spec = model.linear(l, ROME_ROLE);
    return {
      id: `rome${++patchCounter}`,
      method: 'rome',
      request,
      deltas: [
        {
          block: l,
          role: ROME_ROLE,
          param: spec.param,
          nIn: spec.nIn,
          nOut: spec.nOut,
          rank: 1,
          left: update.left,
          right: update.right,
        },
      ],
      info: {
        layer: l,
        contexts: contexts.length,
        steps: updates,
        nll,
        deltaNorm: norm(delta),
        valueNorm: norm(value),
        keyEnergy: update.keyEnergy,
      },
    };
  }

  private keyPosition(c: TokenizedRequest): number {
    return this.options.keyToken === 'last' ? c.prompt.length - 1 : c.subjectLast;
  }

  /** L = chol(C + ridge·mean(diag C)·I), once per editor (O(n³)); each edit then solves in O(n²). */
  private factor(): Cholesky {
    const { cov, n } = this.covariance;
    this.cholesky ??= choleskyWithRidge(cov, n, this.options.ridge);
    return this.cholesky;
  }

  /**
   * Context prefixes: the fixed ones from the options, else texts sampled from the model after <|endoftext|>
   * (fixed seeds; an empty sample is skipped, so a model that only ever emits EOS there edits on the bare
   * prompt), or ROME-style generic words for a tokenizer without EOS.
   */
  private async prefixTexts({ model, tokenizer }: EditTarget): Promise<string[]> {
    if (this.options.prefixes) return this.options.prefixes;
    if (this.prefixes?.model === model) return this.prefixes.texts;
    const { contexts, contextTokens } = this.options;
    const eos = tokenizer.eosId;
    const texts: string[] = [];
    for (let seed = 1; seed <= contexts; seed++) {
      if (eos === null) break;
      const ids = await model.generate([eos], contextTokens, { temperature: 1, seed, stopId: eos });
      const text = tokenizer
        .decode(ids)
        .replace(/[{}\n]/g, ' ')
        .trim();
      if (text !== '') texts.push(text);
    }
    if (eos === null && contexts > 0) texts.push('The', 'Therefore', 'Because', 'I', 'You'); // no EOS to start from
    this.prefixes = { model, texts };
    return texts;
  }

  /** k* (n) and v_init (C): means over the contexts at the subject's last token, read through a hook. */
  private async keyAndValue(
    { model }: EditTarget,
    contexts: TokenizedRequest[],
  ): Promise<{ key: Float64Array; value: Float64Array }> {
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
      return { key: rowMean(await ctx.read(keys), P), value: rowMean(await ctx.read(values), P) };
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
  ): Promise<{ delta: Float64Array; nll: number; updates: number }> {
    const { ctx, dims } = model;
    const { C, V } = { C: dims.nEmbd, V: dims.vocabSize };
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
    rows.push({ row: P * batch.T + kl.prompt.length - 1, target: 0, weight: 0 }); // soft target only
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
    let nll = NaN;
    let updates = 0;
    try {
      // p_pre: the unedited next-token distribution after "{subject} is a" (δ = 0 everywhere).
      const pre = await model.run(batch, rows, { readProbs: true });
      ctx.write(q, pre.probs!.subarray(klHeadRow * V, (klHeadRow + 1) * V));
      for (;;) {
        ctx.write(deltaRows, repeatRows(delta, S));
        const result = await model.run(batch, rows, {
          hook: addDelta,
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

        nll = result.loss; // the KL row has weight 0 here: this is the mean target NLL alone
        if (nll < o.nllStop || updates === steps) break;
        const grad = rowSum(await ctx.read(gradRows, 0, S * C * 4), S); // ∂L/∂δ = Σ_s ∂L/∂y_s
        const dn = norm(delta);
        if (dn > 0) for (let j = 0; j < C; j++) grad[j] += (o.weightDecay * delta[j]) / (dn * vv);
        adam.step(delta, grad);
        updates++;
        const after = norm(delta);
        if (after > maxNorm) for (let j = 0; j < C; j++) delta[j] *= maxNorm / after;
      }
      return { delta, nll, updates };
    } finally {
      for (const b of [idx, deltaRows, gradRows, klRow, klWeight, q]) b.destroy();
    }
  }
}

/**
 * The ROME editor for a model whose covariance file (covarianceFileName(layer)) sits next to it; null when the
 * file is absent. A file made for other weights is an EditorWeightsError. Call before any edit is applied.
 */
export async function loadRomeEditor(
  target: EditTarget,
  files: (name: string) => Promise<Uint8Array | null>,
  layer = middleLayer(target.model.dims),
): Promise<RomeEditor | null> {
  const name = covarianceFileName(layer);
  const bytes = await files(name);
  if (!bytes) return null;
  const cov = parseKeyCovariance(bytes, name, {
    layer,
    n: target.model.linear(layer, ROME_ROLE).nIn,
    weightsHash: await keyWeightsHash(target.model, layer),
  });
  return new RomeEditor(cov);
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

function rowMean(rows: Float32Array, R: number): Float64Array {
  return rowSum(rows, R).map((x) => x / R);
}

function repeatRows(x: Float64Array, S: number): Float32Array {
  const out = new Float32Array(S * x.length);
  for (let s = 0; s < S; s++) out.set(x, s * x.length);
  return out;
}
