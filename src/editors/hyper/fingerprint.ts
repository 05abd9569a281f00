// Which model an editor file belongs to: a fingerprint of the weights and the edited layers' role table,
// written into config.json by train-editor and checked before the editor is loaded. A trained MEND/IBKE
// network maps this model's gradients to updates; on other weights (a fine-tune, another seed, another size
// with the same shape) it would produce confident nonsense, so a mismatch is refused with a sentence.
//
// The fingerprint covers every weight upstream of the last block's down projection (the model's own
// inputParameters list: embeddings, norms, every block) plus every linear weight, i.e. all of the model but
// the final norm and an untied head. It hashes the base weights (side-car edits are separate factors, so an
// edited session fingerprints the same as the unedited model). A change detector, not a cryptographic hash.
//
// A model loaded into packed formats (f16, int8 = q8_0, int4 = q4_0: src/model/quant/load.ts) reads back
// dequantised values, which hash differently from the checkpoint it came from. Its loader therefore hashes the
// source tensors before packing (readBaseFromSource): the same bytes the f32 model of that checkpoint reads
// back, so an int8 model and its f32 twin share one fingerprint, and an editor, a patch file or cached ROME
// statistics made for the checkpoint fit it in any dtype (the dtype changes the arithmetic, not which model it
// is). The f32 hash itself is unchanged: files that record one stay valid.

import type { LanguageModel, ModelShape } from '../../model/language-model.ts';
import { EditorWeightsError } from '../types.ts';

/** The parameters the fingerprint covers, in a fixed order. */
export function fingerprintParameters(model: LanguageModel): string[] {
  const last = model.dims.nLayer - 1;
  const upstream = model.inputParameters ? model.inputParameters(last, 'mlp.down') : [];
  const names = new Set(upstream);
  for (const s of model.linears) names.add(s.param);
  return [...names];
}

const cache = new WeakMap<LanguageModel, Promise<string>>();

/**
 * 64-bit hex fingerprint of the model's base weights (two multiply-xorshift lanes over names, lengths and
 * every f32 word). Computed once per model object: reading 124M weights back takes seconds, not every load.
 */
export function modelFingerprint(model: LanguageModel): Promise<string> {
  let p = cache.get(model);
  if (!p) {
    p = computeFingerprint(model);
    cache.set(model, p);
  }
  return p;
}

/** A parameter as its checkpoint holds it (f32 values), by checkpoint name: what an f32 load would read back. */
export type SourceParameter = (param: string) => Float32Array | Promise<Float32Array>;

const sources = new WeakMap<LanguageModel, SourceParameter>();

/**
 * Registers where `model`'s source tensors can be read (see the header): its fingerprint, and every other hash
 * read through baseParameter (ROME's key-weights hash), are computed from them, when first asked for. Called by
 * a loader that packs the weights; an f32 model needs no call (its own read-back is the source).
 */
export function readBaseFromSource(model: LanguageModel, read: SourceParameter): void {
  sources.set(model, read);
  cache.delete(model);
}

/**
 * A parameter's base values as the checkpoint holds them: the source of a model loaded packed, else the model's
 * own read-back. Hashes that identify a model (this file's, ROME's key statistics) read through this, so they
 * do not depend on the dtype it was loaded in.
 */
export async function baseParameter(model: LanguageModel, param: string): Promise<Float32Array> {
  const read = sources.get(model);
  return read ? read(param) : model.readParameter(param);
}

async function computeFingerprint(model: LanguageModel): Promise<string> {
  let h1 = 0x811c9dc5;
  let h2 = 0x2545f491;
  const mix = (w: number) => {
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul((h2 ^ w) + ((h2 << 7) | 0), 0xc2b2ae35);
    h2 ^= h2 >>> 15;
  };
  for (const c of model.architecture) mix(c.charCodeAt(0));
  for (const name of fingerprintParameters(model)) {
    for (const c of name) mix(c.charCodeAt(0));
    const values = await baseParameter(model, name);
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
    mix(words.length);
    for (let i = 0; i < words.length; i++) mix(words[i]);
  }
  const hex = (x: number) => (x >>> 0).toString(16).padStart(8, '0');
  return hex(h1) + hex(h2);
}

/** The edited layers' role table as recorded in a file: key '{block}.{role}' → checkpoint tensor and shape. */
export type LayerRoleTable = Record<string, { param: string; nIn: number; nOut: number }>;

export function layerRoleTable(model: ModelShape, keys: readonly string[]): LayerRoleTable {
  const table: LayerRoleTable = {};
  for (const key of keys) {
    const dot = key.indexOf('.');
    const spec = model.linear(Number(key.slice(0, dot)), key.slice(dot + 1) as never);
    table[key] = { param: spec.param, nIn: spec.nIn, nOut: spec.nOut };
  }
  return table;
}

/** Reads the "model" block of an editor config.json without validating the rest (readEditorFiles does that). */
export function recordedFingerprint(configText: string): string | null {
  try {
    const file = JSON.parse(configText) as { model?: { fingerprint?: unknown } };
    const f = file?.model?.fingerprint;
    return typeof f === 'string' ? f : null;
  } catch {
    return null; // readEditorFiles reports the bad JSON with its own sentence
  }
}

/**
 * Refuses an editor file whose recorded fingerprint is not this model's. Files without one (version 1, the
 * shipped fact-world editors) are accepted on their shape checks alone.
 */
export async function checkEditorFingerprint(
  method: 'mend' | 'ibke',
  configText: string,
  model: LanguageModel,
): Promise<void> {
  const recorded = recordedFingerprint(configText);
  if (recorded === null) return;
  const actual = await modelFingerprint(model);
  if (recorded !== actual)
    throw new EditorWeightsError(
      `This ${method.toUpperCase()} editor was trained for other weights (fingerprint ${recorded}; the loaded model's is ${actual}): it belongs to another model or an earlier version of this one. Train an editor for this model (npx editscope train-editor) or load the model it was made for.`,
    );
}
