import { describe, expect, it } from 'vitest';
import factsJson from '../../../data/fact-world/facts.json';
import { parseFactWorld } from './facts.ts';
import { followPlan, planProbes, staleFor } from './probe-plan.ts';
import { editView } from './edit-view.ts';
import type { AppliedEdit } from '../store/types.ts';

const world = parseFactWorld(factsJson);

describe('probes follow the edit', () => {
  it('plans the new subject’s phrasings and neighbours, and asks when no phrasing fits', () => {
    const plan = planProbes(world, { prompt: 'The capital of Japan is', subject: 'Japan' })!;
    expect(plan.basis).toBe('Japan\u0000capital');
    expect(plan.gen.length).toBe(3);
    for (const p of [...plan.gen, ...plan.loc]) expect(p).not.toContain('France');
    expect(plan.gen.every((p) => p.includes('Japan'))).toBe(true);
    expect(planProbes(world, { prompt: 'The capital of Japan is', subject: 'France' })).toBeNull();
    const odd = planProbes(world, { prompt: 'Japan is famous for', subject: 'Japan' })!;
    expect(odd.gen).toEqual([]);
    expect(odd.ask).toMatch(/matches none/);
  });

  it('keeps user probes, drops the old auto ones, and flags a user probe about another subject', () => {
    const current = [
      { text: "France's capital city is", origin: 'auto' as const, forSubject: 'France' },
      { text: 'France has its capital in', origin: 'user' as const, forSubject: 'France' },
    ];
    const next = followPlan(current, ["Japan's capital city is"], 'Japan');
    expect(next.map((p) => p.text)).toEqual(['France has its capital in', "Japan's capital city is"]);
    expect(staleFor(next[0], 'Japan')).toBe('France');
    expect(staleFor(next[1], 'Japan')).toBeNull();
  });
});

describe('which model state an edit’s readings show', () => {
  const reading = (text: string, success: boolean) => ({ text, before: [], after: [], success });
  const edit: AppliedEdit = {
    id: 'e3',
    method: 'ft',
    settings: {},
    gen: ['g1', 'g2'],
    loc: ['l1'],
    measuredAt: ['e1', 'e2', 'e3'],
    outcome: {
      editId: 'e3',
      method: 'ft',
      latencyMs: 1,
      request: { prompt: 'p', subject: 'p', target: ' x' },
      prompt: reading('p', true),
      gen: [reading('g1', true), reading('g2', false)],
      loc: [reading('l1', true)],
      metrics: { reliability: 1, generality: 0.5, locality: 1, kl: 0 },
      continuation: { before: '', after: '' },
    },
  };
  it('is fresh on the state it was measured on, stale (naming the undone edit) after an undo', () => {
    expect(editView(edit, ['e1', 'e2', 'e3']).state).toEqual({ kind: 'fresh' });
    expect(editView(edit, ['e1', 'e3']).state).toEqual({ kind: 'stale', added: [], removed: ['e2'] });
  });
  it('a removed probe leaves the cards and the metric; a re-read replaces the after side', () => {
    const v = editView({ ...edit, dropped: { gen: ['g2'] } }, ['e1', 'e2', 'e3']);
    expect(v.gen.map((r) => r.text)).toEqual(['g1']);
    expect(v.metrics.generality).toBe(1);
    const now = (text: string, accuracy: number) => ({
      text,
      top: [],
      target: { token: ' x', prob: 0.1, rank: 3 },
      accuracy,
    });
    const reread = editView(
      {
        ...edit,
        reread: {
          at: ['e1', 'e3'],
          result: { prompt: now('p', 0), gen: [now('g1', 1), now('g2', 1)], loc: [now('l1', 0)] },
        },
      },
      ['e1', 'e3'],
    );
    expect(reread.state.kind).toBe('reread');
    expect(reread.metrics).toMatchObject({ reliability: 0, generality: 1, locality: 0 });
    expect(reread.prompt.success).toBe(false);
  });
  it('keeps the floor and the update size when a probe is removed, but not generality’s exact match', () => {
    const honest = {
      ...edit,
      dropped: { gen: ['g2'] },
      outcome: {
        ...edit.outcome!,
        metrics: {
          ...edit.outcome!.metrics,
          reliabilityExact: 1,
          reliabilityFloor: 0.25,
          generalityExact: 0.5,
          generalityFloor: 0.1,
          updateSize: 0.3,
        },
      },
    };
    const m = editView(honest, ['e1', 'e2', 'e3']).metrics;
    expect(m).toMatchObject({ reliabilityExact: 1, reliabilityFloor: 0.25, updateSize: 0.3, generality: 1 });
    expect(m.generalityExact).toBeUndefined();
    expect(m.generalityFloor).toBeUndefined();
  });
});
