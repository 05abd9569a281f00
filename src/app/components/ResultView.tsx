// The main area's result: for the selected edit, its metrics, the edit prompt's chart, the continuation, and
// the probe groups; before any edit (or for prompts no edit measured), the current model's readings.

import { useEffect, useMemo } from 'react';
import type { TokenProb } from '../../engine/types.ts';
import { METHOD_LABELS } from '../model/method-settings.ts';
import { selectSelectedEdit, useApp } from '../store/index.ts';
import { refreshPreview } from '../store/actions/preview.ts';
import { refreshSuggestions } from '../store/actions/session.ts';
import { Continuation } from './Continuation.tsx';
import { MetricsCards } from './MetricsCards.tsx';
import { ProbeCard } from './ProbeCard.tsx';
import { ProbeGroupSection } from './ProbeGroupSection.tsx';
import { ChartLegend } from './TokenChart.tsx';

/** Keeps the preview and the suggestions in step with the draft, the probes and the edits (debounced). */
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

export function ResultView() {
  usePreviewUpdates();
  const edit = useApp(selectSelectedEdit);
  const preview = useApp((s) => s.preview);
  const draftPrompt = useApp((s) => s.draft.prompt);
  const draftTarget = useApp((s) => s.draft.target);
  const current = useMemo(
    () => new Map<string, TokenProb[]>((preview?.results ?? []).map((r) => [r.prompt.trim(), r.top])),
    [preview],
  );
  const outcome = edit?.outcome ?? null;
  const targetToken = outcome?.prompt.target?.token ?? draftTarget;

  return (
    <div className="result" data-testid="result-view">
      {outcome ? (
        <header className="result-head">
          <h2>
            <span className="muted">Edit:</span> {outcome.request.prompt}
            <span className="tok target-tok">{outcome.request.target}</span>
          </h2>
          <p className="muted">
            {METHOD_LABELS[outcome.method]} · subject “{outcome.request.subject}”
          </p>
        </header>
      ) : (
        <header className="result-head">
          <h2>What the model says now</h2>
          <p className="muted">Apply an edit to see the probabilities move.</p>
        </header>
      )}
      {outcome && <MetricsCards outcome={outcome} />}
      <ChartLegend beforeLabel={outcome ? 'Before edit' : 'Current model'} />
      <div className="prompt-row">
        <ProbeCard
          group="prompt"
          text={outcome?.request.prompt ?? draftPrompt}
          reading={outcome?.prompt}
          current={current.get(draftPrompt.trim())}
          targetToken={targetToken}
        />
        {outcome && (
          <Continuation
            prompt={outcome.request.prompt}
            before={outcome.continuation.before}
            after={outcome.continuation.after}
          />
        )}
      </div>
      <ProbeGroupSection group="gen" outcome={outcome} current={current} targetToken={targetToken} />
      <ProbeGroupSection group="loc" outcome={outcome} current={current} targetToken={targetToken} />
    </div>
  );
}
