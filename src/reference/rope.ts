// CPU reference for shaders/rope.wgsl: HF's rotate-half rotary embedding (q·cos + rotate_half(q)·sin) in f64,
// angles computed directly (not from the kernel's table), and its backward, written as autograd would derive
// it from the forward (the transpose of rotate_half), not as the inverse rotation the kernel uses.

export interface RopeShape {
  N: number;
  T: number;
  pos0: number;
  H: number;
  HD: number;
  theta: number;
}

function angles({ HD, theta }: RopeShape, pos: number): Float64Array {
  return Float64Array.from({ length: HD }, (_, c) => pos * Math.pow(theta, -(2 * (c % (HD / 2))) / HD));
}

/** rotate_half(x) = cat(−x₂, x₁) per head. */
function rotateHalf(x: ArrayLike<number>, a: number, HD: number, c: number): number {
  return c < HD / 2 ? -x[a + c + HD / 2] : x[a + c - HD / 2];
}

export function ropeForwardRef(inp: ArrayLike<number>, s: RopeShape): Float64Array {
  const out = new Float64Array(s.N * s.H * s.HD);
  for (let n = 0; n < s.N; n++) {
    const ang = angles(s, s.pos0 + (n % s.T));
    for (let h = 0; h < s.H; h++) {
      const a = (n * s.H + h) * s.HD;
      for (let c = 0; c < s.HD; c++)
        out[a + c] = inp[a + c] * Math.cos(ang[c]) + rotateHalf(inp, a, s.HD, c) * Math.sin(ang[c]);
    }
  }
  return out;
}

/** dinp = dout·cos + rotate_halfᵀ(dout·sin), rotate_halfᵀ(y) = cat(y₂, −y₁). */
export function ropeBackwardRef(dout: ArrayLike<number>, s: RopeShape): Float64Array {
  const dinp = new Float64Array(s.N * s.H * s.HD);
  const half = s.HD / 2;
  for (let n = 0; n < s.N; n++) {
    const ang = angles(s, s.pos0 + (n % s.T));
    for (let h = 0; h < s.H; h++) {
      const a = (n * s.H + h) * s.HD;
      for (let c = 0; c < s.HD; c++) {
        const ys = (k: number) => dout[a + k] * Math.sin(ang[k]);
        const rt = c < half ? ys(c + half) : -ys(c - half);
        dinp[a + c] = dout[a + c] * Math.cos(ang[c]) + rt;
      }
    }
  }
  return dinp;
}
