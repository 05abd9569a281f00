// CPU reference for shaders/attention.wgsl: causal multi-head self-attention (GPT-2's CausalSelfAttention
// between c_attn and c_proj), forward and backward, plain loops in f64 (outputs
// are Float64Array so finite differences of the forward can validate the backward). The oracle for tests.

export interface AttentionShape {
  B: number;
  T: number;
  C: number;
  NH: number;
}

/** Index helpers for qkv (B, T, 3C) with q | k | v thirds, and for att (B, NH, T, T). */
function layout({ T, C, NH }: AttentionShape) {
  const hs = C / NH;
  return {
    hs,
    qkv: (b: number, t: number, part: number, h: number) => (b * T + t) * 3 * C + part * C + h * hs,
    bt: (b: number, t: number, h: number) => (b * T + t) * C + h * hs,
    att: (b: number, h: number, t: number) => ((b * NH + h) * T + t) * T,
  };
}

/** out (B, T, C) = softmax(q·kᵀ/√hs, causal)·v; att (B, NH, T, T) = the probabilities, 0 above the diagonal. */
export function attentionForwardRef(
  qkv: ArrayLike<number>,
  shape: AttentionShape,
): { out: Float64Array; att: Float64Array } {
  const { B, T, C, NH } = shape;
  const L = layout(shape);
  const scale = 1 / Math.sqrt(L.hs);
  const out = new Float64Array(B * T * C);
  const att = new Float64Array(B * NH * T * T);
  const scores = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const q = L.qkv(b, t, 0, h);
        let max = -Infinity;
        for (let j = 0; j <= t; j++) {
          const k = L.qkv(b, j, 1, h);
          let s = 0;
          for (let d = 0; d < L.hs; d++) s += qkv[q + d] * qkv[k + d];
          scores[j] = s * scale;
          max = Math.max(max, scores[j]);
        }
        let sum = 0;
        for (let j = 0; j <= t; j++) {
          scores[j] = Math.exp(scores[j] - max);
          sum += scores[j];
        }
        const row = L.att(b, h, t);
        for (let j = 0; j <= t; j++) att[row + j] = scores[j] / sum;
        const o = L.bt(b, t, h);
        for (let d = 0; d < L.hs; d++) {
          let acc = 0;
          for (let j = 0; j <= t; j++) acc += (scores[j] / sum) * qkv[L.qkv(b, j, 2, h) + d];
          out[o + d] = acc;
        }
      }
    }
  }
  return { out, att };
}

/** dqkv (B, T, 3C) from dout (B, T, C), given the forward's qkv and att. Mirrors torch autograd of the forward. */
export function attentionBackwardRef(
  dout: ArrayLike<number>,
  qkv: ArrayLike<number>,
  att: ArrayLike<number>,
  shape: AttentionShape,
): Float64Array {
  const { B, T, C, NH } = shape;
  const L = layout(shape);
  const scale = 1 / Math.sqrt(L.hs);
  const dqkv = new Float64Array(B * T * 3 * C);
  const dpre = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let t = 0; t < T; t++) {
        const row = L.att(b, h, t);
        const g = L.bt(b, t, h);
        // out_t = Σ_j p_tj v_j  ⇒  dv_j += p_tj dout_t,  dp_tj = dout_t·v_j
        let dotPdP = 0;
        for (let j = 0; j <= t; j++) {
          const v = L.qkv(b, j, 2, h);
          let dp = 0;
          for (let d = 0; d < L.hs; d++) {
            dp += dout[g + d] * qkv[v + d];
            dqkv[v + d] += att[row + j] * dout[g + d];
          }
          dpre[j] = dp;
          dotPdP += att[row + j] * dp;
        }
        // softmax backward: ds_tj = p_tj (dp_tj − Σ_i p_ti dp_ti); s_tj = q_t·k_j/√hs
        const q = L.qkv(b, t, 0, h);
        for (let j = 0; j <= t; j++) {
          const ds = att[row + j] * (dpre[j] - dotPdP) * scale;
          const k = L.qkv(b, j, 1, h);
          for (let d = 0; d < L.hs; d++) {
            dqkv[q + d] += ds * qkv[k + d];
            dqkv[k + d] += ds * qkv[q + d];
          }
        }
      }
    }
  }
  return dqkv;
}
