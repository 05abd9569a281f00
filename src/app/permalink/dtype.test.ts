// The weight format in a link (model.dtype): every offered dtype round-trips for every model kind, a link made
// before dtypes existed (no field) means f32 and is read unchanged, f32 is never written (so such links keep
// their exact text), and an unknown dtype is refused with a sentence naming it, as unknown methods are.

import { describe, expect, it } from 'vitest';
import { defaultSession } from '../model/default-session.ts';
import { crc32, decodeHash, decodePayload, encodeFragment, LinkError, toBase64Url } from './codec.ts';
import { modelDtype, validateSession, WEIGHT_DTYPES, withDtype, type SessionModel } from './schema.ts';

/** A link whose JSON is `json` exactly (the encoder's validation bypassed). */
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

const MODELS: SessionModel[] = [
  { kind: 'embedded', name: 'fact-world' },
  { kind: 'hub', repoId: 'openai-community/gpt2', revision: 'main' },
  { kind: 'hub', repoId: 'Qwen/Qwen3-0.6B' },
  { kind: 'hub', repoId: 'Qwen/Qwen3-1.7B-GGUF', file: 'Qwen3-1.7B-Q8_0.gguf' },
  { kind: 'local', label: 'my-gpt2' },
];

describe('model.dtype in links', () => {
  it('round-trips every dtype for every model kind', async () => {
    for (const model of MODELS)
      for (const dtype of WEIGHT_DTYPES) {
        const doc = { ...defaultSession(), model: withDtype(model, dtype) };
        const back = await decodeHash(await encodeFragment(doc));
        expect(back, `${model.kind} ${dtype}`).toEqual(doc);
        expect(modelDtype(back!.model)).toBe(dtype);
      }
  });

  it('an old link without a dtype means f32, and f32 is never written', async () => {
    const old = defaultSession();
    expect(Object.keys(old.model)).not.toContain('dtype');
    const back = await decodeHash(await encodeFragment(old));
    expect(modelDtype(back!.model)).toBe('f32');
    expect(back).toEqual(old);
    // A link that spells f32 out reads as one that does not: the same session, the same canonical model.
    const spelled = await decodePayload(
      await forge(JSON.stringify({ ...old, model: { ...old.model, dtype: 'f32' } })),
    );
    expect(JSON.stringify(spelled.model)).toBe(JSON.stringify(old.model));
    // withDtype writes the validator's canonical form (same keys, same order), so comparisons by JSON hold.
    const picked = withDtype({ kind: 'embedded', name: 'fact-world', dtype: 'int4' }, 'int8');
    const validated = validateSession({
      ...old,
      model: { dtype: 'int8', name: 'fact-world', kind: 'embedded' },
    });
    expect(JSON.stringify(picked)).toBe(JSON.stringify(validated.model));
  });

  it('refuses an unknown dtype with a sentence naming it', async () => {
    for (const [dtype, message] of [
      [
        'int3',
        'model.dtype names the weight format "int3", which this page does not offer (it offers f32, f16, int8, int4).',
      ],
      [
        'Q4_K_M',
        'model.dtype names the weight format "Q4_K_M", which this page does not offer (it offers f32, f16, int8, int4).',
      ],
      [8, 'model.dtype should be one of f32, f16, int8, int4.'],
      [null, 'model.dtype should be one of f32, f16, int8, int4.'],
    ] as const) {
      const link = await forge(
        JSON.stringify({ ...defaultSession(), model: { kind: 'embedded', name: 'fact-world', dtype } }),
      );
      const e = await decodePayload(link).catch((x: unknown) => x);
      expect(e, String(dtype)).toBeInstanceOf(LinkError);
      expect((e as LinkError).problem).toBe('schema');
      expect((e as LinkError).message).toContain(message);
    }
  });

  it('a hub model may name one GGUF file of the repo; anything else in that field is refused', async () => {
    const base = defaultSession();
    for (const file of ['../secrets.gguf', 'a/./b.gguf', 'model.safetensors', '/abs.gguf', 'a//b.gguf', 7]) {
      const link = await forge(JSON.stringify({ ...base, model: { kind: 'hub', repoId: 'o/r', file } }));
      await expect(decodePayload(link), String(file)).rejects.toThrow(
        /model\.file (is not the name of a \.gguf file|should be text)/,
      );
    }
  });
});
