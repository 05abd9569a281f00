// `eval --sequential` end to end on the toy fact world with FT-L: the edits stay applied between checkpoints,
// the curve is read against the unedited model, and the session is back to the unedited model afterwards.

import { expect, it } from 'vitest';
import { FtEditor } from '../../editors/ft.ts';
import { TOY_FACTS, trainToyModel } from '../../editors/toy-model.testing.ts';
import { EditSession } from '../../engine/session.ts';
import type { EditCase } from '../../eval/types.ts';
import { testContext } from '../../gpu/testing.ts';
import { evaluateSequential } from './eval.ts';

const toCase = (prompt: string, subject: string, target: string, i: number): EditCase => ({
  id: `toy${i}`,
  prompt,
  subject,
  target,
  gen: [],
  loc: TOY_FACTS.filter(([, s]) => s !== subject)
    .slice(0, 2)
    .map(([p, , a]) => ({ prompt: p, answer: a, kind: 'neighborhood' })),
  source: 'toy',
});

it('applies every edit in turn, measures the curve and resets the session', async () => {
  const target = await trainToyModel(await testContext(), 'gpt2');
  const session = new EditSession(target, { ft: new FtEditor() });
  const cases = [toCase('bob lives in', 'bob', ' w', 0), toCase('max likes', 'max', ' r', 1)];
  const pool = TOY_FACTS.map(([p, s, a], i) => ({ ...toCase(p, s, a, 10 + i), groundTruth: a }));
  const before = await target.model.nextTokenDistributions([target.tokenizer.encode('guz lives in')]);
  const s = await evaluateSequential(session, 'ft', cases, pool, {
    unrelated: 4,
    checkpoints: [1, 2],
    settings: { steps: 60, epsilon: 1 },
  });
  expect(s.mode).toBe('sequential');
  expect(s.edits + s.failed).toBe(2);
  expect(s.unrelatedFacts).toBe(2); // guz and joy: bob and max are edited
  expect(s.curve.map((p) => p.n)).toEqual(Array.from({ length: s.edits }, (_, i) => i + 1));
  for (const p of s.curve) {
    for (const x of [p.retention, p.retentionExact, p.locality, p.unrelated]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(p.updateSize).toBeGreaterThan(0);
  }
  // Top-level keys are the last point's; the unedited model never answered the new targets.
  expect(s.reliability).toBe(s.curve.at(-1)!.retention);
  expect(s.reliabilityFloor).toBe(0);
  expect(session.stack.patches).toHaveLength(0);
  const after = await target.model.nextTokenDistributions([target.tokenizer.encode('guz lives in')]);
  expect(Array.from(after[0])).toEqual(Array.from(before[0]));
}, 300_000);
