// Editor-training checkpoints in the Origin Private File System (worker side), so a closed tab resumes from the
// last checkpoint. Each file is written under a temporary name and moved over the old one: a failed write
// (storage full) leaves the last good checkpoint, and the error says so in a sentence.

import type { CheckpointStore } from './training.ts';

const DIR = 'editscope-training';

export function opfsCheckpointStore(): CheckpointStore {
  const dir = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(DIR, { create: true });
  return {
    async read(name) {
      try {
        const file = await (await (await dir()).getFileHandle(name)).getFile();
        return new Uint8Array(await file.arrayBuffer());
      } catch {
        return null; // no checkpoint yet
      }
    },
    async remove(name) {
      try {
        await (await dir()).removeEntry(name);
      } catch {
        // absent: nothing to delete
      }
    },
    async write(name, bytes) {
      const d = await dir();
      try {
        const tmp = await d.getFileHandle(`${name}.tmp`, { create: true });
        const w = await tmp.createWritable();
        await w.write(bytes as BlobPart);
        await w.close();
        await (tmp as FileSystemFileHandle & { move(to: string): Promise<void> }).move(name);
      } catch (e) {
        const full = (e as Error).name === 'QuotaExceededError';
        throw new Error(
          full
            ? 'The browser storage is full: the training checkpoint was not saved (the last good one is kept). Free some site storage, then resume.'
            : `The training checkpoint could not be saved (${(e as Error).message}); the last good one is kept.`,
        );
      }
    },
  };
}
