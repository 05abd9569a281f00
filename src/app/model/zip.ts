// A minimal ZIP (stored, no compression) writer and reader for the app's downloads: the ONNX folder of the
// edited model and patch files (manifest.json + patches.safetensors). Stored entries keep the code small and
// weights do not compress anyway; names are UTF-8 (flag bit 11), CRC-32 as in zlib. The reader accepts only
// what a stored ZIP holds and checks every offset, size and CRC (a patch file comes from outside).

import { crc32 } from '../permalink/codec.ts';

export interface ZipEntry {
  name: string;
  bytes: Uint8Array;
}

/** Thrown with a sentence saying what is wrong with the file. */
export class ZipError extends Error {
  override name = 'ZipError';
}

const UTF8 = 0x0800;
// 1980-01-01 00:00 in DOS time: the same bytes for the same files.
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

export function writeZip(entries: readonly ZipEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const names = entries.map((e) => enc.encode(e.name));
  const crcs = entries.map((e) => crc32(e.bytes));
  const localSize = entries.reduce((a, e, i) => a + 30 + names[i].length + e.bytes.length, 0);
  const centralSize = names.reduce((a, n) => a + 46 + n.length, 0);
  if (localSize + centralSize + 22 > 0xffffffff)
    throw new ZipError('The files are too large for one ZIP (4 GiB): download them one by one.');
  const out = new Uint8Array(localSize + centralSize + 22);
  const v = new DataView(out.buffer);
  const offsets: number[] = [];
  let at = 0;
  entries.forEach((e, i) => {
    offsets.push(at);
    v.setUint32(at, 0x04034b50, true);
    v.setUint16(at + 4, 20, true);
    v.setUint16(at + 6, UTF8, true);
    v.setUint16(at + 8, 0, true);
    v.setUint16(at + 10, 0, true);
    v.setUint16(at + 12, DOS_DATE, true);
    v.setUint32(at + 14, crcs[i], true);
    v.setUint32(at + 18, e.bytes.length, true);
    v.setUint32(at + 22, e.bytes.length, true);
    v.setUint16(at + 26, names[i].length, true);
    v.setUint16(at + 28, 0, true);
    out.set(names[i], at + 30);
    out.set(e.bytes, at + 30 + names[i].length);
    at += 30 + names[i].length + e.bytes.length;
  });
  const central = at;
  entries.forEach((e, i) => {
    v.setUint32(at, 0x02014b50, true);
    v.setUint16(at + 4, 20, true);
    v.setUint16(at + 6, 20, true);
    v.setUint16(at + 8, UTF8, true);
    v.setUint16(at + 10, 0, true);
    v.setUint16(at + 12, 0, true);
    v.setUint16(at + 14, DOS_DATE, true);
    v.setUint32(at + 16, crcs[i], true);
    v.setUint32(at + 20, e.bytes.length, true);
    v.setUint32(at + 24, e.bytes.length, true);
    v.setUint16(at + 28, names[i].length, true);
    // extra, comment, disk, internal and external attributes: 0
    v.setUint32(at + 42, offsets[i], true);
    out.set(names[i], at + 46);
    at += 46 + names[i].length;
  });
  v.setUint32(at, 0x06054b50, true);
  v.setUint16(at + 8, entries.length, true);
  v.setUint16(at + 10, entries.length, true);
  v.setUint32(at + 12, at - central, true);
  v.setUint32(at + 16, central, true);
  return out;
}

/** The entries of a stored ZIP, by name; refuses compressed entries, bad offsets and bad CRCs. */
export function readZip(bytes: Uint8Array, fileName: string): Map<string, Uint8Array> {
  const fail = (why: string) => new ZipError(`${fileName}: ${why}`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 22;
  if (end < 0 || v.getUint32(end, true) !== 0x06054b50)
    throw fail('this is not a ZIP file written by Editscope (no end record where one should be).');
  const count = v.getUint16(end + 10, true);
  let at = v.getUint32(end + 16, true);
  const dec = new TextDecoder('utf-8', { fatal: true });
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || v.getUint32(at, true) !== 0x02014b50) throw fail('its directory is damaged.');
    const method = v.getUint16(at + 10, true);
    const crc = v.getUint32(at + 16, true);
    const size = v.getUint32(at + 20, true);
    const nameLen = v.getUint16(at + 28, true);
    const skip = v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
    const local = v.getUint32(at + 42, true);
    if (at + 46 + nameLen > end) throw fail('its directory is damaged.');
    let name: string;
    try {
      name = dec.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    } catch {
      throw fail('an entry name is not UTF-8.');
    }
    if (method !== 0 || size !== v.getUint32(at + 24, true))
      throw fail(`${name} is compressed; this reader takes the stored ZIPs Editscope writes.`);
    if (local + 30 > end || v.getUint32(local, true) !== 0x04034b50) throw fail(`${name} is damaged.`);
    const data = local + 30 + v.getUint16(local + 26, true) + v.getUint16(local + 28, true);
    if (data + size > bytes.length) throw fail(`${name} runs past the end of the file (cut short?).`);
    const body = bytes.subarray(data, data + size);
    if (crc32(body) !== crc) throw fail(`${name} is damaged (its checksum does not match).`);
    out.set(name, body);
    at += 46 + nameLen + skip;
  }
  return out;
}
