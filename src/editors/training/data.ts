// Edit datasets for training and validating hypernetwork editors: EasyEdit-style JSON records
// ({prompt, subject, target_new, ground_truth?, rephrase_prompts[] | rephrase_prompt, locality: {name: probe |
// probe[]}}), checked field by field (the file may be hostile), then tokenized into teacher-forced completions.
// Platform-free: the caller reads the file.

export interface LocalityProbe {
  prompt: string;
  answer: string;
}

export interface EditRecord {
  /** case_id when given, else the record's index. */
  id: string;
  prompt: string;
  subject: string;
  /** The new target, with a leading space (GPT-2 targets continue the prompt after a space). */
  target: string;
  rephrases: string[];
  locality: LocalityProbe[];
}

/** prompt ⊕ target, both as token ids; the loss/metric rows are the target's. */
export interface Completion {
  prompt: number[];
  target: number[];
}

export interface TrainingEdit {
  id: string;
  edit: Completion;
  /** Rephrased prompts with the edit's target. */
  generality: Completion[];
  /** Unrelated prompts with their (pre-edit) answers. */
  locality: Completion[];
}

/** A dataset file that does not have the expected shape; the message names the record and the field. */
export class EditDataError extends Error {
  override name = 'EditDataError';
}

/** Parses an EasyEdit-style array of edit records; `source` names the file in errors. */
export function parseEditRecords(json: unknown, source: string): EditRecord[] {
  if (!Array.isArray(json))
    throw new EditDataError(`${source}: expected a JSON array of edit records, got ${kindOf(json)}.`);
  return json.map((raw, i) => parseRecord(raw, `${source}, record ${i}`, i));
}

function parseRecord(raw: unknown, where: string, index: number): EditRecord {
  if (!isObject(raw)) throw new EditDataError(`${where}: expected an object, got ${kindOf(raw)}.`);
  const text = (field: string) => {
    const v = raw[field];
    if (typeof v !== 'string' || v.trim() === '')
      throw new EditDataError(`${where}: "${field}" must be a non-empty string, got ${kindOf(v)}.`);
    return v;
  };
  const rephrases = raw.rephrase_prompts ?? raw.rephrase_prompt ?? [];
  const rephraseList = typeof rephrases === 'string' ? [rephrases] : rephrases;
  if (!Array.isArray(rephraseList) || rephraseList.some((r) => typeof r !== 'string'))
    throw new EditDataError(`${where}: "rephrase_prompts" must be a list of strings.`);
  const id = raw.case_id;
  return {
    id: typeof id === 'string' || typeof id === 'number' ? String(id) : String(index),
    prompt: text('prompt').trimEnd(),
    subject: text('subject'),
    target: withLeadingSpace(text('target_new')),
    rephrases: (rephraseList as string[]).map((r) => r.trimEnd()).filter((r) => r !== ''),
    locality: parseLocality(raw.locality, where),
  };
}

/** {name: {prompt, ground_truth} | [{prompt, ground_truth}, ...]}; prompt may be a list with parallel answers. */
function parseLocality(raw: unknown, where: string): LocalityProbe[] {
  if (raw === undefined) return [];
  if (!isObject(raw)) throw new EditDataError(`${where}: "locality" must be an object of named probe lists.`);
  const probes: LocalityProbe[] = [];
  for (const [name, group] of Object.entries(raw)) {
    for (const probe of Array.isArray(group) ? group : [group]) {
      const at = `${where}, locality.${name}`;
      if (!isObject(probe)) throw new EditDataError(`${at}: each probe must be {prompt, ground_truth}.`);
      const prompts = Array.isArray(probe.prompt) ? probe.prompt : [probe.prompt];
      const answers = Array.isArray(probe.ground_truth) ? probe.ground_truth : [probe.ground_truth];
      prompts.forEach((prompt, j) => {
        // EasyEdit sometimes nests one answer per prompt in a list of lists: take the first alias.
        const answer = Array.isArray(answers[j]) ? answers[j][0] : (answers[j] ?? answers[0]);
        if (typeof prompt !== 'string' || typeof answer !== 'string' || prompt.trim() === '' || answer === '')
          throw new EditDataError(`${at}: "prompt" and "ground_truth" must be non-empty strings.`);
        probes.push({ prompt: prompt.trimEnd(), answer: withLeadingSpace(answer) });
      });
    }
  }
  return probes;
}

export interface TokenizedEdits {
  edits: TrainingEdit[];
  /** Records dropped: a sequence longer than the model's context, or a part that tokenizes to nothing. */
  skipped: string[];
}

/**
 * Tokenizes records; probes that do not fit `maxT` are dropped, and a record is skipped when its own edit
 * does not fit or, with `requireProbes`, when it is left without a generality or a locality probe.
 */
export function tokenizeEdits(
  records: EditRecord[],
  encode: (text: string) => number[],
  maxT: number,
  requireProbes = true,
): TokenizedEdits {
  const complete = (prompt: string, target: string): Completion | null => {
    const c = { prompt: encode(prompt), target: encode(target) };
    const ok = c.prompt.length > 0 && c.target.length > 0 && c.prompt.length + c.target.length <= maxT;
    return ok ? c : null;
  };
  const edits: TrainingEdit[] = [];
  const skipped: string[] = [];
  for (const r of records) {
    const edit = complete(r.prompt, r.target);
    const generality = r.rephrases.map((p) => complete(p, r.target)).filter((c) => c !== null);
    const locality = r.locality.map((p) => complete(p.prompt, p.answer)).filter((c) => c !== null);
    if (!edit || (requireProbes && (generality.length === 0 || locality.length === 0))) skipped.push(r.id);
    else edits.push({ id: r.id, edit, generality, locality });
  }
  return { edits, skipped };
}

function withLeadingSpace(s: string): string {
  return /^\s/.test(s) ? s : ` ${s}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v;
}
