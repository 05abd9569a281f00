// The main area's result: for the selected edit, what failed (with fixes), which model state the numbers are
// from, its metrics, the edit prompt's chart, the continuation, and the probe groups; before any edit (or for
// prompts no edit measured), the current model's readings. Gets the focus after an edit (and scrolls to it).

import { useEffect, useMemo, useRef } from 'react';
import type { TokenProb } from '../../engine/types.ts';
import { editView } from '../model/edit-view.ts';
import { methodLabel } from '../model/method-settings.ts';
import { selectSelectedEdit, useApp } from '../store/index.ts';
import { refreshPreview } from '../store/actions/preview.ts';
import { refreshSuggestions } from '../store/actions/session.ts';
import { Continuation } from './Continuation.tsx';
import { EditFailure } from './EditFailure.tsx';
import { EditSiteNote } from './EditSiteNote.tsx';
import { Generation } from './Generation.tsx';
import { MetricsCards } from './MetricsCards.tsx';
import { ProbeCard } from './ProbeCard.tsx';
import { ProbeGroupSection } from './ProbeGroupSection.tsx';
import { ReadingNote } from './ReadingNote.tsx';
import { ChartLegend } from './TokenChart.tsx';

/** Keeps the preview and the probes/suggestions in step with the draft, the probes and the edits (debounced). */
function usePreviewUpdates(): void {
  const prompt = useApp((s) => s.draft.prompt);
  const subject = useApp((s) => s.draft.subject);
  const probes = useApp((s) => s.probes);
  const edits = useApp((s) => s.edits);
  const ready = useApp((s) => s.model.status === 'ready');
  const idle = useApp((s) => s.task === null);
  useEffect(() => {
    if (!ready || !idle) return;
    const timer = setTimeout(() => refreshPreview(), 450);
    return () => clearTimeout(timer);
  }, [prompt, probes, edits, ready, idle]);
  useEffect(() => {
    const timer = setTimeout(() => refreshSuggestions(), 300);
    return () => clearTimeout(timer);
  }, [prompt, subject, probes, ready]);
}

/** Moves the focus to the result's heading when an action asks for it (Enter in the edit panel, Apply). */
function useFocusTarget() {
  const ref = useRef<HTMLHeadingElement>(null);
  const focus = useApp((s) => s.focus);
  useEffect(() => {
    if (focus?.target !== 'result' || !ref.current) return;
    ref.current.focus({ preventScroll: true });
    ref.current.scrollIntoView({ block: 'start', behavior: 'auto' });
  }, [focus]);
  return ref;
}

export function ResultView() {
  usePreviewUpdates();
  const headRef = useFocusTarget();
  const edit = useApp(selectSelectedEdit);
  const edits = useApp((s) => s.edits);
  const preview = useApp((s) => s.preview);
  const draftPrompt = useApp((s) => s.draft.prompt);
  const draftTarget = useApp((s) => s.draft.target);
  const current = useMemo(
    () => new Map<string, TokenProb[]>((preview?.results ?? []).map((r) => [r.prompt.trim(), r.top])),
    [preview],
  );
  const view = useMemo(
    () =>
      edit
        ? editView(
            edit,
            edits.map((e) => e.id),
          )
        : null,
    [edit, edits],
  );
  const probes = useApp((s) => s.probes);
  // "Now" in the legend only when some listed probe shows the current model beside this edit.
  const showNow =
    view !== null &&
    (['gen', 'loc'] as const).some((g) =>
      probes[g].some(
        (p) => current.has(p.text.trim()) && !view[g].some((r) => r.text.trim() === p.text.trim()),
      ),
    );
  const outcome = edit?.outcome ?? null;
  const targetToken = outcome?.prompt.target?.token ?? draftTarget;
  const afterLabel = view?.state.kind === 'reread' ? 'Now (re-read)' : 'After edit';

  return (
    <div className="result" data-testid="result-view">
      <header className="result-head">
        <h2 ref={headRef} tabIndex={-1} data-testid="result-heading">
          {outcome ? (
            <>
              <span className="muted">Edit:</span> {outcome.request.prompt}
              <span className="tok target-tok">{outcome.request.target}</span>
            </>
          ) : (
            'What the model says now'
          )}
        </h2>
        <p className="muted">
          {outcome
            ? `${methodLabel(outcome.method)} · subject “${outcome.request.subject}”`
            : 'Apply an edit to see the probabilities move.'}
        </p>
        {outcome?.site && <EditSiteNote site={outcome.site} />}
      </header>
      {edit && view && <EditFailure edit={edit} view={view} />}
      {edit && view && <ReadingNote editId={edit.id} view={view} />}
      {outcome && view && <MetricsCards metrics={view.metrics} latencyMs={outcome.latencyMs} />}
      <ChartLegend
        beforeLabel={outcome ? 'Before edit' : 'Current model'}
        afterLabel={outcome ? afterLabel : null}
        showNow={showNow}
      />
      <div className="prompt-row">
        <ProbeCard
          group="prompt"
          text={outcome?.request.prompt ?? draftPrompt}
          reading={view?.prompt}
          current={current.get(draftPrompt.trim())}
          targetToken={targetToken}
          afterLabel={afterLabel}
        />
        {outcome && edit && (
          <div className="side-stack">
            <Continuation
              prompt={outcome.request.prompt}
              before={outcome.continuation.before}
              after={outcome.continuation.after}
            />
            <Generation key={edit.id} edit={edit} />
          </div>
        )}
      </div>
      {(['gen', 'loc'] as const).map((g) => (
        <ProbeGroupSection
          key={g}
          group={g}
          editId={edit?.id ?? null}
          readings={view ? view[g] : null}
          current={current}
          targetToken={targetToken}
          afterLabel={afterLabel}
        />
      ))}
    </div>
  );
}
