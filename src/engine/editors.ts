// Which editors a model gets: FT-L always; ROME when its key covariance file sits next to the model; MEND and
// IBKE when trained editor files for this model are present (a model folder's editors/{mend,ibke}/, or the same
// paths in a hub repo). A file that does not fit the model (another model's fingerprint, other shapes, a broken
// file) is an error the user sees (EditorWeightsError), never a silent fallback: by default it fails the call;
// with `onRefused` (the engine host) the model loads without that editor and the sentence is reported.

import { AlphaEditEditor } from '../editors/alphaedit.ts';
import { FtEditor } from '../editors/ft.ts';
import { editorDir, EDITOR_FILES } from '../editors/hyper/files.ts';
import { checkEditorFingerprint } from '../editors/hyper/fingerprint.ts';
import { IbkeEditor } from '../editors/ibke.ts';
import { MendEditor } from '../editors/mend.ts';
import { loadRomeEditor } from '../editors/rome.ts';
import { UltraEditEditor } from '../editors/ultraedit.ts';
import { EditorWeightsError, type EditTarget, type Editor } from '../editors/types.ts';
import type { MethodName } from './types.ts';

/** Files next to a model (relative names such as 'editors/ibke/editor.safetensors'); null when absent. */
export type EditorFiles = (name: string) => Promise<Uint8Array | null>;

export interface CreateEditorsOptions {
  /** A refused editor file: skip that method and report why (default: throw). */
  onRefused?: (method: MethodName, error: EditorWeightsError) => void;
  /** Also AlphaEdit, built on ROME's statistics (the CLI's eval and edit); the app does not offer it yet. */
  alphaEdit?: boolean;
}

export async function createEditors(
  target: EditTarget,
  files: EditorFiles,
  options: CreateEditorsOptions = {},
): Promise<Partial<Record<MethodName, Editor>>> {
  // The raw editors: EditSession wraps each in a SequentialGuard (protectEarlier / maxUpdate for every method).
  const editors: Partial<Record<MethodName, Editor>> = { ft: new FtEditor() };
  const attempt = async <T>(method: MethodName, load: () => Promise<T>): Promise<T | null> => {
    try {
      return await load();
    } catch (e) {
      if (!(e instanceof EditorWeightsError) || !options.onRefused) throw e;
      options.onRefused(method, e);
      return null;
    }
  };
  const rome = await attempt('rome', () => loadRomeEditor(target, files));
  if (rome) editors.rome = rome;
  // AlphaEdit is not offered in the app yet: in sequence on v2 a re-edited subject blows its update up (issue 13).
  if (rome && options.alphaEdit) editors.alphaedit = new AlphaEditEditor(rome);
  editors.ultraedit = new UltraEditEditor(); // training-free: every model gets it
  for (const method of ['mend', 'ibke'] as const) {
    const dir = editorDir(method);
    const [config, weights] = await Promise.all([
      files(`${dir}/${EDITOR_FILES.config}`),
      files(`${dir}/${EDITOR_FILES.weights}`),
    ]);
    if (!config || !weights) continue;
    const contents = { config: new TextDecoder().decode(config), weights };
    const editor = await attempt(method, async () => {
      await checkEditorFingerprint(method, contents.config, target.model); // another model's editor: refused
      return method === 'mend'
        ? MendEditor.load(target.model, contents)
        : IbkeEditor.load(target.model, contents);
    });
    if (editor) editors[method] = editor;
  }
  return editors;
}
