import { describe, expect, it } from 'vitest';
import { defaultSession } from '../model/default-session.ts';
import {
  crc32,
  decodeHash,
  decodePayload,
  encodeFragment,
  encodePayload,
  fromBase64Url,
  LinkError,
  MAX_JSON_BYTES,
  toBase64Url,
  type LinkProblem,
} from './codec.ts';
import { METHOD_NAMES, validateSession, type SessionDoc } from './schema.ts';

async function problemOf(p: Promise<unknown>): Promise<LinkProblem | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof LinkError) return e.problem;
    throw e;
  }
}

/** Raw deflate of arbitrary JSON text plus its CRC, bypassing the encoder's validation (a forged link). */
async function forge(json: string): Promise<string> {
  const bytes = new TextEncoder().encode(json);
  const deflated = new Uint8Array(
    await new Response(
      new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate-raw')),
    ).arrayBuffer(),
  );
  const out = new Uint8Array(deflated.length + 4);
  out.set(deflated);
  new DataView(out.buffer).setUint32(deflated.length, crc32(bytes));
  return `v1.${toBase64Url(out)}`;
}

const richSession = (): SessionDoc => ({
  ...defaultSession(),
  model: { kind: 'hub', repoId: 'openai-community/gpt2', revision: 'main' },
  edits: [
    {
      prompt: 'The capital of France is',
      subject: 'France',
      target: ' Rome',
      method: 'ft',
      settings: { steps: 25, lr: 0.01, epsilon: 0.05, layer: 3 },
      gen: ['a'],
      loc: [],
    },
    {
      prompt: 'Die Hauptstadt von Österreich ist',
      subject: 'Österreich',
      target: ' Prag 🏰',
      method: 'ibke',
      settings: { stepScale: 1.5 },
      gen: [],
      loc: ['日本の首都は'],
    },
  ],
  seed: 2147483647,
});

describe('permalink codec', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('base64url round-trips every byte value without padding or URL-unsafe characters', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = toBase64Url(bytes);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...fromBase64Url(s)]).toEqual([...bytes]);
  });

  it('round-trips the default session and a rich one (unicode, every method, every setting)', async () => {
    for (const doc of [defaultSession(), richSession()]) {
      const fragment = await encodeFragment(doc);
      expect(fragment).toMatch(/^#s=v1\.[A-Za-z0-9_-]+$/);
      expect(await decodeHash(fragment)).toEqual(doc);
    }
  });

  it('replays a link naming any offered method, and names an unknown one in its sentence', async () => {
    for (const method of METHOD_NAMES) {
      const doc = defaultSession();
      doc.edits[0].method = method;
      doc.draft.method = method;
      expect(await decodeHash(await encodeFragment(doc))).toEqual(doc);
    }
    expect(METHOD_NAMES).toContain('ultraedit');
    const withdrawn = { ...defaultSession(), edits: [{ ...defaultSession().edits[0], method: 'alphaedit' }] };
    expect(() => validateSession(withdrawn)).toThrow(
      'edits[0].method names the method "alphaedit", which this page does not offer (it offers ibke, mend, rome, ft, ultraedit).',
    );
  });

  it('compresses: the default session link is much shorter than its JSON', async () => {
    const json = JSON.stringify(defaultSession());
    expect((await encodePayload(defaultSession())).length).toBeLessThan(json.length * 0.8);
  });

  it('a hash without a session yields null (the default session opens)', async () => {
    expect(await decodeHash('')).toBeNull();
    expect(await decodeHash('#other=1')).toBeNull();
  });

  it('rejects every truncation of a link', async () => {
    const payload = await encodePayload(richSession());
    for (let len = 0; len < payload.length; len++) {
      const problem = await problemOf(decodePayload(payload.slice(0, len)));
      expect(problem, `cut at ${len}`).not.toBe('ok');
    }
  });

  it('rejects every single flipped bit of the payload bytes, except unused padding bits', async () => {
    const payload = await encodePayload(defaultSession());
    const bytes = fromBase64Url(payload.slice(3));
    let harmless = 0;
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const link = `v1.${toBase64Url(flipped)}`;
      const problem = await problemOf(decodePayload(link));
      if (problem === 'ok') {
        // Only the deflate stream's unused trailing bits can flip without effect: same session, same checksum.
        expect(await decodePayload(link), `bit ${bit}`).toEqual(defaultSession());
        expect(bit >> 3, `bit ${bit}`).toBe(bytes.length - 5);
        harmless++;
      } else expect(['damaged', 'too-large'], `bit ${bit}`).toContain(problem);
    }
    expect(harmless).toBeLessThan(8);
  });

  it('rejects a changed character and characters outside base64url', async () => {
    const payload = await encodePayload(defaultSession());
    const i = Math.floor(payload.length / 2);
    const changed = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    expect(await problemOf(decodePayload(changed))).toBe('damaged');
    expect(await problemOf(decodePayload(payload + '<'))).toBe('encoding');
    expect(await problemOf(decodePayload('v1.abc%3Cscript'))).toBe('encoding');
  });

  it('names wrong and future versions', async () => {
    const body = (await encodePayload(defaultSession())).slice(3);
    expect(await problemOf(decodePayload(`v2.${body}`))).toBe('version');
    expect(await problemOf(decodePayload(`v0.${body}`))).toBe('version');
    expect(await problemOf(decodePayload(body))).toBe('encoding');
    await expect(decodePayload(`v2.${body}`)).rejects.toThrow(/newer or older/);
    // A well-formed v1 link whose JSON claims another version is a schema problem.
    expect(await problemOf(decodePayload(await forge(JSON.stringify({ ...defaultSession(), v: 2 }))))).toBe(
      'schema',
    );
  });

  it('refuses oversized links and deflate bombs before unpacking them whole', async () => {
    expect(await problemOf(decodePayload(`v1.${'A'.repeat(30_000)}`))).toBe('too-large');
    const bomb = await forge(JSON.stringify({ ...defaultSession(), pad: ' '.repeat(MAX_JSON_BYTES * 4) }));
    expect(bomb.length).toBeLessThan(2000);
    expect(await problemOf(decodePayload(bomb))).toBe('too-large');
    const big = defaultSession();
    big.edits = Array.from({ length: 40 }, () => big.edits[0]);
    await expect(encodePayload(big)).rejects.toThrow(/more than 32/);
  });

  it('keeps hostile text as inert text and refuses hostile structure', async () => {
    const markup = '<img src=x onerror=alert(1)><script>alert(1)</script>';
    const doc = defaultSession();
    doc.draft.prompt = markup;
    doc.probes.gen = [markup, '"}); alert(1); //'];
    expect(await decodeHash(await encodeFragment(doc))).toEqual(doc);

    const hostile: [string, unknown][] = [
      ['method name', { ...defaultSession(), draft: { ...defaultSession().draft, method: '<script>' } }],
      [
        '__proto__ key',
        JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(defaultSession()).slice(1)}`),
      ],
      ['extra field', { ...defaultSession(), html: '<b>' }],
      ['control char', { ...defaultSession(), probes: { gen: ['a\u0000b'], loc: [] } }],
      ['bidi override', { ...defaultSession(), probes: { gen: ['abc\u202Edef'], loc: [] } }],
      ['long text', { ...defaultSession(), probes: { gen: ['x'.repeat(301)], loc: [] } }],
      [
        'hub endpoint',
        { ...defaultSession(), model: { kind: 'hub', repoId: 'gpt2', endpoint: 'https://evil.example' } },
      ],
      ['bad repo id', { ...defaultSession(), model: { kind: 'hub', repoId: '../../etc/passwd' } }],
      [
        'javascript: label',
        { ...defaultSession(), model: { kind: 'embedded', name: 'javascript:alert(1)' } },
      ],
      [
        'NaN-ish setting',
        { ...defaultSession(), draft: { ...defaultSession().draft, settings: { lr: '1e9' } } },
      ],
      [
        'negative steps',
        { ...defaultSession(), draft: { ...defaultSession().draft, settings: { steps: -1 } } },
      ],
      ['edits not a list', { ...defaultSession(), edits: { 0: 1 } }],
      ['seed fraction', { ...defaultSession(), seed: 0.5 }],
      ['array at top', [defaultSession()]],
      ['null', null],
    ];
    for (const [what, value] of hostile) {
      const problem = await problemOf(decodePayload(await forge(JSON.stringify(value))));
      expect(problem, what).toBe('schema');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects text that is not JSON and bytes that are not UTF-8', async () => {
    expect(await problemOf(decodePayload(await forge('not json')))).toBe('damaged');
    const bad = new Uint8Array([0xff, 0xfe, 0x7b]);
    const deflated = new Uint8Array(
      await new Response(
        new Blob([bad]).stream().pipeThrough(new CompressionStream('deflate-raw')),
      ).arrayBuffer(),
    );
    const out = new Uint8Array(deflated.length + 4);
    out.set(deflated);
    new DataView(out.buffer).setUint32(deflated.length, crc32(bad));
    expect(await problemOf(decodePayload(`v1.${toBase64Url(out)}`))).toBe('damaged');
  });
});
