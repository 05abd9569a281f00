// Keeps the probes on the draft's fact: when its subject or relation changes, the auto probes are replaced by
// the new fact's (model/probe-plan.ts); a session's probes (link, import) are sorted into auto and user on the
// first plan. Also refreshes the suggestions. Runs debounced from the result view.

import { loadFactWorld } from '../../model/facts-loader.ts';
import { suggestProbes } from '../../model/facts.ts';
import { followPlan, knownProbeTexts, planProbes } from '../../model/probe-plan.ts';
import { useApp } from '../index.ts';
import type { NewProbe } from '../probes-slice.ts';
import type { ProbeGroup } from '../types.ts';
import { messageOf } from './engine-ref.ts';

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');
const GROUPS: ProbeGroup[] = ['gen', 'loc'];

export async function refreshProbes(): Promise<void> {
  let world;
  try {
    world = await loadFactWorld(useApp.getState().model.source);
  } catch (e) {
    useApp
      .getState()
      .setSuggestions({ gen: [], loc: [], note: `Suggestions are unavailable: ${messageOf(e)}` });
    return;
  }
  const s = useApp.getState();
  const plan = planProbes(world, s.draft);
  if (plan && s.probeBasis === null) {
    // A session's probes: those the fact world would choose for its draft are auto, the rest the user's.
    const known = knownProbeTexts(world, s.draft);
    const sorted = (g: ProbeGroup): NewProbe[] =>
      s.probes[g].map((p) => ({ ...p, origin: known.has(norm(p.text)) ? 'auto' : 'user' }));
    s.replaceProbes({ gen: sorted('gen'), loc: sorted('loc') }, plan.basis, plan.ask);
  } else if (plan && s.probeBasis !== plan.basis) {
    const subject = s.draft.subject.trim();
    const next = Object.fromEntries(
      GROUPS.map((g) => [g, followPlan(s.probes[g], plan[g], subject).map((p) => ({ ...p }))]),
    ) as Record<ProbeGroup, NewProbe[]>;
    // Kept probes keep their ids (and cards).
    for (const g of GROUPS)
      next[g] = next[g].map((p) => ({ ...p, id: s.probes[g].find((q) => q.text === p.text)?.id }));
    s.replaceProbes(next, plan.basis, plan.ask);
  }
  const now = useApp.getState();
  const existing = [...now.probes.gen, ...now.probes.loc].map((p) => p.text);
  now.setSuggestions(suggestProbes(world, now.draft, existing));
}
