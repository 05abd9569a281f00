// Sharded Llama-family checkpoints: round trips in F32/F16/BF16, and every kind of bad input named in issue 9
// (a missing shard, an index naming a file or tensor that is not there, mismatched shapes, a tokenizer that
// does not fit) as a typed error naming the file.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModelCheckpoint, serializeModelCheckpoint, type CheckpointFiles } from './checkpoint.ts';
import { readModelCheckpointDir, writeModelCheckpointDir } from './checkpoint-node.ts';
import { SHARD_INDEX_FILE } from './checkpoint-shards.ts';
import {
  MissingFileError,
  ModelFileError,
  SafetensorsError,
  TokenizerError,
  WeightsError,
} from './errors.ts';
import { llamaParameterShapes } from './llama-layout.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from './llama-testing.ts';
import { serializeSafetensors } from './safetensors.ts';
import { tinyTokenizerJson } from './testing.ts';

const config = tinyQwen3Config();
const original = tinyLlamaCheckpoint(config, 3);
const SHARD = 4096; // bytes: the tiny model (about 20 KB in F32) splits into several shards

const dirs: string[] = [];
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

function sharded(): CheckpointFiles & { shards: NonNullable<CheckpointFiles['shards']> } {
  const files = serializeModelCheckpoint(original, { maxShardBytes: SHARD });
  return { ...files, shards: { index: files.shards!.index, shards: new Map(files.shards!.shards) } };
}

describe('sharded checkpoints', () => {
  it('round-trips a tiny Qwen3 through several shards exactly (F32), and within rounding (F16)', () => {
    const files = sharded();
    expect(files.safetensors).toBeUndefined();
    expect(files.shards.shards.size).toBeGreaterThan(3);
    expect([...files.shards.shards.keys()][0]).toMatch(/^model-00001-of-000\d\d\.safetensors$/);
    const back = parseModelCheckpoint(files, 'repo');
    expect(back.config).toEqual({ ...config, dtype: 'float32' });
    expect(back.dtype).toBe('F32');
    expect([...back.weights.keys()]).toEqual([...original.weights.keys()]);
    for (const [name, data] of original.weights) expect(back.weights.get(name), name).toEqual(data);
    expect(back.weights.has('lm_head.weight')).toBe(false); // tied

    const f16 = parseModelCheckpoint(
      serializeModelCheckpoint(original, { dtype: 'F16', maxShardBytes: SHARD }),
      'r',
    );
    expect(f16.dtype).toBe('F16');
    const w = original.weights.get('model.layers.1.mlp.down_proj.weight')!;
    const got = f16.weights.get('model.layers.1.mlp.down_proj.weight')!;
    w.forEach((x, i) => expect(Math.abs(got[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25));
  });

  it('reads BF16 shards (the dtype Qwen3 ships in)', () => {
    const files = sharded();
    // Rewrite every shard in BF16 by hand (serializeSafetensors writes F32/F16 only).
    for (const [name, bytes] of files.shards.shards) {
      const header = JSON.parse(
        new TextDecoder().decode(
          bytes.subarray(8, 8 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true)),
        ),
      );
      const tensors = Object.keys(header).filter((k) => k !== '__metadata__');
      const json: Record<string, unknown> = {};
      const parts: Uint8Array[] = [];
      let at = 0;
      for (const t of tensors) {
        const data = original.weights.get(t)!;
        const half = encodeBf16(data);
        json[t] = { dtype: 'BF16', shape: header[t].shape, data_offsets: [at, at + half.byteLength] };
        parts.push(new Uint8Array(half.buffer, half.byteOffset, half.byteLength));
        at += half.byteLength;
      }
      const head = new TextEncoder().encode(JSON.stringify(json));
      const out = new Uint8Array(8 + head.length + at);
      new DataView(out.buffer).setUint32(0, head.length, true);
      out.set(head, 8);
      let p = 8 + head.length;
      for (const part of parts) {
        out.set(part, p);
        p += part.length;
      }
      files.shards.shards.set(name, out);
    }
    const back = parseModelCheckpoint(files, 'repo');
    expect(back.dtype).toBe('BF16');
    const w = original.weights.get('model.embed_tokens.weight')!;
    const got = back.weights.get('model.embed_tokens.weight')!;
    w.forEach((x, i) => expect(Math.abs(got[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -8));
  });

  it('writes a sharded folder and reads it back; names a missing shard', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'editscope-shards-'));
    dirs.push(dir);
    await writeModelCheckpointDir(dir, original, { maxShardBytes: SHARD });
    const listing = await readdir(dir);
    expect(listing).toContain(SHARD_INDEX_FILE);
    expect(listing).not.toContain('model.safetensors');
    const back = await readModelCheckpointDir(dir);
    expect(back.weights.get('model.norm.weight')).toEqual(original.weights.get('model.norm.weight'));

    const victim = listing.find((f) => f.startsWith('model-00002'))!;
    await rm(join(dir, victim));
    const error = await readModelCheckpointDir(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingFileError);
    expect((error as MissingFileError).file).toBe(join(dir, victim));
    expect((error as MissingFileError).problem).toMatch(/names this shard. Download every shard/);
  });

  it('names a missing shard, a tensor the index promises, a stray tensor and a hostile shard name', () => {
    const files = sharded();
    const [first, second] = [...files.shards.shards.keys()];
    const noShard = new Map(files.shards.shards);
    noShard.delete(second);
    const missing = errorOf(() =>
      parseModelCheckpoint({ ...files, shards: { ...files.shards, shards: noShard } }, 'repo'),
    );
    expect(missing).toBeInstanceOf(MissingFileError);
    expect(missing.file).toBe(`repo/${second}`);

    const index = JSON.parse(files.shards.index);
    const promised = {
      ...index,
      weight_map: { ...index.weight_map, 'model.layers.9.mlp.up_proj.weight': first },
    };
    const notThere = errorOf(() =>
      parseModelCheckpoint(
        { ...files, shards: { ...files.shards, index: JSON.stringify(promised) } },
        'repo',
      ),
    );
    expect(notThere).toBeInstanceOf(WeightsError);
    expect(notThere.message).toMatch(
      new RegExp(
        `^repo/${first}: does not hold tensor model.layers.9.mlp.up_proj.weight, which ${SHARD_INDEX_FILE} says is there`,
      ),
    );

    // Move one tensor of a shard that holds several to another shard that stays named.
    const renamed = { ...index, weight_map: { ...index.weight_map } };
    const entries = Object.entries(renamed.weight_map as Record<string, string>);
    const crowded = entries.find(([, f]) => entries.filter(([, g]) => g === f).length > 1)![1];
    const moved = entries.find(([, f]) => f === crowded)![0];
    const elsewhere = entries.find(([, f]) => f !== crowded)![1];
    renamed.weight_map[moved] = elsewhere;
    const stray = errorOf(() =>
      parseModelCheckpoint({ ...files, shards: { ...files.shards, index: JSON.stringify(renamed) } }, 'repo'),
    );
    expect(stray).toBeInstanceOf(WeightsError);
    expect(stray.message).toBe(
      `repo/${crowded}: holds tensor ${moved}, which ${SHARD_INDEX_FILE} puts in ${elsewhere}; the index and the shards do not belong together.`,
    );

    const hostile = { weight_map: { 'model.norm.weight': '../../etc/passwd.safetensors' } };
    const bad = errorOf(() =>
      parseModelCheckpoint({ ...files, shards: { ...files.shards, index: JSON.stringify(hostile) } }, 'repo'),
    );
    expect(bad.message).toMatch(
      /^repo\/model.safetensors.index.json: maps tensor "model.norm.weight" to .* not a .safetensors file name/,
    );
    expect(
      errorOf(() =>
        parseModelCheckpoint({ ...files, shards: { ...files.shards, index: '{"weight_map": 3}' } }, 'r'),
      ).problem,
    ).toMatch(/no weight_map object/);
    expect(
      errorOf(() => parseModelCheckpoint({ ...files, shards: { ...files.shards, index: '{' } }, 'r')).problem,
    ).toMatch(/not valid JSON/);
  });

  it('names a misshapen tensor, a damaged shard, a missing parameter and a tokenizer that does not fit', () => {
    const files = sharded();
    const [first] = [...files.shards.shards.keys()];
    const index = JSON.parse(files.shards.index);
    const names = Object.keys(index.weight_map).filter((t) => index.weight_map[t] === first);
    // The first shard again, with its first tensor transposed.
    const tensors = names.map((name, i) => {
      const data = original.weights.get(name)!;
      const shape = [...shapes.get(name)!];
      return { name, shape: i === 0 && shape.length === 2 ? [shape[1], shape[0]] : shape, data };
    });
    const misshapen = new Map(files.shards.shards).set(first, serializeSafetensors(tensors));
    const shape = errorOf(() =>
      parseModelCheckpoint({ ...files, shards: { ...files.shards, shards: misshapen } }, 'repo'),
    );
    expect(shape).toBeInstanceOf(WeightsError);
    expect(shape.message).toMatch(
      new RegExp(
        `^repo/${first}: tensor model.embed_tokens.weight has shape \\[24, 48\\], expected \\[48, 24\\]`,
      ),
    );

    const truncated = new Map(files.shards.shards).set(
      first,
      files.shards.shards.get(first)!.subarray(0, 100),
    );
    expect(
      errorOf(() =>
        parseModelCheckpoint({ ...files, shards: { ...files.shards, shards: truncated } }, 'repo'),
      ),
    ).toBeInstanceOf(SafetensorsError);

    // An index and shards for a 1-layer model next to a 2-layer config.
    const smaller = serializeModelCheckpoint(tinyLlamaCheckpoint(tinyQwen3Config({ nLayer: 1 })), {
      maxShardBytes: SHARD,
    });
    const missing = errorOf(() => parseModelCheckpoint({ ...files, shards: smaller.shards }, 'repo'));
    expect(missing.message).toMatch(/^repo\/model.safetensors.index.json: is missing tensors model.layers.1/);

    const tok = errorOf(() => parseModelCheckpoint({ ...files, tokenizer: tinyTokenizerJson(60) }, 'repo'));
    expect(tok).toBeInstanceOf(TokenizerError);
    expect(tok.message).toBe(
      "repo/tokenizer.json: has 60 tokens but the model's vocab_size is 48: the tokenizer and the weights do not belong to the same model.",
    );
  });
});

/** bfloat16 bits of each value, rounded to nearest even. */
function encodeBf16(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  return Uint16Array.from(bits, (b) => (b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
}

const shapes = new Map(llamaParameterShapes(config).map((p) => [p.name, p.shape]));
