// One probe group (Generalization or Locality): every probe of the session as an editable card with its chart
// (from the selected edit when it measured that prompt, else the current model's reading, marked as such),
// probes the edit measured that are no longer in the list, an input to add one (duplicates and the edit prompt
// are refused with a reason), and suggestions. Each card says whether the app chose the probe for this fact
// (auto: it follows the fact) or the user wrote it (kept), and warns when it names another subject.

import { useState } from 'react';
import type { ProbeReading, TokenProb } from '../../engine/types.ts';
import { staleFor } from '../model/probe-plan.ts';
import { selectSuggestions, useApp } from '../store/index.ts';
import { dropProbe } from '../store/actions/history.ts';
import type { Probe, ProbeGroup } from '../store/types.ts';
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
  editId: string | null;
  /** The selected edit's readings of this group (removed probes already left out), or null. */
  readings: ProbeReading[] | null;
  current: Map<string, TokenProb[]>;
  targetToken?: string;
  afterLabel: string;
}

function OriginTag({ probe, subject }: { probe: Probe; subject: string }) {
  const stale = staleFor(probe, subject);
  if (stale)
    return (
      <span className="tag tag-stale" data-testid="probe-stale" title="This probe is about another subject">
        written for {stale}
      </span>
    );
  return probe.origin === 'user' ? (
    <span
      className="tag tag-user"
      data-testid="probe-origin"
      data-origin="user"
      title="Kept when the fact changes"
    >
      yours
    </span>
  ) : (
    <span
      className="tag tag-auto"
      data-testid="probe-origin"
      data-origin="auto"
      title={`Chosen for ${probe.forSubject}; replaced when the edited fact changes`}
    >
      auto
    </span>
  );
}

export function ProbeGroupSection({ group, editId, readings, current, targetToken, afterLabel }: Props) {
  const probes = useApp((s) => s.probes[group]);
  const subject = useApp((s) => s.draft.subject);
  const suggestions = useApp(selectSuggestions(group));
  const note = useApp((s) => s.suggestions?.note ?? null);
  const ask = useApp((s) => (group === 'gen' ? s.probeAsk : null));
  const { addProbe, updateProbe, removeProbe } = useApp.getState();
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const measured = new Map<string, ProbeReading>((readings ?? []).map((r) => [r.text.trim(), r]));
  const listed = new Set(probes.map((p) => p.text.trim()));
  const orphans = [...measured.values()].filter((r) => !listed.has(r.text.trim()));
  const full = probes.length >= LIMITS.probesPerGroup;
  const add = (text: string) => {
    const why = addProbe(group, text);
    setProblem(why);
    return why === null;
  };
  const remove = (p: Probe) => {
    removeProbe(group, p.id);
    if (editId && measured.has(p.text.trim())) dropProbe(editId, group, measured.get(p.text.trim())!.text);
  };

  return (
    <section className="probe-group" aria-labelledby={`group-${group}`} data-testid={`probe-group-${group}`}>
      <header className="group-head">
        <h2 id={`group-${group}`}>{TITLES[group].title}</h2>
        <p className="muted">{TITLES[group].hint}</p>
      </header>
      {ask && (
        <p className="probe-ask" data-testid="probe-ask">
          {ask}
        </p>
      )}
      <div className="probe-grid">
        {probes.map((p) => (
          <ProbeCard
            key={p.id}
            group={group}
            text={p.text}
            reading={measured.get(p.text.trim())}
            current={current.get(p.text.trim())}
            nowOnly={readings !== null}
            targetToken={targetToken}
            afterLabel={afterLabel}
            tag={<OriginTag probe={p} subject={subject} />}
            onChange={(text) => updateProbe(group, p.id, text)}
            onRemove={() => remove(p)}
          />
        ))}
        {orphans.map((r) => (
          <ProbeCard
            key={`orphan-${r.text}`}
            group={group}
            text={r.text}
            reading={r}
            afterLabel={afterLabel}
            tag={<span className="tag">measured by this edit</span>}
            onRemove={editId ? () => dropProbe(editId, group, r.text) : undefined}
          />
        ))}
      </div>
      <form
        className="add-probe"
        onSubmit={(e) => {
          e.preventDefault();
          if (add(draft)) setDraft('');
        }}
      >
        <input
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setProblem(null);
          }}
          maxLength={LIMITS.textChars}
          placeholder={
            group === 'gen'
              ? 'Add a paraphrase, e.g. “France’s capital city is”'
              : 'Add an unrelated prompt, e.g. “The capital of Germany is”'
          }
          aria-label={`New ${TITLES[group].title.toLowerCase()} probe`}
          aria-describedby={problem ? `probe-problem-${group}` : undefined}
          data-testid={`new-probe-${group}`}
          disabled={full}
        />
        <button type="submit" disabled={!draft.trim() || full} data-testid={`add-probe-${group}`}>
          Add
        </button>
      </form>
      {problem && (
        <p className="field-error" id={`probe-problem-${group}`} role="alert" data-testid="probe-problem">
          {problem}
        </p>
      )}
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
