// Node only: a GGUF file on disk as a ByteSource, read in pieces (the header, then one tensor at a time).

import { open } from 'node:fs/promises';
import { MissingFileError } from '../errors.ts';
import type { ByteSource } from './reader.ts';

export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new MissingFileError(path, `could not be opened (${(e as Error).message}).`);
  }
  const { size } = await handle.stat();
  const h = handle;
  return {
    size,
    async read(offset, length) {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(n);
      let done = 0;
      while (done < n) {
        const { bytesRead } = await h.read(buf, done, n - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === n ? buf : buf.subarray(0, done);
    },
    close: () => h.close(),
  };
}
