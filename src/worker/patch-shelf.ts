// The patches this model made, kept (by edit id) after they are undone or reset, so the app can put an edit
// back without running its editor and its probes again: an undone reset, Back to an earlier session state,
// a session reopened in the same tab. The app keeps the readings; only the factors live here (CPU copies).
// Cleared when another model is loaded (ids restart per model). Bounded: the oldest patches not applied now
// are dropped first (then the app simply recomputes that edit).

import type { EngineHost } from '../engine/host.ts';
import type { EditInput } from '../engine/session.ts';
import type { Patch } from '../editors/types.ts';

/** About 64 MiB of factors (an FT-L patch of GPT-2 124M is 9.4 MiB; a fact-world IBKE patch a few KiB). */
const MAX_BYTES = 64 * 2 ** 20;

const bytesOf = (p: Patch) =>
  p.deltas.reduce((a, d) => a + 4 * (d.left.length + d.right.length + (d.dense?.length ?? 0)), 0);

export class PatchShelf {
  private readonly kept = new Map<string, { patch: Patch; input: EditInput; bytes: number }>();

  /** Keeps the patch an edit just applied (found on the stack by its id). */
  keep(host: EngineHost, editId: string, input: EditInput): void {
    const patch = host.current.stack.patches.find((p) => p.id === editId);
    if (!patch) return;
    this.kept.set(editId, { patch, input, bytes: bytesOf(patch) });
    this.trim(host);
  }

  /** The request, settings and probes an edit was made with (patch files record them). */
  input(editId: string): EditInput | undefined {
    return this.kept.get(editId)?.input;
  }

  /**
   * Re-applies shelved patches in order, under their ids; stops at the first one that is not here (or is
   * applied already). Returns the ids restored.
   */
  restore(host: EngineHost, editIds: readonly string[]): string[] {
    const done: string[] = [];
    for (const id of editIds) {
      const k = this.kept.get(id);
      if (!k || host.current.stack.patches.some((p) => p.id === id)) break;
      host.restore(k.patch, k.input);
      done.push(id);
    }
    return done;
  }

  clear(): void {
    this.kept.clear();
  }

  private trim(host: EngineHost): void {
    let total = [...this.kept.values()].reduce((a, k) => a + k.bytes, 0);
    const applied = new Set(host.current.stack.patches.map((p) => p.id));
    for (const [id, k] of this.kept) {
      if (total <= MAX_BYTES) break;
      if (applied.has(id)) continue;
      this.kept.delete(id);
      total -= k.bytes;
    }
  }
}
