// One record type for an edit and its probes, whatever benchmark it came from (EasyEdit, CounterFact,
// ZsRE/MEND, MQuAKE, ROME's known_1000, the polyglot-or-not CounterFact parquet). Readers in ./datasets turn a
// file into EditCase[]; the evaluator turns an EditCase into teacher-forced readings (see ./metrics.ts).
//
// Text conventions (applied by every reader, so cases from different files compare):
// - Prompts are right-trimmed: the completion carries its own separator.
// - Targets, ground truths, probe targets and locality answers start with whitespace: a leading space is added
//   when missing, because GPT-2-style byte-level BPE (GPT-2, Qwen, Llama-3) encodes " Paris" as one word token
//   while "Paris" after "is" would be a different, rarer token sequence. (SentencePiece models with a
//   dummy prefix should strip it again before encoding.)
// - The subject occurs verbatim in the prompt (CounterFact's "{}" template is filled with it); ROME keys the
//   edit on the subject's last token, so a reader refuses a record whose subject cannot be found.

/** A prompt that should yield the edit's new target after the edit (a paraphrase, a question, a multi-hop). */
export interface GenProbe {
  prompt: string;
  /** The expected completion; absent means the edit's own `target` (the usual case). */
  target?: string;
  /** What kind of probe: 'rephrase', 'question', 'multi-hop', or an EasyEdit portability name. */
  kind?: string;
}

/** A prompt whose answer must not change with the edit. */
export interface LocProbe {
  prompt: string;
  /**
   * The completion to teacher-force and compare pre/post argmax on. Absent: the evaluator uses the pre-edit
   * model's greedy answer (method.md, "Locality").
   */
  answer?: string;
  /** What kind of probe: 'neighborhood', 'attribute', 'unedited-hop', or an EasyEdit locality name. */
  kind?: string;
}

export interface EditCase {
  /** Stable id within its source: the dataset's case id, or `${caseId}:${k}` for one of several edits. */
  id: string;
  /** The edit prompt q_e, containing `subject` verbatim. */
  prompt: string;
  subject: string;
  /** The new target o_e (leading space). */
  target: string;
  /** The fact the edit replaces, when the dataset gives it (leading space). */
  groundTruth?: string;
  /** Generality probes G(e); order is reader-defined: default-target probes first, then own-target ones. */
  gen: GenProbe[];
  /** Locality probes L(e), grouped by kind in the order the kinds first appear. */
  loc: LocProbe[];
  /** Relation id or name (Wikidata "P36", "capital_of"), when known. */
  relation?: string;
  /**
   * Edits sharing a group are meant to be applied together (MQuAKE's chained edits); gen probes of kind
   * 'multi-hop' only hold once every edit of the group is in.
   */
  group?: string;
  /** Where the case came from: `${format}:${fileName}` (kept across an EasyEdit write/read round trip). */
  source: string;
}

/** The dataset formats `detectFormat` recognises. */
export type DatasetFormat = 'easyedit' | 'counterfact' | 'zsre' | 'mquake' | 'known-facts' | 'parquet-facts';

/**
 * A dataset file that is not what it should be: bad bytes, bad JSON, an unknown shape, or a malformed record.
 * The message names the file and, for a record, its index and the offending field.
 */
export class EditDataError extends Error {
  override name = 'EditDataError';
}

/** A record a reader left out by a documented, format-specific rule (never for being malformed). */
export interface SkippedRecord {
  index: number;
  id: string;
  reason: string;
}

export interface ReadOptions {
  /** Called for every record left out; readers never drop a record silently. */
  onSkip?: (skipped: SkippedRecord) => void;
}
