// The shape of a shareable session (what a permalink and a JSON export hold) and its hand-written validator.
// Everything in a link is hostile until this file has looked at it: every field is type-checked, bounded and
// copied into a fresh object (never spread from the input, so `__proto__` or extra keys cannot ride along).
// Text is kept as text (React escapes it); control and bidi-override characters are refused so a link cannot
// hide or reorder what the page shows.

import {
  OFFERED_METHODS,
  type MethodName,
  type MethodSettings,
  type WeightDtype,
} from '../../engine/types.ts';
import { EMBEDDED_MODELS, type EmbeddedName } from '../model/embedded-models.ts';

export const SESSION_VERSION = 1;
/**
 * The methods a link may name: every editor the engine offers (src/engine/editors.ts). AlphaEdit is written but
 * not offered (withdrawn until its test shows a gain), so a link naming it is refused with a sentence.
 */
export const METHOD_NAMES: readonly MethodName[] = OFFERED_METHODS;

export const LIMITS = {
  textChars: 300,
  labelChars: 120,
  edits: 32,
  probesPerGroup: 16,
} as const;

/** The weight formats a link may name (src/model/quant/apply.ts WEIGHT_DTYPES; f32 is the default). */
export const WEIGHT_DTYPES: readonly WeightDtype[] = ['f32', 'f16', 'int8', 'int4'];

/** A dtype other than the default f32; f32 is never written, so links made before dtypes read the same. */
export type PackedDtype = Exclude<WeightDtype, 'f32'>;

/**
 * Where the model came from, and the format its weights are loaded in (`dtype`, absent = f32: every link made
 * before the choice existed). Links never carry a hub endpoint: a link must not choose which host is fetched.
 */
export type SessionModel =
  | { kind: 'embedded'; name: EmbeddedName; dtype?: PackedDtype }
  | { kind: 'hub'; repoId: string; revision?: string; file?: string; dtype?: PackedDtype }
  | { kind: 'local'; label: string; dtype?: PackedDtype };

/** The dtype a session model is loaded in. */
export const modelDtype = (m: SessionModel): WeightDtype => m.dtype ?? 'f32';

/**
 * `m` loaded in `dtype`, in the canonical form links and comparisons use (the same keys in the same order as the
 * validator writes them, f32 left out).
 */
export function withDtype<M extends SessionModel>(m: M, dtype: WeightDtype): M {
  const { dtype: _old, ...rest } = m;
  return (dtype === 'f32' ? rest : { ...rest, dtype }) as M;
}

export interface SessionEdit {
  prompt: string;
  subject: string;
  target: string;
  method: MethodName;
  settings: MethodSettings;
  /** The probes this edit was measured on, so a replay reads the same charts. */
  gen: string[];
  loc: string[];
}

export interface SessionDraft {
  prompt: string;
  subject: string;
  target: string;
  method: MethodName;
  settings: MethodSettings;
}

export interface SessionDoc {
  v: typeof SESSION_VERSION;
  model: SessionModel;
  /** Applied edits, oldest first; replaying them in order rebuilds the edited model. */
  edits: SessionEdit[];
  draft: SessionDraft;
  probes: { gen: string[]; loc: string[] };
  seed: number;
  /** The generation view's sampling (with `seed`); absent in older links = the defaults. */
  sampling?: { temperature: number; topP: number };
}

/** Thrown with the first problem found, as a sentence naming the field. */
export class SessionSchemaError extends Error {
  override name = 'SessionSchemaError';
}

/** Settings ranges; the editors check them again, these only keep absurd values out of links. */
const SETTING_RANGES: Record<keyof Required<MethodSettings>, { min: number; max: number; integer: boolean }> =
  {
    steps: { min: 1, max: 1000, integer: true },
    lr: { min: 1e-7, max: 1, integer: false },
    epsilon: { min: 0, max: 10, integer: false },
    layer: { min: 0, max: 255, integer: true },
    stepScale: { min: 0, max: 100, integer: false },
    protectEarlier: { min: 1e-6, max: 1e6, integer: false },
    maxUpdate: { min: 1e-6, max: 100, integer: false },
  };

// C0/C1 controls (tab and newline included: every field is one line), bidi overrides and isolates.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;
const REVISION = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,99}$/;
/** A GGUF file inside a repo ("qwen3-1.7b-q8_0.gguf", "gguf/model-Q4_K_M.gguf"). */
export const GGUF_FILE = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,194}\.gguf$/i;

type Obj = Record<string, unknown>;

function object(v: unknown, path: string, keys: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SessionSchemaError(`${path} should be an object.`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw new SessionSchemaError(`${path} has an unknown field "${k.slice(0, 40)}".`);
  }
  return v as Obj;
}

export function text(v: unknown, path: string, max: number = LIMITS.textChars, allowEmpty = false): string {
  if (typeof v !== 'string') throw new SessionSchemaError(`${path} should be text.`);
  if (!allowEmpty && v.trim() === '') throw new SessionSchemaError(`${path} is empty.`);
  if (v.length > max) throw new SessionSchemaError(`${path} is longer than ${max} characters.`);
  if (FORBIDDEN_CHARS.test(v))
    throw new SessionSchemaError(`${path} contains control or text-direction characters.`);
  return v;
}

function texts(v: unknown, path: string, maxItems: number): string[] {
  if (!Array.isArray(v)) throw new SessionSchemaError(`${path} should be a list.`);
  if (v.length > maxItems) throw new SessionSchemaError(`${path} has more than ${maxItems} entries.`);
  return v.map((x, i) => text(x, `${path}[${i}]`));
}

function method(v: unknown, path: string): MethodName {
  const m = METHOD_NAMES.find((name) => name === v);
  if (!m)
    throw new SessionSchemaError(
      typeof v === 'string'
        ? `${path} names the method "${v.slice(0, 40)}", which this page does not offer (it offers ${METHOD_NAMES.join(', ')}).`
        : `${path} should be one of ${METHOD_NAMES.join(', ')}.`,
    );
  return m;
}

export function validateSettings(v: unknown, path: string): MethodSettings {
  const o = object(v, path, Object.keys(SETTING_RANGES));
  const out: MethodSettings = {};
  for (const key of Object.keys(SETTING_RANGES) as (keyof MethodSettings)[]) {
    const x = o[key];
    if (x === undefined) continue;
    const r = SETTING_RANGES[key];
    if (
      typeof x !== 'number' ||
      !Number.isFinite(x) ||
      x < r.min ||
      x > r.max ||
      (r.integer && !Number.isInteger(x))
    )
      throw new SessionSchemaError(
        `${path}.${key} should be ${r.integer ? 'a whole number' : 'a number'} from ${r.min} to ${r.max}.`,
      );
    out[key] = x;
  }
  return out;
}

function dtype(v: unknown): WeightDtype {
  if (v === undefined) return 'f32'; // links made before the choice existed
  const d = WEIGHT_DTYPES.find((x) => x === v);
  if (!d)
    throw new SessionSchemaError(
      typeof v === 'string'
        ? `model.dtype names the weight format "${v.slice(0, 40)}", which this page does not offer (it offers ${WEIGHT_DTYPES.join(', ')}).`
        : `model.dtype should be one of ${WEIGHT_DTYPES.join(', ')}.`,
    );
  return d;
}

function model(v: unknown): SessionModel {
  const kind = object(v, 'model', ['kind', 'name', 'repoId', 'revision', 'file', 'label', 'dtype']).kind;
  if (kind === 'embedded') {
    const o = object(v, 'model', ['kind', 'name', 'dtype']);
    const name = EMBEDDED_MODELS.find((m) => m.name === o.name)?.name;
    if (!name)
      throw new SessionSchemaError(
        `model.name should be one of the built-in models: ${EMBEDDED_MODELS.map((m) => `"${m.name}"`).join(', ')}.`,
      );
    return withDtype({ kind: 'embedded', name }, dtype(o.dtype));
  }
  if (kind === 'hub') {
    const o = object(v, 'model', ['kind', 'repoId', 'revision', 'file', 'dtype']);
    const repoId = text(o.repoId, 'model.repoId', 96);
    if (!REPO_ID.test(repoId) || repoId.includes('..'))
      throw new SessionSchemaError(
        'model.repoId is not a Hugging Face repo id like "openai-community/gpt2".',
      );
    const out: Extract<SessionModel, { kind: 'hub' }> = { kind: 'hub', repoId };
    if (o.revision !== undefined) {
      const revision = text(o.revision, 'model.revision', 100);
      if (!REVISION.test(revision) || revision.includes('..'))
        throw new SessionSchemaError('model.revision is not a branch, tag or commit name.');
      out.revision = revision;
    }
    if (o.file !== undefined) {
      const file = text(o.file, 'model.file', 200);
      if (!GGUF_FILE.test(file) || file.split('/').some((p) => p === '..' || p === '.' || p === ''))
        throw new SessionSchemaError('model.file is not the name of a .gguf file inside the repository.');
      out.file = file;
    }
    return withDtype(out, dtype(o.dtype));
  }
  if (kind === 'local') {
    const o = object(v, 'model', ['kind', 'label', 'dtype']);
    return withDtype(
      { kind: 'local', label: text(o.label, 'model.label', LIMITS.labelChars) },
      dtype(o.dtype),
    );
  }
  throw new SessionSchemaError('model.kind should be "embedded", "hub" or "local".');
}

function request(o: Obj, path: string) {
  const prompt = text(o.prompt, `${path}.prompt`);
  const subject = text(o.subject, `${path}.subject`, LIMITS.labelChars);
  const target = text(o.target, `${path}.target`, LIMITS.labelChars);
  return {
    prompt,
    subject,
    target,
    method: method(o.method, `${path}.method`),
    settings: validateSettings(o.settings ?? {}, `${path}.settings`),
  };
}

function edit(v: unknown, path: string): SessionEdit {
  const o = object(v, path, ['prompt', 'subject', 'target', 'method', 'settings', 'gen', 'loc']);
  return {
    ...request(o, path),
    gen: texts(o.gen ?? [], `${path}.gen`, LIMITS.probesPerGroup),
    loc: texts(o.loc ?? [], `${path}.loc`, LIMITS.probesPerGroup),
  };
}

function draft(v: unknown): SessionDraft {
  const o = object(v, 'draft', ['prompt', 'subject', 'target', 'method', 'settings']);
  // A draft is work in progress: empty fields are allowed, the edit panel says what is missing.
  return {
    prompt: text(o.prompt, 'draft.prompt', LIMITS.textChars, true),
    subject: text(o.subject, 'draft.subject', LIMITS.labelChars, true),
    target: text(o.target, 'draft.target', LIMITS.labelChars, true),
    method: method(o.method, 'draft.method'),
    settings: validateSettings(o.settings ?? {}, 'draft.settings'),
  };
}

/** Checks an untrusted value (parsed JSON) and returns a fresh, fully typed copy, or throws SessionSchemaError. */
export function validateSession(v: unknown): SessionDoc {
  const o = object(v, 'The session', ['v', 'model', 'edits', 'draft', 'probes', 'seed', 'sampling']);
  if (o.v !== SESSION_VERSION)
    throw new SessionSchemaError(
      `The session has version ${JSON.stringify(o.v)?.slice(0, 20)}; this page reads version ${SESSION_VERSION}.`,
    );
  if (!Array.isArray(o.edits)) throw new SessionSchemaError('edits should be a list.');
  if (o.edits.length > LIMITS.edits)
    throw new SessionSchemaError(`edits has more than ${LIMITS.edits} entries.`);
  const probes = object(o.probes, 'probes', ['gen', 'loc']);
  const seed = o.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff)
    throw new SessionSchemaError('seed should be a whole number from 0 to 2147483647.');
  return {
    v: SESSION_VERSION,
    model: model(o.model),
    edits: o.edits.map((e, i) => edit(e, `edits[${i}]`)),
    draft: draft(o.draft),
    probes: {
      gen: texts(probes.gen, 'probes.gen', LIMITS.probesPerGroup),
      loc: texts(probes.loc, 'probes.loc', LIMITS.probesPerGroup),
    },
    seed,
    ...(o.sampling === undefined ? {} : { sampling: sampling(o.sampling) }),
  };
}

function sampling(v: unknown): { temperature: number; topP: number } {
  const o = object(v, 'sampling', ['temperature', 'topP']);
  const num = (x: unknown, path: string, min: number, max: number) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max)
      throw new SessionSchemaError(`${path} should be a number from ${min} to ${max}.`);
    return x;
  };
  return {
    temperature: num(o.temperature, 'sampling.temperature', 0.05, 2),
    topP: num(o.topP, 'sampling.topP', 0.05, 1),
  };
}
