// Share (copy the permalink), export the session as JSON, import one. The link always mirrors the session
// (see usePermalinkSync); Share copies the page address with it.

import { useRef, useState } from 'react';
import { encodeFragment } from '../permalink/codec.ts';
import { SessionSchemaError, validateSession } from '../permalink/schema.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { openSession } from '../store/actions/session.ts';
import { toSessionDoc } from '../store/session-doc.ts';

const MAX_IMPORT_BYTES = 256 * 1024;

// Patch files and ONNX export load their code (ZIP, downloads) the first time they are used.
const files = () => import('../store/actions/downloads.ts');

export function ShareBar() {
  const busy = useApp(selectBusy);
  const [copied, setCopied] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const patchInput = useRef<HTMLInputElement>(null);
  const ready = useApp((s) => s.model.status === 'ready');
  const hasEdits = useApp((s) => s.edits.length > 0);

  const share = async () => {
    try {
      const url = `${location.origin}${location.pathname}${location.search}${await encodeFragment(toSessionDoc(useApp.getState()))}`;
      await navigator.clipboard.writeText(url);
      setCopied('Link copied');
    } catch (e) {
      setCopied(`Could not copy: ${(e as Error).message}`);
    }
    setTimeout(() => setCopied(null), 2500);
  };

  const exportJson = () => {
    const blob = new Blob([JSON.stringify(toSessionDoc(useApp.getState()), null, 2)], {
      type: 'application/json',
    });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'editscope-session.json';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const importJson = async (file: File | undefined) => {
    if (!file) return;
    const fail = (message: string) =>
      useApp.getState().showBanner({ id: 'import', kind: 'error', message: `${file.name}: ${message}` });
    if (file.size > MAX_IMPORT_BYTES)
      return fail(`the file is larger than ${MAX_IMPORT_BYTES / 1024} KiB; a session file is a few KiB.`);
    let doc;
    try {
      doc = validateSession(JSON.parse(await file.text()));
    } catch (e) {
      if (e instanceof SyntaxError) return fail('this is not a JSON file.');
      if (e instanceof SessionSchemaError) return fail(`this is not a valid Editscope session: ${e.message}`);
      throw e;
    }
    useApp.getState().dismissBanner('import');
    await openSession(doc);
  };

  return (
    <div className="share-bar">
      <button onClick={share} data-testid="share-button">
        Share link
      </button>
      <button onClick={exportJson} data-testid="export-json">
        Export JSON
      </button>
      <button onClick={() => fileInput.current?.click()} disabled={busy} data-testid="import-json">
        Import JSON
      </button>
      <button
        onClick={() => files().then((m) => m.exportPatchZip())}
        disabled={busy || !hasEdits}
        data-testid="export-patches"
        title="The applied edits as a patch file (safetensors + JSON manifest)"
      >
        Export patches
      </button>
      <button
        onClick={() => patchInput.current?.click()}
        disabled={busy || !ready}
        data-testid="import-patches"
      >
        Import patches
      </button>
      <button
        onClick={() => files().then((m) => m.exportOnnxZip())}
        disabled={busy || !ready}
        data-testid="export-onnx"
        title="The edited model as an ONNX folder (ZIP) for transformers.js / onnxruntime-web"
      >
        Export ONNX
      </button>
      <input
        ref={patchInput}
        type="file"
        accept=".zip,application/zip"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void files().then((m) => m.importPatchZip(f));
          e.target.value = '';
        }}
        data-testid="import-patches-input"
      />
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        hidden
        onChange={(e) => {
          importJson(e.target.files?.[0]);
          e.target.value = '';
        }}
        data-testid="import-json-input"
      />
      <span className="share-status" role="status" aria-live="polite" data-testid="share-status">
        {copied}
      </span>
    </div>
  );
}
