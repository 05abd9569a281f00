// CPU reference for shaders/attention_gqa.wgsl: causal grouped-query attention in f64 on contiguous layouts
// q (B, T, NH·HD), k and v (B, T, NKV·HD); query head h reads kv head h / (NH / NKV). The backward is the
// chain rule of this forward written out (validated by finite differences in attention-gqa.test.ts).

export interface GqaShape {
  B: number;
  T: number;
  NH: number;
  NKV: number;
  HD: number;
}

export function gqaForwardRef(
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  { B, T, NH, NKV, HD }: GqaShape,
): { out: Float64Array; att: Float64Array } {
  const scale = 1 / Math.sqrt(HD);
  const out = new Float64Array(B * T * NH * HD);
  const att = new Float64Array(B * NH * T * T);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++) {
      const g = Math.floor(h / (NH / NKV));
      for (let t = 0; t < T; t++) {
        const qa = ((b * T + t) * NH + h) * HD;
        const row = ((b * NH + h) * T + t) * T;
        let max = -Infinity;
        for (let j = 0; j <= t; j++) {
          const ka = ((b * T + j) * NKV + g) * HD;
          let s = 0;
          for (let d = 0; d < HD; d++) s += q[qa + d] * k[ka + d];
          att[row + j] = s * scale;
          max = Math.max(max, att[row + j]);
        }
        let sum = 0;
        for (let j = 0; j <= t; j++) sum += att[row + j] = Math.exp(att[row + j] - max);
        for (let j = 0; j <= t; j++) att[row + j] /= sum;
        for (let d = 0; d < HD; d++) {
          let acc = 0;
          for (let j = 0; j <= t; j++) acc += att[row + j] * v[((b * T + j) * NKV + g) * HD + d];
          out[qa + d] = acc;
        }
      }
    }
  return { out, att };
}

export function gqaBackwardRef(
  dout: ArrayLike<number>,
  q: ArrayLike<number>,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  att: ArrayLike<number>,
  { B, T, NH, NKV, HD }: GqaShape,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const scale = 1 / Math.sqrt(HD);
  const dq = new Float64Array(B * T * NH * HD);
  const dk = new Float64Array(B * T * NKV * HD);
  const dv = new Float64Array(B * T * NKV * HD);
  const dp = new Float64Array(T);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < NH; h++) {
      const g = Math.floor(h / (NH / NKV));
      for (let t = 0; t < T; t++) {
        const qa = ((b * T + t) * NH + h) * HD;
        const row = ((b * NH + h) * T + t) * T;
        let dot = 0;
        for (let j = 0; j <= t; j++) {
          const va = ((b * T + j) * NKV + g) * HD;
          let s = 0;
          for (let d = 0; d < HD; d++) {
            s += dout[qa + d] * v[va + d];
            dv[va + d] += att[row + j] * dout[qa + d];
          }
          dp[j] = s;
          dot += att[row + j] * s;
        }
        for (let j = 0; j <= t; j++) {
          const ds = att[row + j] * (dp[j] - dot) * scale;
          const ka = ((b * T + j) * NKV + g) * HD;
          for (let d = 0; d < HD; d++) {
            dq[qa + d] += ds * k[ka + d];
            dk[ka + d] += ds * q[qa + d];
          }
        }
      }
    }
  return { dq, dk, dv };
}
