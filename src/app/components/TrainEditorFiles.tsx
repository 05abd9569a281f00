// Editors are files: "Export editor" downloads the model's installed MEND or IBKE editor as a ZIP in the layout
// of public/models/<name>/editors/ (editors/<method>/config.json + editor.safetensors; config.json records this
// model's weights fingerprint and layer roles), "Import editor" installs one after the worker checked it was
// made for this model: another model's editor is refused with a sentence and nothing is installed.

import { useRef, useState } from 'react';
import { useApp } from '../store/index.ts';
import { messageOf } from '../store/actions/engine-ref.ts';

const actions = () => import('../store/training-actions.ts');

export function TrainEditorFiles({ disabled }: { disabled: boolean }) {
  const methods = useApp((s) => s.model.info?.methods);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const has = (m: 'mend' | 'ibke') => methods?.includes(m) ?? false;
  const run = async (job: () => Promise<string | null>) => {
    setNote(null);
    try {
      const text = await job();
      if (text) setNote({ kind: 'ok', text });
    } catch (e) {
      setNote({ kind: 'error', text: messageOf(e) });
    }
  };
  return (
    <div className="train-files" data-testid="editor-files">
      <span className="muted">Editor files:</span>{' '}
      {(['ibke', 'mend'] as const).map((m) => (
        <button
          key={m}
          type="button"
          className="btn-small"
          disabled={disabled || !has(m)}
          title={has(m) ? undefined : `This model has no ${m.toUpperCase()} editor yet.`}
          onClick={() =>
            run(async () => {
              const name = await (await actions()).exportEditorZip(m);
              return name ? `Downloaded ${name}.` : null;
            })
          }
          data-testid={`export-editor-${m}`}
        >
          Export {m.toUpperCase()}
        </button>
      ))}{' '}
      <button
        type="button"
        className="btn-small"
        disabled={disabled}
        onClick={() => input.current?.click()}
        data-testid="import-editor"
      >
        Import editor…
      </button>
      <input
        ref={input}
        type="file"
        accept=".zip,application/zip"
        hidden
        aria-label="Editor file to import"
        data-testid="import-editor-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void run(async () => (await actions()).importEditorZip(file));
        }}
      />
      {note && (
        <p
          className={note.kind === 'error' ? 'error' : 'note'}
          role={note.kind === 'error' ? 'alert' : 'status'}
          data-testid={note.kind === 'error' ? 'editor-file-error' : 'editor-file-note'}
        >
          {note.text}
        </p>
      )}
    </div>
  );
}
