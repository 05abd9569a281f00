// The trained editors' files, browser-safe (bytes in, bytes out): <modelDir>/editors/{mend,ibke}/config.json
// and editor.safetensors. config.json holds the HypernetConfig (edited layers by key '{block}.{role}') plus the
// architecture and backbone shape it was trained for; editor.safetensors holds every parameter and the
// normalisation statistics (norm.{key}.u/delta, norm.count). Reading validates everything against the model in
// hand and says what is wrong in a sentence.
//
// Version 1 files (written before the model interface) have no architecture: they are GPT-2 editors whose
// edited layers are GPT-2 parameter names ("editedParams": ["h.0.mlp.c_fc.weight", ...]); reading maps those
// names to layer keys ('0.mlp.in') in the config and in the tensor names.

import type { ModelShape } from '../../model/language-model.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../../model/safetensors.ts';
import { EditorWeightsError } from '../types.ts';
import { layerRoleTable, type LayerRoleTable } from './fingerprint.ts';
import { editedShape, gpt2ParamToLayerKey } from './layers.ts';
import type { HypernetConfig, SavedHypernet } from './types.ts';

export const EDITOR_FILES = { config: 'config.json', weights: 'editor.safetensors' } as const;

/** Where a method's files sit relative to the model folder. */
export function editorDir(method: 'mend' | 'ibke'): string {
  return `editors/${method}`;
}

interface ConfigFile {
  format: 'editscope-hypernet';
  version: 1 | 2;
  /** Absent in version 1 (GPT-2). */
  architecture?: string;
  backbone: { nLayer: number; nEmbd: number; vocabSize: number };
  /**
   * Which model (version 2, optional): the weights fingerprint (./fingerprint.ts, checked before loading) and
   * the edited layers' role table (key → checkpoint tensor and shape), checked against the model in hand.
   */
  model?: { fingerprint?: string; layers?: LayerRoleTable };
  config: HypernetConfig & { editedParams?: unknown };
}

export function serializeEditorFiles(
  saved: SavedHypernet,
  model: ModelShape,
  fingerprint?: string,
): { config: string; weights: Uint8Array } {
  const { dims } = model;
  const file: ConfigFile = {
    format: 'editscope-hypernet',
    version: 2,
    architecture: model.architecture,
    backbone: { nLayer: dims.nLayer, nEmbd: dims.nEmbd, vocabSize: dims.vocabSize },
    model: {
      ...(fingerprint === undefined ? {} : { fingerprint }),
      layers: layerRoleTable(model, saved.config.editedLayers),
    },
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

/** Parses and checks config.json + editor.safetensors for `model`. */
export function readEditorFiles(
  method: 'mend' | 'ibke',
  configText: string,
  weightBytes: Uint8Array,
  model: ModelShape,
): { config: HypernetConfig; weights: Map<string, Float32Array> } {
  const { dims } = model;
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
  const architecture = file.architecture ?? 'gpt2';
  if (architecture !== model.architecture)
    throw new EditorWeightsError(
      `This ${method.toUpperCase()} editor was trained for a ${architecture} model; the loaded model is ${model.architecture}. Train an editor for this model (npx editscope train-editor).`,
    );
  // Version 1: GPT-2 parameter names → layer keys (tensor names follow below).
  const renames = new Map<string, string>();
  if (file.architecture === undefined && Array.isArray(config.editedParams)) {
    const keys = config.editedParams.map((p) => {
      const key = gpt2ParamToLayerKey(String(p));
      if (!key)
        throw new EditorWeightsError(
          `${where}: the edited weight ${JSON.stringify(p)} is not a GPT-2 linear weight.`,
        );
      renames.set(String(p), key);
      return key;
    });
    config.editedLayers = keys;
    delete config.editedParams;
  }
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
  if (!Array.isArray(config.editedLayers) || config.editedLayers.length === 0)
    throw new EditorWeightsError(`${where}: "editedLayers" must list the edited layers.`);
  for (const p of config.editedLayers) {
    try {
      editedShape(model, String(p));
    } catch (e) {
      throw new EditorWeightsError(
        `${where}: the edited layer ${JSON.stringify(p)} does not fit this model (${(e as Error).message}).`,
      );
    }
  }
  checkRoleTable(file.model?.layers, model, where);
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
    weights.set(renameTensor(name, renames), data);
  }
  return { config, weights };
}

/** The recorded role table, when present, must name this model's tensors with the same shapes. */
function checkRoleTable(layers: unknown, model: ModelShape, where: string): void {
  if (layers === undefined) return;
  if (typeof layers !== 'object' || layers === null)
    throw new EditorWeightsError(`${where}: "model.layers" must be an object of edited layers.`);
  for (const [key, rec] of Object.entries(layers as Record<string, unknown>)) {
    let mine;
    try {
      mine = layerRoleTable(model, [key])[key];
    } catch {
      throw new EditorWeightsError(
        `${where}: the recorded layer ${JSON.stringify(key)} does not exist in this ${model.architecture} model.`,
      );
    }
    const r = rec as { param?: unknown; nIn?: unknown; nOut?: unknown } | null;
    if (!r || r.param !== mine.param || r.nIn !== mine.nIn || r.nOut !== mine.nOut)
      throw new EditorWeightsError(
        `${where}: layer ${key} was ${JSON.stringify(r?.param)} (${String(r?.nIn)}→${String(r?.nOut)}) in the model this editor was trained for; here it is ${mine.param} (${mine.nIn}→${mine.nOut}). Train an editor for this model.`,
      );
  }
}

/** 'mend.h.0.mlp.c_fc.weight.s1' → 'mend.0.mlp.in.s1' for a version 1 file's parameter names. */
function renameTensor(name: string, renames: Map<string, string>): string {
  for (const [param, key] of renames) {
    const at = name.indexOf(`.${param}.`);
    if (at >= 0) return name.slice(0, at + 1) + key + name.slice(at + 1 + param.length);
  }
  return name;
}
