// The session history in IndexedDB: every state of the session is saved as it changes, one record per model
// and edit list (the draft and probes update the record of the same edits), so an undo, a reset, another
// model or a closed tab never loses an edited state. The "Recent sessions" panel lists the last ones and
// opens any of them again. Records are validated when read back, like a link.

import { validateSession, type SessionDoc } from '../permalink/schema.ts';

const DB = 'editscope';
const STORE = 'sessions';
const KEEP = 12;

export interface SavedSession {
  id: string;
  savedAt: number;
  /** "France → Rome, Germany → Paris" or "no edits". */
  title: string;
  edits: number;
  doc: SessionDoc;
}

/** The record id of a session state: a hash of its model and edits (FNV-1a over their JSON). */
export function recordId(doc: SessionDoc): string {
  const text = JSON.stringify([doc.model, doc.edits]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `s${h.toString(36)}${text.length.toString(36)}`;
}

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') return reject(new Error('This browser has no IndexedDB.'));
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
  });
  opened.catch(() => (opened = null));
  return opened;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed.'));
  });
}

export function titleOf(doc: SessionDoc): string {
  if (doc.edits.length === 0) return 'no edits';
  return doc.edits.map((e) => `${e.subject} →${e.target}`).join(', ');
}

const listeners = new Set<() => void>();
export function onSavedChange(cb: () => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}

export async function saveSession(doc: SessionDoc): Promise<void> {
  const id = recordId(doc);
  try {
    const store = (await db()).transaction(STORE, 'readwrite').objectStore(STORE);
    const record: SavedSession = {
      id,
      savedAt: Date.now(),
      title: titleOf(doc),
      edits: doc.edits.length,
      doc,
    };
    await done(store.put(record));
    await prune();
    for (const cb of listeners) cb();
  } catch {
    // Private windows and full disks refuse storage; the link still holds the session.
  }
}

/** The saved sessions, newest first; records that no longer validate are left out. */
export async function listSessions(): Promise<SavedSession[]> {
  const store = (await db()).transaction(STORE, 'readonly').objectStore(STORE);
  const all = (await done(store.getAll())) as unknown[];
  const out: SavedSession[] = [];
  for (const r of all) {
    const x = r as Partial<SavedSession>;
    try {
      if (typeof x.id !== 'string' || typeof x.savedAt !== 'number') continue;
      const doc = validateSession(x.doc);
      out.push({ id: x.id, savedAt: x.savedAt, title: titleOf(doc), edits: doc.edits.length, doc });
    } catch {
      // A damaged record is skipped, never opened.
    }
  }
  return out.sort((a, b) => b.savedAt - a.savedAt);
}

async function prune(): Promise<void> {
  const list = await listSessions();
  if (list.length <= KEEP) return;
  const store = (await db()).transaction(STORE, 'readwrite').objectStore(STORE);
  for (const r of list.slice(KEEP)) store.delete(r.id);
}
