// The edit being written: prompt (with the subject highlighted as you type), subject, new target, method and
// settings, then Apply (with progress and Cancel) and Compare.

import { useMemo } from 'react';
import { checkSubject } from '../model/subject.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { applyDraftEdit } from '../store/actions/edit.ts';
import { runCompare } from '../store/actions/compare.ts';
import { LIMITS } from '../permalink/schema.ts';
import { LimitedInput } from './LimitedInput.tsx';
import { MethodPicker } from './MethodPicker.tsx';
import { RomeStats } from './RomeStats.tsx';
import { ProgressBar } from './ProgressBar.tsx';

export function EditPanel() {
  const draft = useApp((s) => s.draft);
  const setDraft = useApp((s) => s.setDraft);
  const busy = useApp(selectBusy);
  const ready = useApp((s) => s.model.status === 'ready');
  const editError = useApp((s) => s.editError);
  const check = useMemo(
    () => checkSubject(draft.prompt, draft.subject, draft.target),
    [draft.prompt, draft.subject, draft.target],
  );

  // Enter in any field applies, when Apply itself could be pressed.
  const apply = () => {
    if (!busy && ready && check.found) void applyDraftEdit();
  };

  return (
    <section className="panel" aria-labelledby="edit-title">
      <h2 id="edit-title">Edit a fact</h2>
      <label className="field">
        <span>Prompt</span>
        <LimitedInput
          value={draft.prompt}
          onValue={(prompt) => setDraft({ prompt })}
          onEnter={apply}
          limit={LIMITS.textChars}
          spellCheck={false}
          data-testid="edit-prompt"
        />
      </label>
      <p
        className="prompt-preview"
        data-testid="subject-highlight"
        aria-label="Prompt with the subject marked"
      >
        {check.segments.length === 0 ? (
          <span className="muted">The prompt appears here with its subject marked.</span>
        ) : (
          check.segments.map((seg, i) =>
            seg.subject ? (
              <mark key={i} className={`subject subject-${seg.subject}`}>
                {seg.text}
              </mark>
            ) : (
              <span key={i}>{seg.text}</span>
            ),
          )
        )}
        <span className="prompt-next" aria-hidden="true">
          {draft.target ? draft.target.replace(/^ /, '\u00a0') : ' …'}
        </span>
      </p>
      <div className="field-row">
        <label className="field">
          <span>Subject</span>
          <LimitedInput
            value={draft.subject}
            onValue={(subject) => setDraft({ subject })}
            onEnter={apply}
            limit={LIMITS.labelChars}
            spellCheck={false}
            data-testid="edit-subject"
          />
        </label>
        <label className="field">
          <span>New target</span>
          <LimitedInput
            value={draft.target}
            onValue={(target) => setDraft({ target })}
            onEnter={apply}
            limit={LIMITS.labelChars}
            spellCheck={false}
            data-testid="edit-target"
          />
        </label>
      </div>
      {check.warnings.length > 0 && (
        <ul className="warnings" data-testid="subject-warning">
          {check.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <MethodPicker />
      <RomeStats />
      <div className="actions">
        <button
          className="btn-primary"
          onClick={applyDraftEdit}
          disabled={busy || !ready || !check.found}
          data-testid="apply-edit"
        >
          Apply edit
        </button>
        <button onClick={runCompare} disabled={busy || !ready || !check.found} data-testid="compare-run">
          Compare methods
        </button>
      </div>
      <ProgressBar kinds={['edit', 'replay', 'compare', 'undo', 'reset']} testId="edit-progress" />
      {editError && (
        <p className="error" role="alert" data-testid="edit-error">
          {editError}
        </p>
      )}
    </section>
  );
}
