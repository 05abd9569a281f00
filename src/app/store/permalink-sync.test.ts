// The address bar follows the session: one browser-history entry per step (edit, reset, undo of the reset),
// even when the next step's task starts before the previous step's debounced write (what CI's slow machine
// did: the reset began within 400 ms of the edit, and Back skipped the edit). A fake `history` and `location`
// stand in for the browser's; the store is the app's own.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeHash } from '../permalink/codec.ts';
import type { SessionEdit } from '../permalink/schema.ts';
import { defaultSession } from '../model/default-session.ts';
import { useApp } from './index.ts';
import type { EngineTask } from './types.ts';
import { markHistoryStep, startPermalinkSync, whenWritten } from './permalink-sync.ts';

/** A browser history: entries, the current index, push drops the forward entries. */
function fakeHistory() {
  const entries = [''];
  let at = 0;
  const history = {
    state: null,
    pushState: (_: unknown, __: string, url: string) => {
      entries.splice(at + 1, Infinity, url);
      at = entries.length - 1;
    },
    replaceState: (_: unknown, __: string, url: string) => {
      entries[at] = url;
    },
  };
  const location = {
    get hash() {
      return entries[at];
    },
  };
  return { history, location, entries };
}

const base = defaultSession();
const edit = (subject: string): SessionEdit => ({
  ...base.edits[0]!,
  subject,
  prompt: `The capital of ${subject} is`,
});

/** Lets the debounce timers run (fake) and the encoder (real: zlib works off the main thread). */
async function settle(ms = 1000) {
  await vi.advanceTimersByTimeAsync(ms);
  await whenWritten();
}

const task = (kind: EngineTask['kind']): EngineTask => ({
  kind,
  label: kind,
  cancellable: false,
  progress: null,
  cancelling: false,
});

async function docAt(fragment: string) {
  const doc = await decodeHash(fragment);
  if (!doc) throw new Error(`no session in the entry "${fragment}"`);
  return doc;
}
const editsIn = async (fragment: string) => (await docAt(fragment)).edits.map((e) => e.subject);

describe('permalink sync', () => {
  let fake: ReturnType<typeof fakeHistory>;
  let stop: () => void;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fake = fakeHistory();
    vi.stubGlobal('history', fake.history);
    vi.stubGlobal('location', fake.location);
    const s = useApp.getState();
    s.setTask(null);
    s.setModel({ source: base.model });
    s.loadDraft(base.draft);
    s.setProbes(base.probes);
    s.setPendingEdits([edit('France')]);
    stop = startPermalinkSync(400);
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('gives an edit its own entry when the next step starts before the edit was written', async () => {
    await settle();
    expect(fake.entries).toHaveLength(1);
    const s = useApp.getState();
    // An edit lands, and its task ends...
    markHistoryStep();
    s.setPendingEdits([edit('France'), edit('Germany')]);
    // ...and a reset begins within the debounce: its task is in flight when the edit's write would run.
    await settle(100);
    s.setTask(task('reset'));
    await settle(1000);
    markHistoryStep();
    s.setPendingEdits([]);
    s.setTask(null);
    await settle();
    // The reset is undone: its state gets an entry of its own although the replay starts at once.
    markHistoryStep();
    s.setPendingEdits([edit('France'), edit('Germany')]);
    s.setTask(task('replay'));
    await settle(1000);
    s.setTask(null);
    await settle();
    const sessions = await Promise.all(fake.entries.map(editsIn));
    expect(sessions).toEqual([['France'], ['France', 'Germany'], [], ['France', 'Germany']]);
  });

  it('keeps typing in the current entry and writes nothing while a load is in flight', async () => {
    await settle();
    const s = useApp.getState();
    s.setTask(task('load'));
    s.setPendingEdits([]);
    await settle(2000);
    expect(await editsIn(fake.entries[0]!)).toEqual(['France']);
    s.setPendingEdits([edit('France')]);
    s.setTask(null);
    s.setDraft({ prompt: 'The capital of Spain is' });
    await settle();
    expect(fake.entries).toHaveLength(1);
    expect((await docAt(fake.entries[0]!)).draft.prompt).toBe('The capital of Spain is');
  });
});
