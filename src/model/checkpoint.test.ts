import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCheckpoint, serializeCheckpoint } from './checkpoint.ts';
import { readCheckpointDir, writeCheckpointDir } from './checkpoint-node.ts';
import { GPT2_PRESETS } from './config.ts';
import { ConfigError, MissingFileError, ModelFileError, TokenizerError, WeightsError } from './errors.ts';
import { parseSafetensors } from './safetensors.ts';
import { tinyCheckpoint, tinyTokenizerJson } from './testing.ts';

const tiny = GPT2_PRESETS.tiny;
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'editscope-ckpt-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function errorOf(f: () => unknown): ModelFileError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFileError);
    return e as ModelFileError;
  }
  throw new Error('expected a ModelFileError');
}

describe('serializeCheckpoint / parseCheckpoint', () => {
  const original = tinyCheckpoint(tiny, 7);

  it('round-trips F32 weights exactly, with config and tokenizer', () => {
    const files = serializeCheckpoint(original);
    const back = parseCheckpoint(files, 'memory');
    expect(back.config).toEqual(tiny);
    expect([...back.weights.keys()]).toEqual([...original.weights.keys()]);
    for (const [name, data] of original.weights) expect(back.weights.get(name), name).toEqual(data);
    expect(back.tokenizer.encode('the end.')).toEqual(original.tokenizer.encode('the end.'));
    expect(JSON.parse(files.config).eos_token_id).toBe(63);
    // Prefix-free names in canonical order, as openai-community/gpt2 stores them; no lm_head (tied).
    const names = [...parseSafetensors(files.safetensors, 'x').tensors.keys()];
    expect(names[0]).toBe('wte.weight');
    expect(names).not.toContain('lm_head.weight');
  });

  it('writes F16 at half the size, within binary16 rounding', () => {
    const f32 = serializeCheckpoint(original);
    const f16 = serializeCheckpoint(original, { dtype: 'F16' });
    const dataBytes = (b: Uint8Array) =>
      [...parseSafetensors(b, 'x').tensors.values()].reduce((s, t) => s + t.byteLength, 0);
    expect(dataBytes(f16.safetensors) * 2).toBe(dataBytes(f32.safetensors));
    const back = parseCheckpoint(f16, 'memory');
    for (const [name, data] of original.weights) {
      const got = back.weights.get(name)!;
      data.forEach((x, i) =>
        expect(Math.abs(got[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25),
      );
    }
  });

  it('checks the config first, then the tokenizer, then the weights, naming each file', () => {
    const files = serializeCheckpoint(original);
    const llama = errorOf(() =>
      parseCheckpoint(
        { ...files, config: '{"model_type": "llama"}', safetensors: new Uint8Array(3) },
        'repo/',
      ),
    );
    expect(llama).toBeInstanceOf(ConfigError);
    expect(llama.message).toBe(
      'repo/config.json: this is a llama model, not GPT-2; Editscope runs GPT-2 checkpoints only.',
    );

    const tok = errorOf(() => parseCheckpoint({ ...files, tokenizer: tinyTokenizerJson(67) }, 'repo'));
    expect(tok).toBeInstanceOf(TokenizerError);
    expect(tok.file).toBe('repo/tokenizer.json');

    const other = serializeCheckpoint(tinyCheckpoint({ ...tiny, nLayer: 1 }));
    const weights = errorOf(() => parseCheckpoint({ ...files, safetensors: other.safetensors }, 'repo'));
    expect(weights).toBeInstanceOf(WeightsError);
    expect(weights.message).toMatch(/^repo\/model.safetensors: is missing tensors h.1.ln_1.weight/);
  });

  it('refuses to write weights that do not fit the config', () => {
    const broken = { ...original, weights: new Map(original.weights) };
    broken.weights.delete('wpe.weight');
    expect(errorOf(() => serializeCheckpoint(broken)).problem).toMatch(
      /wpe.weight should hold 512 values, got none/,
    );
  });
});

describe('checkpoint folders', () => {
  it('writes and reads back a folder in the Hugging Face layout', async () => {
    const dir = join(await tempDir(), 'nested', 'ckpt');
    const original = tinyCheckpoint(tiny, 11);
    await writeCheckpointDir(dir, original);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    const back = await readCheckpointDir(dir);
    expect(back.config).toEqual(tiny);
    for (const [name, data] of original.weights) expect(back.weights.get(name)).toEqual(data);
  });

  it('names a missing file and suggests what to do', async () => {
    const dir = await tempDir();
    await writeCheckpointDir(dir, tinyCheckpoint(tiny));
    await rm(join(dir, 'tokenizer.json'));
    await expect(readCheckpointDir(dir)).rejects.toThrow(
      new MissingFileError(
        join(dir, 'tokenizer.json'),
        'not found: a checkpoint folder needs config.json, model.safetensors, tokenizer.json.',
      ),
    );
    await rm(join(dir, 'model.safetensors'));
    await writeFile(join(dir, 'pytorch_model.bin'), 'pickle');
    const error = await readCheckpointDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingFileError);
    expect((error as MissingFileError).file).toBe(join(dir, 'model.safetensors'));
    expect((error as MissingFileError).problem).toMatch(/pytorch_model.bin.*safe_serialization=True/);
    expect(existsSync(join(dir, 'config.json'))).toBe(true);
  });
});
