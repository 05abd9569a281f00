import code from '../../../shaders/attention_gqa.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const ATTENTION_GQA = { name: 'attention_gqa', code };

const WORKGROUP = 64;
const MAX_GROUPS = 65535;

export interface GqaShape {
  B: number;
  /** Query rows per sequence (the new tokens). */
  Tq: number;
  NH: number;
  NKV: number;
  HD: number;
}

/** Where q, k and v live (see shaders/attention_gqa.wgsl); the defaults are contiguous (B, T, heads·HD). */
export interface GqaLayout {
  /** Key/value rows per sequence (the cache capacity); default Tq. */
  S?: number;
  /** Absolute position of query row 0 (the cached length); default 0. */
  pos0?: number;
  qStride?: number;
  qOff?: number;
  kvStride?: number;
  kOff?: number;
  vOff?: number;
}

export interface GqaForwardArgs extends GqaShape, GqaLayout {
  q: GPUBuffer;
  k: GPUBuffer;
  v: GPUBuffer;
  /** (B, Tq, NH·HD), overwritten. */
  out: GPUBuffer;
  /** (B, NH, Tq, S), overwritten with the probabilities (0 past the causal limit). */
  att: GPUBuffer;
}

export interface GqaBackwardArgs extends GqaShape {
  dout: GPUBuffer; // (B, T, NH·HD)
  q: GPUBuffer; // (B, T, NH·HD)
  k: GPUBuffer; // (B, T, NKV·HD)
  v: GPUBuffer; // (B, T, NKV·HD)
  att: GPUBuffer; // (B, NH, T, T) from the forward
  /** (B, T, NH·HD), overwritten. */
  dq: GPUBuffer;
  /** (B, T, NKV·HD), overwritten. */
  dk: GPUBuffer;
  dv: GPUBuffer;
  /** (B, NH, T, T), any contents; overwritten with the pre-softmax gradient. */
  scratch: GPUBuffer;
}

/** Causal grouped-query attention softmax(q·kᵀ/√HD)·v, NH query heads over NKV key/value heads. */
export function attentionGqaForward(ctx: GpuContext, x: GqaForwardArgs): void {
  ctx.dispatch({
    kernel: ATTENTION_GQA,
    entry: 'attention_gqa_forward',
    ...uniforms(x, x),
    buffers: [x.q, x.k, x.v, x.out, x.att],
    workgroups: grid(x.B * x.NH * x.Tq),
  });
}

/** dq, dk, dv from dout, for contiguous training layouts (no cache): a query pass, then a key pass. */
export function attentionGqaBackward(ctx: GpuContext, x: GqaBackwardArgs): void {
  const u = uniforms(x, {});
  ctx.dispatch({
    kernel: ATTENTION_GQA,
    entry: 'attention_gqa_backward_query',
    ...u,
    buffers: [x.dout, x.k, x.v, x.att, x.dq, x.scratch],
    workgroups: grid(x.B * x.NH * x.Tq),
  });
  ctx.dispatch({
    kernel: ATTENTION_GQA,
    entry: 'attention_gqa_backward_key',
    ...u,
    buffers: [x.dout, x.q, x.att, x.scratch, x.dk, x.dv],
    workgroups: grid(x.B * x.NKV * x.Tq),
  });
}

function uniforms({ B, Tq, NH, NKV, HD }: GqaShape, l: GqaLayout) {
  if (!(NKV >= 1 && NH % NKV === 0)) {
    throw new RangeError(`attention: ${NH} query heads cannot share ${NKV} key/value heads evenly.`);
  }
  const S = l.S ?? Tq;
  const pos0 = l.pos0 ?? 0;
  if (pos0 + Tq > S)
    throw new RangeError(`attention: positions up to ${pos0 + Tq} exceed the ${S} cached rows.`);
  const params = [
    B,
    Tq,
    S,
    pos0,
    NH,
    NKV,
    HD,
    l.qStride ?? NH * HD,
    l.qOff ?? 0,
    l.kvStride ?? NKV * HD,
    l.kOff ?? 0,
    l.vOff ?? 0,
  ];
  return { params, floats: [1 / Math.sqrt(HD)] };
}

function grid(cells: number): [number, number] {
  const groups = Math.ceil(cells / WORKGROUP);
  const y = Math.ceil(groups / MAX_GROUPS);
  if (y > MAX_GROUPS) {
    throw new GpuLimitError(
      `attention: ${cells} (sequence, head, position) cells are too many for one dispatch.`,
    );
  }
  return [Math.min(groups, MAX_GROUPS), y];
}
