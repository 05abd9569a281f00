// Keeps the address bar's fragment equal to the session (`#s=v1.…`), so the page's own address is always a
// permalink. Typing and settings replace the current history entry; an applied edit, an undo, a reset or a
// model change (markHistoryStep) adds one, so the browser's Back returns to the session as it was before.
// Every write also saves the session in IndexedDB (saved-sessions.ts) for the "Recent sessions" list.

import { encodeFragment } from '../permalink/codec.ts';
import { useApp, type AppState } from './index.ts';
import { saveSession } from './saved-sessions.ts';
import { toSessionDoc } from './session-doc.ts';

const relevant = (s: AppState) => [
  s.model.source,
  s.edits,
  s.pendingEdits,
  s.draft,
  s.settings,
  s.probes,
  s.seed,
  s.sampling,
];

let stepPending = false;
/** Writes the session now if a write is waiting (set while syncing). */
let flushPending: (() => void) | null = null;
// Writes run one after another (encoding is async), so history entries keep the order of the states.
let writes = Promise.resolve();

/** Resolves when the link writes started so far have reached the address bar (what a test waits on). */
export const whenWritten = (): Promise<void> => writes;

/** The next link write adds a browser-history entry instead of replacing the current one. */
export function markHistoryStep(): void {
  // A step whose state is still waiting for its write (an edit whose write was deferred while the next task
  // ran, a reset undone within the debounce) gets its entry now, before the next step changes the state:
  // otherwise the two would merge and Back would skip one. Every caller marks the step before it changes the
  // state, so what is written here is the earlier step's finished state.
  if (stepPending) flushPending?.();
  stepPending = true;
}

/** Starts syncing; returns the unsubscribe function. */
export function startPermalinkSync(delayMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = relevant(useApp.getState());
  let written = '';
  let dirty = true;
  stepPending = false;
  const write = (force = false) => {
    clearTimeout(timer);
    const s = useApp.getState();
    // A task in flight (a load, a replay) writes nothing unless forced: the link would hold a half-done state.
    if (!force && s.task && s.task.kind !== 'preview') {
      timer = setTimeout(() => write(), delayMs);
      return;
    }
    let doc: ReturnType<typeof toSessionDoc>;
    try {
      doc = toSessionDoc(s);
    } catch {
      return; // a draft field the schema refuses keeps the previous link; Share and Export say why
    }
    dirty = false;
    const push = stepPending;
    stepPending = false;
    writes = writes.then(async () => {
      try {
        const fragment = await encodeFragment(doc);
        if (fragment !== written && fragment !== location.hash) {
          if (push && written !== '') history.pushState(null, '', fragment);
          else history.replaceState(history.state, '', fragment);
        }
        written = fragment;
        void saveSession(doc);
      } catch {
        // A session too big for a link keeps the previous link; Share and Export say what is wrong when used.
      }
    });
  };
  flushPending = () => {
    if (dirty) write(true);
  };
  const unsubscribe = useApp.subscribe((s) => {
    const now = relevant(s);
    if (now.every((x, i) => x === last[i])) return;
    last = now;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(() => write(), delayMs);
  });
  // The page's address carries the session from the start (the default session, or the link cleaned up).
  timer = setTimeout(() => write(), 0);
  return () => {
    clearTimeout(timer);
    flushPending = null;
    unsubscribe();
  };
}
