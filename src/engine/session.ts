// An editing session on one model: applies edits through any editor, keeps the patch stack (undo in any
// order, reset), and reads every probe before and after so charts and metrics come from real forward passes.
// The worker and the CLI both drive this class.

import { PatchStack } from '../editors/patches.ts';
import { tokenizeRequest } from '../editors/request.ts';
import { SequentialGuard } from '../editors/sequential-guard.ts';
import { EditRequestError, type Editor, type Patch } from '../editors/types.ts';
import { klDivergence, rankOf, tokenAccuracy } from '../eval/metrics.ts';
import { frobenius, updateSize } from '../eval/update-size.ts';
import { readStates, teacherForcedArgmax, type ModelView, type StateReading } from './readings.ts';
import type {
  EditMetrics,
  EditOutcome,
  EditSite,
  EditRequest,
  MethodName,
  MethodSettings,
  ProbeReading,
} from './types.ts';

export const CHART_TOP_K = 10;
export const CONTINUATION_TOKENS = 20;

export interface EditInput {
  request: EditRequest;
  method: MethodName;
  settings?: MethodSettings;
  gen: string[];
  loc: string[];
  /** Skip the greedy continuations (batch evaluation does not show them). */
  skipContinuation?: boolean;
  /**
   * A patch computed before (an imported patch file): applied and measured like an edit, without running the
   * method's editor. Its factors must fit this model (PatchStack checks the shapes).
   */
  patch?: Patch;
}

export class EditSession {
  readonly stack: PatchStack;
  private readonly suspended: Patch[] = [];
  private readonly weightNorms = new Map<string, number>();
  /** Edit ids are per session ('e1', 'e2'...): a reloaded session replays its edits under the same ids. */
  private nextId = 1;
  private ended = false;

  private readonly editors: Partial<Record<MethodName, Editor>> = {};

  /** Every editor is wrapped in a SequentialGuard: its protectEarlier / maxUpdate settings work for every method. */
  constructor(
    readonly view: ModelView,
    editors: Partial<Record<MethodName, Editor>>,
  ) {
    this.stack = new PatchStack(view.model);
    for (const [method, editor] of Object.entries(editors) as [MethodName, Editor][])
      this.editors[method] = guard(editor);
  }

  get methods(): MethodName[] {
    return Object.keys(this.editors) as MethodName[];
  }

  /**
   * Adds (or replaces) the editor of `method` on this model: ROME once the app has computed its key
   * statistics (src/worker/rome-stats.ts), a MEND/IBKE editor trained or imported in the app.
   */
  addEditor(method: MethodName, editor: Editor): void {
    const current = this.editors[method];
    if (current === editor || (current instanceof SequentialGuard && current.inner === editor)) return;
    current?.destroy?.();
    this.editors[method] = guard(editor);
  }

  encodePrompt(text: string): number[] {
    const { tokenizer } = this.view;
    const body = tokenizer.encode(text.trimEnd());
    if (body.length === 0) throw new EditRequestError('A probe is empty: type a prompt or remove it.');
    const ids = [...(tokenizer.prefixIds ?? []), ...body];
    if (ids.length >= this.view.model.dims.nPositions) {
      throw new EditRequestError(
        `The probe "${text.slice(0, 40)}…" is longer than this model's context (${this.view.model.dims.nPositions} tokens).`,
      );
    }
    return ids;
  }

  async predict(prompts: string[], k: number) {
    const readings = await readStates(
      this.view,
      prompts.map((p) => this.encodePrompt(p)),
      k,
    );
    return prompts.map((prompt, i) => ({ prompt, top: readings[i].top }));
  }

  async generate(prompt: string, maxTokens: number): Promise<string> {
    const { model, tokenizer } = this.view;
    const ids = this.encodePrompt(prompt);
    const room = Math.min(maxTokens, model.dims.nPositions - ids.length);
    const out = await model.generate(ids, room, { stopId: tokenizer.eosId ?? undefined });
    return tokenizer.decode(out);
  }

  /**
   * Computes, applies and measures one edit. On any error the model is left as it was. `checkCancelled`
   * throws to abandon the edit; it is called between phases, and never after the patch is applied.
   * `editId` replays an edit under the id it had (after a device loss); otherwise the next free id.
   */
  async edit(input: EditInput, checkCancelled: () => void = () => {}, editId?: string): Promise<EditOutcome> {
    if (this.ended) throw new Error('This model was unloaded: load it again to edit.');
    if (editId !== undefined && this.stack.patches.some((p) => p.id === editId))
      throw new Error(`An applied edit already has the id ${editId}.`);
    const given = input.patch;
    const editor: Pick<Editor, 'edit'> | undefined = given
      ? { edit: async () => ({ ...given, deltas: [...given.deltas] }) }
      : this.editors[input.method];
    if (!editor)
      throw new EditRequestError(`The ${input.method.toUpperCase()} editor is not available for this model.`);
    const { model, tokenizer } = this.view;
    const req = tokenizeRequest(this.view, input.request);
    const genIds = input.gen.map((g) => this.encodePrompt(g));
    const locIds = input.loc.map((l) => this.encodePrompt(l));
    const prompts = [req.prompt, ...genIds, ...locIds];

    const before = await readStates(this.view, prompts, CHART_TOP_K);
    const locAnswers = await Promise.all(
      locIds.map((ids) =>
        model.generate(ids, Math.max(1, Math.min(req.target.length, model.dims.nPositions - ids.length))),
      ),
    );
    const continuation = (prompt: string) =>
      input.skipContinuation ? Promise.resolve('') : this.generate(prompt, CONTINUATION_TOKENS);
    const continuationBefore = await continuation(input.request.prompt);

    // The floor: the unedited model teacher-forced on the new target (issue 13: scores are read against it).
    const floor = await teacherForcedArgmax(
      model,
      [req.prompt, ...genIds].map((prompt) => ({ prompt, completion: req.target })),
    );

    const t0 = performance.now();
    checkCancelled();
    const patch: Patch = await editor.edit(this.view, input.request, input.settings);
    checkCancelled();
    patch.id = editId ?? `e${this.nextId}`;
    const n = /^e(\d+)$/.exec(patch.id);
    this.nextId = Math.max(this.nextId, n ? Number(n[1]) + 1 : this.nextId);
    this.stack.apply(patch);
    const latencyMs = performance.now() - t0;

    const after = await readStates(this.view, prompts, CHART_TOP_K);
    const forced = await teacherForcedArgmax(model, [
      ...[req.prompt, ...genIds].map((prompt) => ({ prompt, completion: req.target })),
      ...locIds.map((prompt, i) => ({ prompt, completion: locAnswers[i] })),
    ]);
    const continuationAfter = await continuation(input.request.prompt);

    const targetId = req.target[0];
    const reading = (text: string, i: number, success: number, kl?: number): ProbeReading => ({
      text,
      before: before[i].top,
      after: after[i].top,
      target: targetReading(before[i], after[i], targetId, tokenizer.tokenString(targetId)),
      success: success === 1,
      ...(kl === undefined ? {} : { kl }),
    });
    const rel = tokenAccuracy(forced[0], req.target);
    const gen = genIds.map((_, i) => tokenAccuracy(forced[1 + i], req.target));
    const loc = locIds.map((_, i) => tokenAccuracy(forced[1 + genIds.length + i], locAnswers[i]));
    const kls = locIds.map((_, i) =>
      klDivergence(before[1 + genIds.length + i].dist, after[1 + genIds.length + i].dist),
    );
    const exact = (ids: number[]) => (tokenAccuracy(ids, req.target) === 1 ? 1 : 0);
    const metrics: EditMetrics = {
      reliability: rel,
      generality: mean(gen),
      locality: mean(loc),
      kl: mean(kls),
      reliabilityExact: exact(forced[0]),
      generalityExact: mean(genIds.map((_, i) => exact(forced[1 + i]))),
      reliabilityFloor: tokenAccuracy(floor[0], req.target),
      generalityFloor: mean(genIds.map((_, i) => tokenAccuracy(floor[1 + i], req.target))),
      updateSize: await this.updateSizeOf(patch),
    };
    return {
      editId: patch.id,
      method: input.method,
      latencyMs,
      request: input.request,
      prompt: reading(input.request.prompt, 0, rel),
      gen: input.gen.map((g, i) => reading(g, 1 + i, gen[i])),
      loc: input.loc.map((l, i) => reading(l, 1 + genIds.length + i, loc[i], kls[i])),
      metrics,
      site: siteOf(patch),
      continuation: { before: continuationBefore, after: continuationAfter },
    };
  }

  /** ‖ΔW‖/‖W‖ of a patch's largest change, with the base weights' norms read once per matrix. */
  private async updateSizeOf(patch: Patch): Promise<number> {
    for (const d of patch.deltas)
      if (!this.weightNorms.has(d.param))
        this.weightNorms.set(d.param, frobenius(await this.view.model.readParameter(d.param)));
    return updateSize(patch.deltas, (p) => this.weightNorms.get(p)!).max;
  }

  /**
   * Takes out, for a while, every applied edit with the same request (prompt, subject, target), so a comparison
   * of methods starts from a model that does not already know the new fact. `resume()` puts them back.
   */
  suspendMatching(request: EditRequest): string[] {
    const same = (p: Patch) =>
      p.request.prompt === request.prompt &&
      p.request.subject === request.subject &&
      p.request.target === request.target;
    const matching = this.stack.patches.filter(same);
    for (const p of matching) this.stack.revert(p.id);
    this.suspended.push(...matching);
    return matching.map((p) => p.id);
  }

  resume(): void {
    for (const p of this.suspended.splice(0)) this.stack.apply(p);
  }

  /**
   * Puts back, under its own id, a patch this session applied before and took off (undo of a reset, Back to
   * an earlier state): no editor run and no readings, the caller kept those.
   */
  restore(patch: Patch): void {
    if (this.ended) throw new Error('This model was unloaded: load it again to edit.');
    if (this.stack.patches.some((p) => p.id === patch.id))
      throw new Error(`An applied edit already has the id ${patch.id}.`);
    this.stack.apply(patch);
  }

  revert(editId: string): string[] {
    this.stack.revert(editId);
    return this.stack.patches.map((p) => p.id);
  }

  reset(): void {
    this.stack.reset();
  }

  /**
   * Frees everything this session holds on the GPU: the patches' side-car terms, then the editors' buffers
   * (MEND/IBKE networks, capture workspaces), then the model. Idempotent.
   */
  destroy(): void {
    if (this.ended) return;
    this.ended = true;
    this.stack.destroy();
    for (const e of Object.values(this.editors)) e?.destroy?.();
    this.view.model.destroy();
  }
}

function targetReading(
  before: StateReading,
  after: StateReading,
  id: number,
  token: string,
): ProbeReading['target'] {
  return {
    token,
    probBefore: before.dist[id],
    probAfter: after.dist[id],
    rankBefore: rankOf(before.dist, id),
    rankAfter: rankOf(after.dist, id),
  };
}

/** Mean of a list; NaN for an empty one (no probes: the metric is undefined, not perfect). */
function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The weights a patch changed and the key site the editor reports (ROME's patch info). */
function siteOf(patch: Patch): EditSite {
  const { keyToken, site } = patch.info;
  return {
    weights: [...new Set(patch.deltas.map((d) => d.param))],
    ...(typeof keyToken === 'string' ? { keyToken } : {}),
    ...(typeof site === 'string' ? { source: site } : {}),
  };
}

/** Wraps an editor in the guard once (without its settings the guard passes the editor's patches through). */
const guard = (editor: Editor): Editor =>
  editor instanceof SequentialGuard ? editor : new SequentialGuard(editor);
