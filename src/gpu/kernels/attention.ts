import code from '../../../shaders/attention.wgsl?raw';
import type { GpuContext } from '../context.ts';
import { GpuLimitError } from '../errors.ts';

export const ATTENTION = { name: 'attention', code };

const WORKGROUP = 64;
const MAX_GROUPS = 65535; // maxComputeWorkgroupsPerDimension, WebGPU's default limit

export interface AttentionShape {
  B: number;
  T: number;
  C: number;
  NH: number;
}

export interface AttentionForwardArgs extends AttentionShape {
  qkv: GPUBuffer; // (B, T, 3C)
  out: GPUBuffer; // (B, T, C)      =
  att: GPUBuffer; // (B, NH, T, T)  = softmax probabilities, 0 above the diagonal
}

export interface AttentionBackwardArgs extends AttentionShape {
  dout: GPUBuffer; // (B, T, C)
  qkv: GPUBuffer; // (B, T, 3C)
  att: GPUBuffer; // (B, NH, T, T)  as saved by attentionForward
  dqkv: GPUBuffer; // (B, T, 3C)     =
  scratch: GPUBuffer; // (B, NH, T, T)  any contents; overwritten with the pre-softmax gradient
}

/** Causal multi-head self-attention, softmax(q·kᵀ/√hs)·v per head (GPT-2's CausalSelfAttention before c_proj). */
export function attentionForward(ctx: GpuContext, x: AttentionForwardArgs): void {
  const { params, floats, workgroups } = geometry(x);
  ctx.dispatch({
    kernel: ATTENTION,
    entry: 'attention_forward',
    params,
    floats,
    buffers: [x.qkv, x.out, x.att],
    workgroups,
  });
}

/** dqkv from dout; two barrier-free passes (per query, then per key) so no invocation needs atomics. */
export function attentionBackward(ctx: GpuContext, x: AttentionBackwardArgs): void {
  const { params, floats, workgroups } = geometry(x);
  const buffers = [x.dout, x.qkv, x.att, x.dqkv, x.scratch];
  for (const entry of ['attention_backward_query', 'attention_backward_key']) {
    ctx.dispatch({ kernel: ATTENTION, entry, params, floats, buffers, workgroups });
  }
}

/** Uniforms and grid shared by the three entry points: one invocation per (b, h, t). */
function geometry({ B, T, C, NH }: AttentionShape) {
  if (!(NH >= 1 && C % NH === 0)) {
    throw new RangeError(`attention: n_embd ${C} is not a multiple of the number of heads ${NH}.`);
  }
  const groups = Math.ceil((B * NH * T) / WORKGROUP);
  const y = Math.ceil(groups / MAX_GROUPS);
  if (y > MAX_GROUPS) {
    throw new GpuLimitError(
      `attention: B·NH·T = ${B * NH * T} is too large for one dispatch; use smaller batches.`,
    );
  }
  return {
    params: [B, T, C, NH],
    floats: [1 / Math.sqrt(C / NH)],
    workgroups: [Math.min(groups, MAX_GROUPS), y] as [number, number],
  };
}
