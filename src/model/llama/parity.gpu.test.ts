// Parity with PyTorch: the committed fixtures (tools/torch/qwen3_parity.py, HF modeling_qwen3 / modeling_llama
// semantics in plain PyTorch with autograd) hold logits, the loss and every parameter gradient for a fixed
// batch of two sequences. The engine must reproduce all of them; the test prints each tensor's max difference.
// qwen3-gqa: q/k norm, 4 query heads over 2 kv heads, head_dim 8 with hidden 12, tied head, rope_theta 1e6.
// llama-untied: Llama 2 style (no q/k norm), 3 heads over 1 kv head, untied lm_head.

import { describe, expect, it } from 'vitest';
import { expectClose, maxAbsDiff, testContext } from '../../gpu/testing.ts';
import { languageModelRows, makeBatch } from '../batch.ts';
import { parameterShapes } from './dims.ts';
import { loadFixture } from './fixture.testing.ts';
import { LlamaModel } from './model.ts';
import { LlamaParameters } from './parameters.ts';

function softmax(logits: Float32Array): Float32Array {
  const max = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

describe.each(['qwen3-gqa', 'llama-untied'])('%s', (name) => {
  it('logits, loss and every gradient match the PyTorch fixture', async () => {
    const { dims, weights, sequences, want } = loadFixture(name);
    const ctx = await testContext();
    const model = new LlamaModel(ctx, dims, weights, 'parity');
    const grads = new LlamaParameters(ctx, dims, 'parity.grad');
    const batch = makeBatch(sequences, dims.nPositions);
    grads.zero();
    const { loss } = await model.run(batch, languageModelRows(batch), { backward: { grads } });
    const diffs: string[] = [];
    expectClose('loss', [loss], want('loss'), 1e-5, 1e-5);
    diffs.push(`loss ${Math.abs(loss - want('loss')[0]).toExponential(1)}`);

    // Next-token distributions at every real position vs softmax(torch logits).
    const V = dims.vocabSize;
    let worstProb = 0;
    for (let b = 0; b < sequences.length; b++) {
      const torchLogits = want(`logits.${b}`);
      for (let t = 0; t < sequences[b].length; t++) {
        const [p] = await model.nextTokenDistributions([sequences[b].slice(0, t + 1)]);
        const q = softmax(torchLogits.subarray(t * V, (t + 1) * V));
        expectClose(`probs seq ${b} pos ${t}`, p, q, 1e-6, 1e-4);
        worstProb = Math.max(worstProb, maxAbsDiff(p, q));
      }
    }
    diffs.push(`next-token probabilities ${worstProb.toExponential(1)}`);

    const got = await grads.download();
    for (const [param, g] of got) {
      const w = want(`grad.${param}`);
      expectClose(`grad ${param}`, g, w, 2e-6, 2e-4);
      diffs.push(`${param} ${maxAbsDiff(g, w).toExponential(1)}`);
    }
    console.log(`PyTorch parity (${name}), max |diff| per tensor:\n  ${diffs.join('\n  ')}`);
    expect(got.size).toBe(parameterShapes(dims).length);
    model.destroy();
    grads.destroy();
  });
});
