// Patch files: the session's applied edits as their weight changes, so edits survive outside the browser and
// can be put back on the same model later. Two parts: patches.safetensors (every delta's factors, F32, named
// `{edit}.{delta}.left|right|dense`) and manifest.json (format, the model's weights fingerprint, and per edit
// its method, request, settings, probes and the deltas' layer, role and shape). The app zips them.
// Import checks everything (the file is outside input): the fingerprint must be the loaded model's, and every
// delta must fit one of its layers; then each edit is applied and measured like an edit (EditInput.patch), so
// its charts come from real readings on this model.

import { modelFingerprint } from '../editors/hyper/fingerprint.ts';
import type { EngineHost } from '../engine/host.ts';
import type { EditInput } from '../engine/session.ts';
import { OFFERED_METHODS, type EditOutcome, type MethodName, type MethodSettings } from '../engine/types.ts';
import type { Patch, WeightDelta } from '../editors/types.ts';
import { LINEAR_ROLES } from '../model/language-model.ts';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../model/safetensors.ts';
import type { PatchShelf } from './patch-shelf.ts';

export const PATCH_FORMAT = 'editscope-patches';
const VERSION = 1;
const MAX_EDITS = 32;

/** A delta's shape in the manifest; its factors (and dense tensor, when `dense`) are in patches.safetensors. */
export type ManifestDelta = Pick<WeightDelta, 'block' | 'role' | 'param' | 'nIn' | 'nOut' | 'rank'> & {
  dense: boolean;
};

export interface ManifestEdit {
  method: MethodName;
  request: { prompt: string; subject: string; target: string };
  settings: MethodSettings;
  gen: string[];
  loc: string[];
  deltas: ManifestDelta[];
}

export interface PatchManifest {
  format: typeof PATCH_FORMAT;
  version: typeof VERSION;
  model: { name: string; architecture: string; fingerprint: string };
  edits: ManifestEdit[];
}

/** A patch file that cannot be used, with the sentence saying why. */
export class PatchFileError extends Error {
  override name = 'PatchFileError';
}

const tensorName = (edit: number, delta: number, part: 'left' | 'right' | 'dense') =>
  `${edit}.${delta}.${part}`;

/** The applied edits (in order) as a patch file; `inputs` gives each edit's request, settings and probes. */
export async function exportPatchFile(
  host: EngineHost,
  shelf: PatchShelf,
): Promise<{ manifest: string; safetensors: ArrayBuffer }> {
  const session = host.current;
  const { model } = session.view;
  const patches = session.stack.patches;
  if (patches.length === 0) throw new PatchFileError('There are no applied edits to export.');
  const tensors = [];
  const edits: ManifestEdit[] = [];
  for (const [i, p] of patches.entries()) {
    const input = shelf.input(p.id);
    edits.push({
      method: p.method,
      request: { ...p.request },
      settings: { ...(input?.settings ?? {}) },
      gen: [...(input?.gen ?? [])],
      loc: [...(input?.loc ?? [])],
      deltas: p.deltas.map((d) => ({
        block: d.block,
        role: d.role,
        param: d.param,
        nIn: d.nIn,
        nOut: d.nOut,
        rank: d.rank,
        dense: d.dense !== undefined,
      })),
    });
    for (const [j, d] of p.deltas.entries()) {
      tensors.push({ name: tensorName(i, j, 'left'), shape: [d.rank, d.nIn], data: d.left });
      tensors.push({ name: tensorName(i, j, 'right'), shape: [d.rank, d.nOut], data: d.right });
      if (d.dense) tensors.push({ name: tensorName(i, j, 'dense'), shape: [d.nIn, d.nOut], data: d.dense });
    }
  }
  const manifest: PatchManifest = {
    format: PATCH_FORMAT,
    version: VERSION,
    model: {
      name: host.loadedSource?.name ?? '',
      architecture: model.architecture,
      fingerprint: await modelFingerprint(model),
    },
    edits,
  };
  const bytes = serializeSafetensors(tensors, 'F32', { format: 'pt', editscope: PATCH_FORMAT });
  return {
    manifest: JSON.stringify(manifest, null, 2),
    safetensors: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}

// ---- validation of an outside manifest: every field checked, copied into fresh objects ----

type Obj = Record<string, unknown>;
const obj = (v: unknown, path: string): Obj => {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new PatchFileError(`manifest.json: ${path} should be an object.`);
  return v as Obj;
};
const str = (v: unknown, path: string, max = 300): string => {
  if (typeof v !== 'string' || v.length > max)
    throw new PatchFileError(`manifest.json: ${path} should be text of at most ${max} characters.`);
  return v;
};
const int = (v: unknown, path: string, min: number, max: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new PatchFileError(`manifest.json: ${path} should be a whole number from ${min} to ${max}.`);
  return v;
};
const strs = (v: unknown, path: string): string[] => {
  if (!Array.isArray(v) || v.length > 16)
    throw new PatchFileError(`manifest.json: ${path} should be a list of at most 16 prompts.`);
  return v.map((x, i) => str(x, `${path}[${i}]`));
};

export function parseManifest(text: string): PatchManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PatchFileError('manifest.json is not valid JSON.');
  }
  const o = obj(json, 'the file');
  if (o.format !== PATCH_FORMAT)
    throw new PatchFileError(
      `manifest.json is not an Editscope patch manifest (format should be "${PATCH_FORMAT}").`,
    );
  if (o.version !== VERSION)
    throw new PatchFileError(
      `manifest.json has version ${JSON.stringify(o.version)?.slice(0, 12)}; this page reads ${VERSION}.`,
    );
  const m = obj(o.model, 'model');
  if (!Array.isArray(o.edits) || o.edits.length === 0 || o.edits.length > MAX_EDITS)
    throw new PatchFileError(`manifest.json: edits should be a list of 1 to ${MAX_EDITS} edits.`);
  const edits = o.edits.map((e, i): ManifestEdit => {
    const x = obj(e, `edits[${i}]`);
    const method = OFFERED_METHODS.find((name) => name === x.method);
    if (!method)
      throw new PatchFileError(
        `manifest.json: edits[${i}].method should be one of ${OFFERED_METHODS.join(', ')}.`,
      );
    const r = obj(x.request, `edits[${i}].request`);
    const s = obj(x.settings ?? {}, `edits[${i}].settings`);
    const settings: MethodSettings = {};
    for (const [k, val] of Object.entries(s))
      if (['steps', 'lr', 'epsilon', 'layer', 'stepScale', 'protectEarlier', 'maxUpdate'].includes(k)) {
        if (typeof val !== 'number' || !Number.isFinite(val))
          throw new PatchFileError(`manifest.json: edits[${i}].settings.${k} should be a number.`);
        settings[k as keyof MethodSettings] = val;
      }
    if (!Array.isArray(x.deltas) || x.deltas.length === 0 || x.deltas.length > 256)
      throw new PatchFileError(`manifest.json: edits[${i}].deltas should list 1 to 256 layer changes.`);
    const deltas = x.deltas.map((d, j): ManifestDelta => {
      const y = obj(d, `edits[${i}].deltas[${j}]`);
      const role = LINEAR_ROLES.find((name) => name === y.role);
      if (!role)
        throw new PatchFileError(`manifest.json: edits[${i}].deltas[${j}].role is not a layer role.`);
      const at = `edits[${i}].deltas[${j}]`;
      return {
        block: int(y.block, `${at}.block`, 0, 4096),
        role,
        param: str(y.param, `${at}.param`, 200),
        nIn: int(y.nIn, `${at}.nIn`, 1, 1 << 20),
        nOut: int(y.nOut, `${at}.nOut`, 1, 1 << 20),
        rank: int(y.rank, `${at}.rank`, 1, 1 << 16),
        dense: y.dense === true,
      };
    });
    return {
      method,
      request: {
        prompt: str(r.prompt, `edits[${i}].request.prompt`),
        subject: str(r.subject, `edits[${i}].request.subject`),
        target: str(r.target, `edits[${i}].request.target`),
      },
      settings,
      gen: strs(x.gen ?? [], `edits[${i}].gen`),
      loc: strs(x.loc ?? [], `edits[${i}].loc`),
      deltas,
    };
  });
  return {
    format: PATCH_FORMAT,
    version: VERSION,
    model: {
      name: str(m.name ?? '', 'model.name', 200),
      architecture: str(m.architecture, 'model.architecture', 40),
      fingerprint: str(m.fingerprint, 'model.fingerprint', 64),
    },
    edits,
  };
}

/** The patches of a checked manifest, their factors read from the safetensors bytes (shapes checked). */
export function patchesOf(manifest: PatchManifest, safetensors: Uint8Array): Patch[] {
  const file = parseSafetensors(safetensors, 'patches.safetensors');
  const read = (name: string, shape: number[]) => {
    const t = file.tensors.get(name);
    if (!t || t.shape.length !== 2 || t.shape[0] !== shape[0] || t.shape[1] !== shape[1])
      throw new PatchFileError(
        `patches.safetensors has no tensor ${name} of shape [${shape.join(', ')}] as manifest.json says.`,
      );
    return tensorToFloat32(file, name);
  };
  return manifest.edits.map((e, i) => ({
    id: `import-${i}`,
    method: e.method,
    request: { ...e.request },
    info: { imported: 1 },
    deltas: e.deltas.map((d, j): WeightDelta => ({
      block: d.block,
      role: d.role,
      param: d.param,
      nIn: d.nIn,
      nOut: d.nOut,
      rank: d.rank,
      left: read(tensorName(i, j, 'left'), [d.rank, d.nIn]),
      right: read(tensorName(i, j, 'right'), [d.rank, d.nOut]),
      ...(d.dense ? { dense: read(tensorName(i, j, 'dense'), [d.nIn, d.nOut]) } : {}),
    })),
  }));
}

/**
 * Applies a patch file's edits on top of the current ones, each measured like an edit. Refused with a sentence,
 * before anything is applied, for another model's file or a damaged one.
 */
export async function importPatchFile(
  host: EngineHost,
  shelf: PatchShelf,
  manifestText: string,
  safetensors: Uint8Array,
  checkCancelled: () => void,
): Promise<EditOutcome[]> {
  const manifest = parseManifest(manifestText);
  const { model } = host.current.view;
  const mine = await modelFingerprint(model);
  if (manifest.model.fingerprint !== mine)
    throw new PatchFileError(
      `This patch file was made for another model (${manifest.model.name || manifest.model.architecture}, weights fingerprint ${manifest.model.fingerprint}; the loaded model's is ${mine}). Load the model it was made for, then import it again.`,
    );
  const patches = patchesOf(manifest, safetensors);
  for (const p of patches)
    for (const d of p.deltas) {
      let spec;
      try {
        spec = model.linear(d.block, d.role);
      } catch {
        spec = null;
      }
      if (!spec || spec.nIn !== d.nIn || spec.nOut !== d.nOut)
        throw new PatchFileError(
          `The patch file changes ${d.role} of block ${d.block} as ${d.nIn}×${d.nOut}, which this model does not have.`,
        );
    }
  const outcomes: EditOutcome[] = [];
  for (const [i, patch] of patches.entries()) {
    const e = manifest.edits[i];
    const input: EditInput = {
      request: e.request,
      method: e.method,
      settings: e.settings,
      gen: e.gen,
      loc: e.loc,
    };
    checkCancelled();
    const outcome = await host.edit({ ...input, patch });
    shelf.keep(host, outcome.editId, input);
    outcomes.push(outcome);
  }
  return outcomes;
}
