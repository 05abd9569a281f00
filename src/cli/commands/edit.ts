// `editscope edit`: one edit on a model folder, with generalization (--gen) and locality (--loc) probes,
// printing the top-5 before/after of every prompt and the metrics.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEditors } from '../../engine/editors.ts';
import { EDITOR_FILES, editorDir } from '../../editors/hyper/files.ts';
import { EditSession } from '../../engine/session.ts';
import type { EditOutcome, MethodName, ProbeReading } from '../../engine/types.ts';
import { parse, requireString, UsageError, type Values } from '../args.ts';
import { loadLanguageModelDir } from '../engine.ts';
import type { LanguageModel } from '../../model/language-model.ts';
import type { TextTokenizer } from '../../model/tokenizer.ts';

const USAGE =
  'editscope edit --model DIR --method ft|rome|mend|ibke|ultraedit|alphaedit --prompt TEXT --subject S --target T [--gen TEXT ...] [--loc TEXT ...] [--editor DIR] [--json]';
// AlphaEdit is here for measurement; the app does not offer it (a re-edited subject blows its update up: docs/results.md).
export const METHODS: MethodName[] = ['ft', 'rome', 'mend', 'ibke', 'ultraedit', 'alphaedit'];

export function parseMethod(values: Values, usage: string): MethodName {
  const method = requireString(values, 'method', usage) as MethodName;
  if (!METHODS.includes(method))
    throw new UsageError(`Unknown --method "${method}": use ${METHODS.join(', ')}.`);
  return method;
}

/** A trained editor's folder standing in for the model's own (eval/edit --editor DIR). */
export interface EditorOverride {
  method: 'mend' | 'ibke';
  dir: string;
}

/**
 * Editor files next to a model folder (ROME covariance, trained MEND/IBKE weights). `editor` (from --editor DIR)
 * replaces the files of one hypernetwork editor with a train-editor output folder, so an ablation or a
 * checkpoint is measured without copying the model folder.
 */
export function folderFiles(dir: string, editor?: EditorOverride) {
  const prefix = editor ? `${editorDir(editor.method)}/` : null;
  return async (name: string) => {
    const path =
      editor && prefix && name.startsWith(prefix)
        ? join(editor.dir, name.slice(prefix.length))
        : join(dir, name);
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      return null;
    }
  };
}

/** --editor DIR for `method`; a usage error for a method that has no trained editor files. */
export function editorOverride(
  values: Values,
  method: MethodName,
  usage: string,
): EditorOverride | undefined {
  const dir = values.editor;
  if (typeof dir !== 'string') return undefined;
  if (method !== 'mend' && method !== 'ibke')
    throw new UsageError(`--editor is a trained MEND or IBKE editor's folder; ${method} has none. ${usage}`);
  // Without this check a wrong folder would just leave the method out, and the edit fail far from the cause.
  const missing = Object.values(EDITOR_FILES).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new UsageError(
      `--editor ${dir} has no ${missing.join(' or ')}: give the folder train-editor wrote (its --out).`,
    );
  return { method, dir };
}

/** A session on a loaded model of any architecture; editor files are read next to `dir` (or from `editor`). */
export async function openSession(
  loaded: { dir: string; model: LanguageModel; tokenizer: TextTokenizer },
  editor?: EditorOverride,
): Promise<EditSession> {
  const view = { model: loaded.model, tokenizer: loaded.tokenizer };
  return new EditSession(
    view,
    await createEditors(view, folderFiles(loaded.dir, editor), { alphaEdit: true }),
  );
}

export async function edit(argv: string[]): Promise<void> {
  const opt = { type: 'string' } as const;
  const { values } = parse(
    argv,
    {
      model: opt,
      method: opt,
      prompt: opt,
      subject: opt,
      target: opt,
      gen: { type: 'string', multiple: true },
      loc: { type: 'string', multiple: true },
      editor: opt,
    },
    USAGE,
  );
  const method = parseMethod(values, USAGE);
  const request = {
    prompt: requireString(values, 'prompt', USAGE),
    subject: requireString(values, 'subject', USAGE),
    target: requireString(values, 'target', USAGE),
  };
  const session = await openSession(
    await loadLanguageModelDir(requireString(values, 'model', USAGE)),
    editorOverride(values, method, USAGE),
  );
  const outcome = await session.edit({
    request,
    method,
    gen: (values.gen as unknown as string[]) ?? [],
    loc: (values.loc as unknown as string[]) ?? [],
  });
  const json = editJson(outcome);
  process.stdout.write(values.json ? JSON.stringify(json) + '\n' : editText(outcome) + '\n');
}

const top5 = (r: ProbeReading['before']) => r.slice(0, 5).map(({ token, prob }) => ({ token, prob }));
const probe = (p: ProbeReading) => ({
  text: p.text,
  before: top5(p.before),
  after: top5(p.after),
  success: p.success,
  ...(p.kl === undefined ? {} : { kl: p.kl }),
});

export function editJson(o: EditOutcome) {
  return {
    method: o.method,
    latencyMs: o.latencyMs,
    prompt: probe(o.prompt),
    gen: o.gen.map(probe),
    loc: o.loc.map(probe),
    metrics: o.metrics,
    target: o.prompt.target,
    continuation: o.continuation,
  };
}

function editText(o: EditOutcome): string {
  const fmt = (r: ProbeReading['before']) =>
    r
      .slice(0, 5)
      .map((t) => `${JSON.stringify(t.token)} ${(t.prob * 100).toFixed(1)}%`)
      .join(', ');
  const block = (label: string, p: ProbeReading) =>
    `${label} ${JSON.stringify(p.text)}${p.success ? '' : '  (failed)'}\n    before: ${fmt(p.before)}\n    after:  ${fmt(p.after)}`;
  const m = o.metrics;
  const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(0)}%`);
  return [
    `${o.method.toUpperCase()} edit in ${o.latencyMs.toFixed(0)} ms`,
    block('prompt', o.prompt),
    ...o.gen.map((p) => block('gen   ', p)),
    ...o.loc.map((p) => block('loc   ', p)),
    `reliability ${pct(m.reliability)}  generality ${pct(m.generality)}  locality ${pct(m.locality)}  KL ${Number.isNaN(m.kl) ? 'n/a' : m.kl.toFixed(4)}`,
    `continuation before: ${JSON.stringify(o.continuation.before)}`,
    `continuation after:  ${JSON.stringify(o.continuation.after)}`,
  ].join('\n');
}
