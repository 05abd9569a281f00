// The sequential bookkeeping on a fake, table-driven model: what each checkpoint reports is worked out by hand
// from what the fake editor did (write the new answers, then forget one edit and damage one unrelated fact).

import { describe, expect, it } from 'vitest';
import { runSequential, type SequentialEditor } from './sequential.ts';
import type { ProbeModel } from './probing.ts';
import type { EditCase } from './types.ts';

/** Words are tokens; the model answers a prompt from a table (its "knowledge"), token by token. */
function fakeWorld() {
  const vocab = new Map<string, number>();
  const encode = (text: string) =>
    text
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '')
      .map((w) => {
        if (!vocab.has(w)) vocab.set(w, vocab.size + 1);
        return vocab.get(w)!;
      });
  const knows = new Map<string, number[]>();
  const teach = (prompt: string, answer: string) => knows.set(encode(prompt).join(','), encode(answer));
  const model: ProbeModel = {
    encode,
    async greedy(prompt, n) {
      return (knows.get(prompt.join(',')) ?? [0]).slice(0, n);
    },
    async force(pairs) {
      return pairs.map(({ prompt, completion }) => {
        const answer = knows.get(prompt.join(',')) ?? [];
        const predicted = completion.map((_, t) => answer[t] ?? 0);
        return { predicted, probs: predicted.map((p, t) => (p === completion[t] ? 0.9 : 0.05)) };
      });
    },
  };
  return { model, teach, encode };
}

const edit = (i: number, target: string): EditCase => ({
  id: `e${i}`,
  prompt: `capital of s${i} is`,
  subject: `s${i}`,
  target,
  groundTruth: ` old${i}`,
  gen: [{ prompt: `s${i} capital is` }],
  loc: [{ prompt: `currency of s${i} is`, answer: ` money${i}`, kind: 'same_subject' }],
  source: 'test',
});

describe('runSequential', () => {
  it('measures retention, generality and locality against the unedited model at each checkpoint', async () => {
    const { model, teach } = fakeWorld();
    const cases = [edit(1, ' a b'), edit(2, ' c'), edit(3, ' d'), edit(4, ' e')];
    for (let i = 1; i <= 4; i++) {
      teach(`capital of s${i} is`, ` old${i} x`);
      teach(`currency of s${i} is`, ` money${i}`);
    }
    teach('the moon is', ' far');
    teach('the sun is', ' hot');
    const unrelated = [
      { prompt: model.encode('the moon is'), answer: model.encode(' far') },
      { prompt: model.encode('the sun is'), answer: model.encode(' hot') },
    ];
    let n = 0;
    const editor: SequentialEditor = {
      async apply(c) {
        n++;
        if (n === 2) throw new Error('refused');
        teach(c.prompt, c.target);
        teach(c.gen[0].prompt, c.target);
        if (n === 3) {
          teach('capital of s1 is', ' a z'); // edit 1 keeps its first token only
          teach('the sun is', ' cold'); // one unrelated fact damaged
          teach('currency of s3 is', ' q'); // edit 3's own locality probe damaged
        }
        return {
          latencyMs: 10 * n,
          deltas: [{ param: 'w', nIn: 1, nOut: 1, rank: 1, left: [1], right: [n] }],
        };
      },
    };
    const failures: string[] = [];
    const r = await runSequential(model, editor, cases, unrelated, {
      checkpoints: [1, 2],
      weightNorm: () => 2,
      onFailure: (c) => failures.push(c.id),
    });
    expect(failures).toEqual(['e2']);
    expect(r.edits).toBe(3);
    expect(r.failed).toBe(1);
    // Checkpoints: after 1 applied edit, after 2 (edits 1 and 3), and the last (3: edits 1, 3, 4).
    expect(r.curve.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(r.curve[0]).toMatchObject({
      retention: 1,
      retentionExact: 1,
      generality: 1,
      locality: 1,
      unrelated: 1,
    });
    // After edit 3: edit 1 scores 1/2 tokens (exact 0), edit 3 scores 1; its locality probe lost its answer.
    expect(r.curve[1].retention).toBeCloseTo(0.75, 12);
    expect(r.curve[1].retentionExact).toBeCloseTo(0.5, 12);
    expect(r.curve[1].generality).toBe(1);
    expect(r.curve[1].locality).toBeCloseTo(0.5, 12);
    expect(r.curve[1].localitySameSubject).toBeCloseTo(0.5, 12);
    expect(r.curve[1].localitySameRelation).toBeNull();
    expect(r.curve[1].unrelated).toBeCloseTo(0.5, 12);
    expect(r.curve[1].unrelatedTrueProb).toBeCloseTo((0.9 + 0.05) / 2, 12);
    // ‖Σ ΔW‖ = 1 + 3 = 4 over ‖W‖ = 2, then 1 + 3 + 4 = 8.
    expect(r.curve[1].updateSize).toBeCloseTo(2, 12);
    expect(r.curve[2].updateSize).toBeCloseTo(4, 12);
    // The top-level keys are the last point's.
    expect(r.reliability).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    expect(r.reliabilityExact).toBeCloseTo(2 / 3, 12);
    expect(r.locality).toBeCloseTo(2 / 3, 12);
    expect(r.unrelated).toBeCloseTo(0.5, 12);
    // Right after each edit every applied edit was perfect; the unedited model scored 0 on the new targets.
    expect(r.immediateReliability).toBe(1);
    expect(r.reliabilityFloor).toBe(0);
    expect(r.generalityFloor).toBe(0);
    expect(r.unrelatedTrueProbBefore).toBeCloseTo(0.9, 12);
    expect(r.latencyMs).toBeCloseTo((10 + 30 + 40) / 3, 12);
  });

  it('reports nothing measured when every edit is refused', async () => {
    const { model } = fakeWorld();
    const r = await runSequential(
      model,
      {
        apply: async () => {
          throw new Error('no');
        },
      },
      [edit(1, ' a')],
      [],
    );
    expect(r).toMatchObject({ edits: 0, failed: 1, reliability: null, locality: null, curve: [] });
  });
});
