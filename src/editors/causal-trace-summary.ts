// Causal-trace results averaged over facts (ROME's Figure 1 summary) and the edit site they point to: plain CPU
// arithmetic over the per-fact traces that causal-trace.ts measures.

import {
  POSITION_KINDS,
  positionKind,
  TRACE_KINDS,
  type FactTrace,
  type PositionKind,
  type TraceKind,
} from './causal-trace.ts';

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

export interface TraceSummary {
  /** Facts traced and averaged (known facts only, as ROME). */
  facts: number;
  /** Facts skipped: not known by the model, or a subject whose tokens depend on the next word. */
  skipped: { unknown: number; untokenizable: number };
  layers: number;
  pClean: number;
  pCorrupt: number;
  /** kind → position kind → mean indirect effect (p_restored − p_corrupt) per layer, over the facts with that kind. */
  indirect: Record<TraceKind, Record<PositionKind, { effect: number[]; facts: number }>>;
}

/** ROME's average over facts: per fact, tokens of one position kind are averaged first. */
export function summarizeTraces(
  traces: FactTrace[],
  skipped = { unknown: 0, untokenizable: 0 },
): TraceSummary {
  const known = traces.filter((t) => t.known);
  const L = known[0]?.restored.block.length ?? 0;
  const indirect = Object.fromEntries(
    TRACE_KINDS.map((kind) => [
      kind,
      Object.fromEntries(
        POSITION_KINDS.map((pk) => {
          const sum = new Array<number>(L).fill(0);
          let facts = 0;
          for (const tr of known) {
            const T = tr.tokens.length;
            const ts = range(0, T).filter((t) => positionKind(t, tr.subject, T) === pk);
            if (ts.length === 0) continue;
            facts++;
            for (let l = 0; l < L; l++) sum[l] += mean(ts.map((t) => tr.restored[kind][l][t] - tr.pCorrupt));
          }
          return [pk, { effect: sum.map((s) => (facts ? s / facts : 0)), facts }];
        }),
      ),
    ]),
  ) as TraceSummary['indirect'];
  return {
    facts: known.length,
    skipped: { ...skipped, unknown: skipped.unknown + traces.length - known.length },
    layers: L,
    pClean: known.length ? mean(known.map((t) => t.pClean)) : NaN,
    pCorrupt: known.length ? mean(known.map((t) => t.pCorrupt)) : NaN,
    indirect,
  };
}

export interface EditSite {
  layer: number;
  /** Where ROME reads its key: the subject's last token, or the prompt's last token. */
  position: 'subject_last' | 'last';
  /** Mean indirect effect of restoring that MLP output. */
  effect: number;
}

/**
 * The MLP to edit, as the trace says: the (layer, key position) whose MLP-output restore has the largest mean
 * indirect effect, among the subject's last token and the prompt's last token (ROME's two candidate sites).
 */
export function bestEditSite(summary: TraceSummary): EditSite {
  let best: EditSite = { layer: 0, position: 'subject_last', effect: -Infinity };
  for (const position of ['subject_last', 'last'] as const)
    summary.indirect.mlp[position].effect.forEach((effect, layer) => {
      if (effect > best.effect) best = { layer, position, effect };
    });
  return best;
}

/** The largest mean indirect effect of one kind, over layers and position kinds (the final hidden state left out). */
export function peak(
  summary: TraceSummary,
  kind: TraceKind,
): { layer: number; position: PositionKind; effect: number } {
  let best = { layer: 0, position: 'last' as PositionKind, effect: -Infinity };
  for (const position of POSITION_KINDS)
    summary.indirect[kind][position].effect.forEach((effect, layer) => {
      // The last block's output at the last token IS the clean prediction: its effect is the total effect.
      const trivial = kind === 'block' && position === 'last' && layer === summary.layers - 1;
      if (!trivial && summary.indirect[kind][position].facts > 0 && effect > best.effect)
        best = { layer, position, effect };
    });
  return best;
}
