// Files out of and into the session, loaded the first time one is used (not needed for the first chart):
// the applied edits as a patch file (a ZIP of manifest.json + patches.safetensors, see worker/patch-file.ts),
// importing one back onto the same model, and the edited model as an ONNX folder (ZIP) for transformers.js.

import { validateSettings } from '../../permalink/schema.ts';
import { readZip, writeZip } from '../../model/zip.ts';
import { useApp } from '../index.ts';
import { markHistoryStep } from '../permalink-sync.ts';
import { rememberEdit } from '../edit-cache.ts';
import { beginTask, endTask } from './edit.ts';
import { getEngine, messageOf } from './engine-ref.ts';
import { downloadZip, fileSlug } from './save-file.ts';

/** A patch file holds factors, not weights: a few MiB for the small models; refused far above. */
const MAX_PATCH_FILE_BYTES = 512 * 2 ** 20;

const fail = (message: string) => useApp.getState().showBanner({ id: 'files', kind: 'error', message });

async function task<T>(label: string, run: () => Promise<T>): Promise<T | null> {
  if (!(await beginTask({ kind: 'files', label, cancellable: false }))) return null;
  useApp.getState().dismissBanner('files');
  try {
    return await run();
  } catch (e) {
    fail(messageOf(e));
    return null;
  } finally {
    endTask();
  }
}

export async function exportPatchZip(): Promise<void> {
  const name = useApp.getState().model.info?.name ?? 'model';
  await task('Writing the patch file…', async () => {
    const { manifest, safetensors } = await getEngine().call('exportPatches', {});
    const zip = writeZip([
      { name: 'manifest.json', bytes: new TextEncoder().encode(manifest) },
      { name: 'patches.safetensors', bytes: new Uint8Array(safetensors) },
    ]);
    downloadZip(zip, `editscope-patches-${fileSlug(name)}.zip`);
  });
}

export async function importPatchZip(file: File): Promise<void> {
  if (file.size > MAX_PATCH_FILE_BYTES)
    return fail(
      `${file.name}: larger than ${MAX_PATCH_FILE_BYTES / 2 ** 20} MiB; a patch file is far smaller.`,
    );
  await task('Applying the patch file…', async () => {
    const entries = readZip(new Uint8Array(await file.arrayBuffer()), file.name);
    const manifest = entries.get('manifest.json');
    const safetensors = entries.get('patches.safetensors');
    if (!manifest || !safetensors)
      throw new Error(
        `${file.name}: a patch file holds manifest.json and patches.safetensors; this one does not.`,
      );
    const text = new TextDecoder().decode(manifest);
    const copy = safetensors.slice().buffer as ArrayBuffer;
    const { outcomes } = await getEngine().call(
      'importPatches',
      { manifest: text, safetensors: copy },
      { transfer: [copy] },
    );
    // The worker checked the manifest; the settings are read again here only to record them in the session.
    const settingsOf = (i: number) => {
      try {
        const m = JSON.parse(text) as { edits?: { settings?: unknown }[] };
        return validateSettings(m.edits?.[i]?.settings ?? {}, 'settings');
      } catch {
        return {};
      }
    };
    markHistoryStep();
    outcomes.forEach((outcome, i) => {
      const s = useApp.getState();
      const before = s.edits.map((e) => e.id);
      const edit = {
        id: outcome.editId,
        method: outcome.method,
        settings: settingsOf(i),
        gen: outcome.gen.map((r) => r.text),
        loc: outcome.loc.map((r) => r.text),
        outcome,
      };
      s.addEdit(edit);
      rememberEdit(before, edit);
    });
    useApp.getState().setView('result');
    useApp.getState().showBanner({
      id: 'files',
      kind: 'info',
      message: `${file.name}: ${outcomes.length} edit(s) applied from the patch file and measured on this model.`,
    });
  });
}

export async function exportOnnxZip(): Promise<void> {
  const name = useApp.getState().model.info?.name ?? 'model';
  await task('Exporting the edited model as ONNX…', async () => {
    const { files } = await getEngine().call('exportOnnx', {});
    const zip = writeZip(files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })));
    downloadZip(zip, `editscope-${fileSlug(name)}-edited-onnx.zip`);
  });
}
