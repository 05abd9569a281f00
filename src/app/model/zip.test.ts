import { describe, expect, it } from 'vitest';
import { readZip, writeZip, ZipError } from './zip.ts';

const enc = new TextEncoder();
const files = [
  { name: 'config.json', bytes: enc.encode('{"a":1}') },
  { name: 'onnx/model.onnx', bytes: new Uint8Array([0, 1, 2, 255]) },
  { name: 'ünïcode.txt', bytes: new Uint8Array(0) },
];

describe('stored ZIP', () => {
  it('round-trips names (UTF-8, folders) and bytes, empty files included', () => {
    const back = readZip(writeZip(files), 'x.zip');
    expect([...back.keys()]).toEqual(files.map((f) => f.name));
    for (const f of files) expect([...back.get(f.name)!]).toEqual([...f.bytes]);
  });

  it('starts with the local header signature and is byte-identical for the same files', () => {
    const z = writeZip(files);
    expect([...z.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect(writeZip(files)).toEqual(z);
  });

  it('refuses files that are not ZIPs, cut short, or changed', () => {
    const z = writeZip(files);
    expect(() => readZip(enc.encode('not a zip at all, clearly'), 'a.zip')).toThrow(ZipError);
    expect(() => readZip(z.subarray(0, z.length - 5), 'a.zip')).toThrow(/a\.zip: /);
    const flipped = z.slice();
    flipped[30 + 'config.json'.length + 2] ^= 1; // a byte of config.json's contents
    expect(() => readZip(flipped, 'a.zip')).toThrow(/checksum/);
  });
});
