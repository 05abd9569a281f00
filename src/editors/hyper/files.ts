// The trained editors' files, browser-safe (bytes in, bytes out): <modelDir>/editors/{mend,ibke}/config.json
// and editor.safetensors. config.json holds the HypernetConfig plus the backbone shape it was trained for;
// editor.safetensors holds every parameter and the normalisation statistics (norm.{param}.u/delta, norm.count).
// Reading validates everything against the model in hand and says what is wrong in a sentence.

import type { Gpt2Dims } from '../../model/gpt2/dims.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../../model/safetensors.ts';
import { EditorWeightsError } from '../types.ts';
import { editedShape } from './layers.ts';
import type { HypernetConfig, SavedHypernet } from './types.ts';

export const EDITOR_FILES = { config: 'config.json', weights: 'editor.safetensors' } as const;

/** Where a method's files sit relative to the model folder. */
export function editorDir(method: 'mend' | 'ibke'): string {
  return `editors/${method}`;
}

interface ConfigFile {
  format: 'editscope-hypernet';
  version: 1;
  backbone: { nLayer: number; nEmbd: number; vocabSize: number };
  config: HypernetConfig;
}

export function serializeEditorFiles(
  saved: SavedHypernet,
  dims: Gpt2Dims,
): { config: string; weights: Uint8Array } {
  const file: ConfigFile = {
    format: 'editscope-hypernet',
    version: 1,
    backbone: { nLayer: dims.nLayer, nEmbd: dims.nEmbd, vocabSize: dims.vocabSize },
    config: saved.config,
  };
  return {
    config: JSON.stringify(file, null, 2) + '\n',
    weights: serializeSafetensors(saved.tensors, 'F32', { format: 'pt', method: saved.config.method }),
  };
}

const NUMBER_FIELDS = {
  mend: ['alphaInit', 'normEps', 'rank'],
  ibke: ['alphaInit', 'normEps', 'dHidden', 'projRank', 'latentLength', 'dLatent', 'nEnc', 'nDec', 'dMlp'],
} as const;
const INTEGER_FIELDS = new Set([
  'rank',
  'dHidden',
  'projRank',
  'latentLength',
  'dLatent',
  'nEnc',
  'nDec',
  'dMlp',
]);
/** Far above anything trained here; keeps a hostile file from asking for gigabytes. */
const MAX_WIDTH = 4096;

/** Parses and checks config.json + editor.safetensors for a model of `dims`. */
export function readEditorFiles(
  method: 'mend' | 'ibke',
  configText: string,
  weightBytes: Uint8Array,
  dims: Gpt2Dims,
): { config: HypernetConfig; weights: Map<string, Float32Array> } {
  const where = `${editorDir(method)}/${EDITOR_FILES.config}`;
  let file: ConfigFile;
  try {
    file = JSON.parse(configText) as ConfigFile;
  } catch (e) {
    throw new EditorWeightsError(
      `${where} is not valid JSON (${(e as Error).message}); re-export the editor.`,
    );
  }
  if (file?.format !== 'editscope-hypernet' || typeof file.config !== 'object' || file.config === null)
    throw new EditorWeightsError(`${where} is not an Editscope editor configuration.`);
  const config = file.config;
  if (config.method !== method)
    throw new EditorWeightsError(`${where} describes a ${String(config.method)} editor, not ${method}.`);
  const b = file.backbone;
  if (!b || b.nLayer !== dims.nLayer || b.nEmbd !== dims.nEmbd)
    throw new EditorWeightsError(
      `This ${method.toUpperCase()} editor was trained for a model with ${b?.nLayer} blocks of width ${b?.nEmbd}; the loaded model has ${dims.nLayer} of width ${dims.nEmbd}. Train an editor for this model.`,
    );
  for (const k of NUMBER_FIELDS[method]) {
    const v = (config as unknown as Record<string, unknown>)[k];
    const bad =
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < 0 ||
      (INTEGER_FIELDS.has(k) && (!Number.isInteger(v) || v > MAX_WIDTH));
    if (bad)
      throw new EditorWeightsError(
        `${where}: "${k}" must be a ${INTEGER_FIELDS.has(k) ? 'whole number up to ' + MAX_WIDTH : 'number'}, got ${JSON.stringify(v)}.`,
      );
  }
  if (!Array.isArray(config.editedParams) || config.editedParams.length === 0)
    throw new EditorWeightsError(`${where}: "editedParams" must list the edited weights.`);
  for (const p of config.editedParams) {
    try {
      editedShape(dims, String(p));
    } catch {
      throw new EditorWeightsError(
        `${where}: the edited weight ${JSON.stringify(p)} does not exist in this model.`,
      );
    }
  }
  if (method === 'ibke') {
    const c = config as HypernetConfig & { useIb: unknown; useScale: unknown };
    if (typeof c.useIb !== 'boolean' || typeof c.useScale !== 'boolean')
      throw new EditorWeightsError(`${where}: "useIb" and "useScale" must be true or false.`);
  }
  const file2 = `${editorDir(method)}/${EDITOR_FILES.weights}`;
  const st = (() => {
    try {
      return parseSafetensors(weightBytes, file2);
    } catch (e) {
      throw new EditorWeightsError((e as Error).message);
    }
  })();
  const weights = new Map<string, Float32Array>();
  for (const name of st.tensors.keys()) {
    const data = tensorToFloat32(st, name);
    if (!data.every(Number.isFinite))
      throw new EditorWeightsError(`${file2}: tensor ${name} holds NaN or infinite values.`);
    weights.set(name, data);
  }
  return { config, weights };
}
