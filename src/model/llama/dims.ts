// The shape of a Llama-family model (Llama 2, Qwen2, Qwen3) as the engine sees it, its role table (which
// nn.Linear plays which LinearRole) and its parameter names (Hugging Face checkpoint names).

import type { LinearRole, LinearSpec, ModelDims } from '../language-model.ts';

export type LlamaArchitecture = 'llama' | 'qwen2' | 'qwen3';

/** Which attention projections carry a bias: none (Llama, Qwen3), q/k/v (Qwen2), q/k/v/o (attention_bias). */
export type LlamaAttentionBias = 'none' | 'qkv' | 'qkvo';

export interface LlamaDims extends ModelDims {
  architecture: LlamaArchitecture;
  /** rms_norm_eps. */
  eps: number;
  /** rope_theta. */
  ropeTheta: number;
  /** lm_head shares model.embed_tokens.weight (tie_word_embeddings). */
  tiedEmbeddings: boolean;
  attentionBias: LlamaAttentionBias;
  /** Qwen3's per-head RMSNorm on q and k (self_attn.q_norm / k_norm, width head_dim) before RoPE. */
  qkNorm: boolean;
}

/**
 * LlamaDims from a parsed HF config (src/model/llama-config.ts's LlamaConfig has these fields); copies only what
 * the model reads, and checks what the kernels need, so a hand-built object fails with a sentence too.
 */
export function llamaDims(c: LlamaDims): LlamaDims {
  const d: LlamaDims = {
    architecture: c.architecture,
    nLayer: c.nLayer,
    nEmbd: c.nEmbd,
    nPositions: c.nPositions,
    vocabSize: c.vocabSize,
    nHead: c.nHead,
    nKvHead: c.nKvHead,
    headDim: c.headDim,
    nInner: c.nInner,
    eps: c.eps,
    ropeTheta: c.ropeTheta,
    tiedEmbeddings: c.tiedEmbeddings,
    attentionBias: c.attentionBias,
    qkNorm: c.qkNorm,
  };
  for (const k of [
    'nLayer',
    'nEmbd',
    'nPositions',
    'vocabSize',
    'nHead',
    'nKvHead',
    'headDim',
    'nInner',
  ] as const)
    if (!Number.isInteger(d[k]) || d[k] < 1)
      throw new RangeError(`Llama dims: ${k} must be a positive integer.`);
  if (d.nHead % d.nKvHead !== 0)
    throw new RangeError(
      `Llama dims: ${d.nHead} query heads cannot share ${d.nKvHead} key/value heads evenly.`,
    );
  if (d.headDim % 2 !== 0)
    throw new RangeError(`Llama dims: head_dim ${d.headDim} must be even (RoPE pairs).`);
  return d;
}

export const EMBED = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';

/** The head's weight (V, C): lm_head, or the token embedding when tied. */
export function headParam(d: LlamaDims): string {
  return d.tiedEmbeddings ? EMBED : LM_HEAD;
}

export const layerPrefix = (l: number) => `model.layers.${l}`;

/** The role table, in forward order: HF module and (nIn, nOut). */
function roleTable(
  d: LlamaDims,
): { role: LinearRole; module: string; nIn: number; nOut: number; bias: boolean }[] {
  const C = d.nEmbd;
  const Q = d.nHead * d.headDim;
  const KV = d.nKvHead * d.headDim;
  const qkvBias = d.attentionBias !== 'none';
  return [
    { role: 'attn.q', module: 'self_attn.q_proj', nIn: C, nOut: Q, bias: qkvBias },
    { role: 'attn.k', module: 'self_attn.k_proj', nIn: C, nOut: KV, bias: qkvBias },
    { role: 'attn.v', module: 'self_attn.v_proj', nIn: C, nOut: KV, bias: qkvBias },
    { role: 'attn.out', module: 'self_attn.o_proj', nIn: Q, nOut: C, bias: d.attentionBias === 'qkvo' },
    { role: 'mlp.gate', module: 'mlp.gate_proj', nIn: C, nOut: d.nInner, bias: false },
    { role: 'mlp.up', module: 'mlp.up_proj', nIn: C, nOut: d.nInner, bias: false },
    { role: 'mlp.down', module: 'mlp.down_proj', nIn: d.nInner, nOut: C, bias: false },
  ];
}

/** Every linear of every block, block-major, forward order; weights stored (nOut, nIn) as in nn.Linear. */
export function llamaLinearSpecs(d: LlamaDims): LinearSpec[] {
  const out: LinearSpec[] = [];
  for (let block = 0; block < d.nLayer; block++)
    for (const l of roleTable(d)) {
      const h = `${layerPrefix(block)}.${l.module}`;
      out.push({
        block,
        role: l.role,
        param: `${h}.weight`,
        biasParam: l.bias ? `${h}.bias` : null,
        nIn: l.nIn,
        nOut: l.nOut,
        order: 'out_in',
      });
    }
  return out;
}

/** Every parameter with its shape, in HF's named_parameters() order. */
export function parameterShapes(d: LlamaDims): [string, number[]][] {
  const C = d.nEmbd;
  const out: [string, number[]][] = [[EMBED, [d.vocabSize, C]]];
  const specs = llamaLinearSpecs(d);
  for (let l = 0; l < d.nLayer; l++) {
    const h = layerPrefix(l);
    const linears = specs.filter((s) => s.block === l);
    const push = (s: LinearSpec) => {
      out.push([s.param, [s.nOut, s.nIn]]);
      if (s.biasParam) out.push([s.biasParam, [s.nOut]]);
    };
    linears.slice(0, 4).forEach(push);
    if (d.qkNorm)
      out.push([`${h}.self_attn.q_norm.weight`, [d.headDim]], [`${h}.self_attn.k_norm.weight`, [d.headDim]]);
    linears.slice(4).forEach(push);
    out.push([`${h}.input_layernorm.weight`, [C]], [`${h}.post_attention_layernorm.weight`, [C]]);
  }
  out.push([FINAL_NORM, [C]]);
  if (!d.tiedEmbeddings) out.push([LM_HEAD, [d.vocabSize, C]]);
  return out;
}

export function parameterCount(d: LlamaDims): number {
  return parameterShapes(d).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
}

/** Where a block's parameter sits in the block's forward order (its input norm 0 ... down_proj 5). */
function stageInBlock(suffix: string): number {
  if (suffix.startsWith('input_layernorm')) return 0;
  if (/^self_attn\.(q_proj|k_proj|v_proj|q_norm|k_norm)\./.test(suffix)) return 1;
  if (suffix.startsWith('self_attn.o_proj')) return 2;
  if (suffix.startsWith('post_attention_layernorm')) return 3;
  if (/^mlp\.(gate_proj|up_proj)\./.test(suffix)) return 4;
  return 5; // mlp.down_proj
}

const ROLE_STAGE: Partial<Record<LinearRole, number>> = {
  'attn.q': 1,
  'attn.k': 1,
  'attn.v': 1,
  'attn.out': 2,
  'mlp.gate': 4,
  'mlp.up': 4,
  'mlp.down': 5,
};

/**
 * The parameters whose values determine the input of (block, role), in parameterShapes order: the embedding,
 * every earlier block, and the layers before it in its own block (LanguageModel.inputParameters).
 */
export function inputParameters(d: LlamaDims, block: number, role: LinearRole): string[] {
  const stage = ROLE_STAGE[role];
  if (stage === undefined || !Number.isInteger(block) || block < 0 || block >= d.nLayer)
    throw new RangeError(
      `This ${d.architecture} model (${d.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
    );
  const own = `${layerPrefix(block)}.`;
  return parameterShapes(d)
    .map(([name]) => name)
    .filter((name) => {
      if (name === EMBED) return true;
      const m = /^model\.layers\.(\d+)\./.exec(name);
      if (!m) return false;
      const l = Number(m[1]);
      return l < block || (l === block && stageInBlock(name.slice(own.length)) < stage);
    });
}

/** A model's shape without weights (hypernetworks size themselves from it; see ModelShape). */
export function llamaShape(d: LlamaDims) {
  const dims = llamaDims(d);
  const linears = llamaLinearSpecs(dims);
  return {
    architecture: dims.architecture,
    dims,
    linears,
    linear(block: number, role: LinearRole): LinearSpec {
      const s = linears.find((l) => l.block === block && l.role === role);
      if (!s)
        throw new RangeError(
          `This ${dims.architecture} model (${dims.nLayer} blocks) has no linear layer ${role} in block ${block}.`,
        );
      return s;
    },
  };
}
