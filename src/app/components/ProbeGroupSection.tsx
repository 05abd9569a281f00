// One probe group (Generalization or Locality): every probe of the session as an editable card with its chart
// (from the selected edit when it measured that prompt, else the current model's reading), probes the edit
// measured that are no longer in the list (read-only), an input to add one, and suggestions.

import { useState } from 'react';
import type { EditOutcome, ProbeReading, TokenProb } from '../../engine/types.ts';
import { selectSuggestions, useApp } from '../store/index.ts';
import type { ProbeGroup } from '../store/types.ts';
import { LIMITS } from '../permalink/schema.ts';
import { ProbeCard } from './ProbeCard.tsx';

const TITLES: Record<ProbeGroup, { title: string; hint: string }> = {
  gen: {
    title: 'Generalization',
    hint: 'Other ways to ask the same question: after the edit these should give the new target too.',
  },
  loc: { title: 'Locality', hint: 'Facts the edit should leave alone: their answers should not change.' },
};

interface Props {
  group: ProbeGroup;
  outcome: EditOutcome | null;
  current: Map<string, TokenProb[]>;
  targetToken?: string;
}

export function ProbeGroupSection({ group, outcome, current, targetToken }: Props) {
  const probes = useApp((s) => s.probes[group]);
  const suggestions = useApp(selectSuggestions(group));
  const note = useApp((s) => s.suggestions?.note ?? null);
  const { addProbe, updateProbe, removeProbe } = useApp.getState();
  const [draft, setDraft] = useState('');
  const readings = new Map<string, ProbeReading>((outcome?.[group] ?? []).map((r) => [r.text.trim(), r]));
  const listed = new Set(probes.map((p) => p.text.trim()));
  const orphans = [...readings.values()].filter((r) => !listed.has(r.text.trim()));
  const full = probes.length >= LIMITS.probesPerGroup;
  const add = (text: string) => {
    if (text.trim() && !full) addProbe(group, text.trim());
  };

  return (
    <section className="probe-group" aria-labelledby={`group-${group}`} data-testid={`probe-group-${group}`}>
      <header className="group-head">
        <h2 id={`group-${group}`}>{TITLES[group].title}</h2>
        <p className="muted">{TITLES[group].hint}</p>
      </header>
      <div className="probe-grid">
        {probes.map((p) => (
          <ProbeCard
            key={p.id}
            group={group}
            text={p.text}
            reading={readings.get(p.text.trim())}
            current={current.get(p.text.trim())}
            targetToken={targetToken}
            onChange={(text) => updateProbe(group, p.id, text)}
            onRemove={() => removeProbe(group, p.id)}
          />
        ))}
        {orphans.map((r) => (
          <ProbeCard key={`orphan-${r.text}`} group={group} text={r.text} reading={r} />
        ))}
      </div>
      <form
        className="add-probe"
        onSubmit={(e) => {
          e.preventDefault();
          add(draft);
          setDraft('');
        }}
      >
        <input
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={300}
          placeholder={
            group === 'gen'
              ? 'Add a paraphrase, e.g. “France’s capital city is”'
              : 'Add an unrelated prompt, e.g. “The capital of Germany is”'
          }
          aria-label={`New ${TITLES[group].title.toLowerCase()} probe`}
          data-testid={`new-probe-${group}`}
          disabled={full}
        />
        <button type="submit" disabled={!draft.trim() || full} data-testid={`add-probe-${group}`}>
          Add
        </button>
      </form>
      {suggestions.length > 0 && (
        <div className="suggestions" data-testid={`suggestions-${group}`}>
          <span className="muted" title={note ?? undefined}>
            Suggested:
          </span>
          {suggestions.map((s) => (
            <button key={s} className="chip" onClick={() => add(s)} disabled={full} data-testid="suggestion">
              + {s}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
