// Keeps the address bar's fragment equal to the session (`#s=v1.…`), so the page's own address is always a
// permalink. replaceState: editing does not fill the back button's history.

import { encodeFragment } from '../permalink/codec.ts';
import { useApp, type AppState } from './index.ts';
import { toSessionDoc } from './session-doc.ts';

const relevant = (s: AppState) => [
  s.model.source,
  s.edits,
  s.pendingEdits,
  s.draft,
  s.settings,
  s.probes,
  s.seed,
];

/** Starts syncing; returns the unsubscribe function. */
export function startPermalinkSync(delayMs = 400): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = relevant(useApp.getState());
  let written = '';
  const write = async () => {
    try {
      const fragment = await encodeFragment(toSessionDoc(useApp.getState()));
      if (fragment !== written && fragment !== location.hash)
        history.replaceState(history.state, '', fragment);
      written = fragment;
    } catch {
      // A session too big for a link (or a draft field the schema refuses) keeps the previous link; Share
      // and Export say what is wrong when used.
    }
  };
  const unsubscribe = useApp.subscribe((s) => {
    const now = relevant(s);
    if (now.every((x, i) => x === last[i])) return;
    last = now;
    clearTimeout(timer);
    timer = setTimeout(write, delayMs);
  });
  // The page's address carries the session from the start (the default session, or the link cleaned up).
  timer = setTimeout(write, 0);
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}
