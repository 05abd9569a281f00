// Session permalinks: `#s=v1.<payload>`, payload = base64url(deflate-raw(utf8(JSON)) ‖ crc32(utf8(JSON)) as 4
// bytes big-endian). Deflate has no checksum of its own; the CRC-32 makes every truncation and every single
// flipped bit a clear "damaged link" instead of a silently different session. Pure functions over Web
// standards (CompressionStream, TextEncoder), so they run unchanged in the browser and in Node 20.

import { validateSession, SessionSchemaError, type SessionDoc } from './schema.ts';

export const FRAGMENT_KEY = 's';
export const LINK_VERSION = 'v1';
/** The payload's length in characters: about 20 kB of JSON compresses well below this. */
export const MAX_PAYLOAD_CHARS = 24_000;
/** Decompressed JSON is refused past this, while it is being inflated (a deflate bomb stops here). */
export const MAX_JSON_BYTES = 128 * 1024;

export type LinkProblem = 'missing' | 'version' | 'too-large' | 'encoding' | 'damaged' | 'schema';

/** What is wrong with a link, as a sentence for the banner; `problem` lets the UI and tests branch. */
export class LinkError extends Error {
  override name = 'LinkError';
  constructor(
    readonly problem: LinkProblem,
    message: string,
  ) {
    super(message);
  }
}

// ---- CRC-32 (IEEE 802.3, the zlib/PNG polynomial 0xEDB88320, reflected) ----
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- base64url without padding (RFC 4648 §5) ----
export function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s))
    throw new LinkError('encoding', 'The link contains characters that do not belong to a session link.');
  // No base64 encoding ends with a single character of a group: the text was cut.
  if (s.length % 4 === 1) throw new LinkError('damaged', 'The link is cut short: copy it again in full.');
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---- deflate-raw through the streams API ----
async function pipe(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  // Errors surface on the reader; the writer's own rejections are the same error, so they are swallowed here.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new LinkError(
        'too-large',
        `The session in this link is larger than ${limit / 1024} KiB once unpacked.`,
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export async function encodePayload(doc: SessionDoc): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(validateSession(doc)));
  if (json.length > MAX_JSON_BYTES)
    throw new LinkError(
      'too-large',
      'This session is too large for a link: remove some edits or probes, or export it as JSON.',
    );
  const deflated = await pipe(json, new CompressionStream('deflate-raw'), Infinity);
  const out = new Uint8Array(deflated.length + 4);
  out.set(deflated);
  new DataView(out.buffer).setUint32(deflated.length, crc32(json));
  return `${LINK_VERSION}.${toBase64Url(out)}`;
}

/** `#s=v1.<payload>` for a session; the caller prefixes the page address. */
export async function encodeFragment(doc: SessionDoc): Promise<string> {
  return `#${FRAGMENT_KEY}=${await encodePayload(doc)}`;
}

/** The `s=` value inside a location hash (`#s=v1....`), or null when the hash holds no session. */
export function payloadFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  return params.get(FRAGMENT_KEY);
}

export async function decodePayload(payload: string): Promise<SessionDoc> {
  if (payload === '') throw new LinkError('missing', 'The link holds an empty session.');
  const dot = payload.indexOf('.');
  const version = dot < 0 ? '' : payload.slice(0, dot);
  if (!/^v\d{1,6}$/.test(version))
    throw new LinkError(
      'encoding',
      'The link does not start with a session version ("v1."); it may have been cut or edited.',
    );
  if (version !== LINK_VERSION)
    throw new LinkError(
      'version',
      `This link was made by a newer or older Editscope (session format ${version}); this page reads ${LINK_VERSION}.`,
    );
  const body = payload.slice(dot + 1);
  if (body.length > MAX_PAYLOAD_CHARS)
    throw new LinkError(
      'too-large',
      `The link is longer than ${MAX_PAYLOAD_CHARS} characters; sessions that big travel as JSON files.`,
    );
  const bytes = fromBase64Url(body);
  if (bytes.length < 5) throw new LinkError('damaged', 'The link is cut short: copy it again in full.');
  const deflated = bytes.subarray(0, bytes.length - 4);
  const expected = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0);
  let json: Uint8Array;
  try {
    json = await pipe(deflated, new DecompressionStream('deflate-raw'), MAX_JSON_BYTES);
  } catch (e) {
    if (e instanceof LinkError) throw e;
    throw new LinkError(
      'damaged',
      'The link is damaged (it does not unpack): it was probably cut short or changed. Copy it again in full.',
    );
  }
  if (crc32(json) !== expected)
    throw new LinkError(
      'damaged',
      'The link is damaged (its checksum does not match): it was probably cut short or changed.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw new LinkError('damaged', 'The link unpacks to something that is not a session.');
  }
  try {
    return validateSession(parsed);
  } catch (e) {
    if (e instanceof SessionSchemaError)
      throw new LinkError('schema', `The session in this link is invalid: ${e.message}`);
    throw e;
  }
}

/** Reads a session out of a location hash; null when the hash has none (then the default session opens). */
export async function decodeHash(hash: string): Promise<SessionDoc | null> {
  const payload = payloadFromHash(hash);
  return payload === null ? null : decodePayload(payload);
}
