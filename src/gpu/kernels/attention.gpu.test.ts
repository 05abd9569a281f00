import { describe, it } from 'vitest';
import { attentionBackwardRef, attentionForwardRef, type AttentionShape } from '../../reference/attention.ts';
import { expectClose, randomArray, testContext } from '../testing.ts';
import { attentionBackward, attentionForward } from './attention.ts';

// T = 1; T = 7 (not a multiple of anything); hs = 4, 5 and 12; B·NH·T not a multiple of the workgroup (64).
const SHAPES: AttentionShape[] = [
  { B: 1, T: 1, C: 12, NH: 3 },
  { B: 2, T: 7, C: 12, NH: 3 },
  { B: 1, T: 7, C: 15, NH: 3 },
  { B: 3, T: 13, C: 36, NH: 3 },
  { B: 2, T: 40, C: 64, NH: 4 },
];

describe('attention', () => {
  it.each(SHAPES)('forward and backward match the CPU reference, %o', async (shape) => {
    const ctx = await testContext();
    const { B, T, C, NH } = shape;
    const seed = B * 1000 + T * 10 + C;
    const qkvData = randomArray(B * T * 3 * C, seed, 2);
    const doutData = randomArray(B * T * C, seed + 1);
    // Outputs start as garbage: the kernels must overwrite every element (att above the diagonal included),
    // and must not rely on the scratch buffer's contents.
    const garbage = (n: number) => randomArray(n, seed + 2, 100);
    const qkv = ctx.upload('qkv', qkvData);
    const out = ctx.upload('out', garbage(B * T * C));
    const att = ctx.upload('att', garbage(B * NH * T * T));
    const dout = ctx.upload('dout', doutData);
    const dqkv = ctx.upload('dqkv', garbage(B * T * 3 * C));
    const scratch = ctx.upload('scratch', garbage(B * NH * T * T));

    attentionForward(ctx, { qkv, out, att, ...shape });
    attentionBackward(ctx, { dout, qkv, att, dqkv, scratch, ...shape });

    const want = attentionForwardRef(qkvData, shape);
    const name = `B=${B} T=${T} C=${C} NH=${NH}`;
    expectClose(`${name} out`, await ctx.read(out), want.out);
    expectClose(`${name} att`, await ctx.read(att), want.att, 1e-6);
    const gotAtt = await ctx.read(att);
    expectClose(`${name} dqkv`, await ctx.read(dqkv), attentionBackwardRef(doutData, qkvData, gotAtt, shape));
    [qkv, out, att, dout, dqkv, scratch].forEach((b) => b.destroy());
  });
});
