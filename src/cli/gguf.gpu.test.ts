// `editscope predict --model FILE.gguf --dtype int4`: the fact-world model written as GGUF (Q4_K and Q8_0 by the
// test writer) predicts what the safetensors folder predicts.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readCheckpointDir } from '../model/checkpoint-node.ts';
import { hfToGguf } from '../model/gguf/export.testing.ts';
import { GgmlType } from '../model/gguf/format.ts';
import { gpt2ParameterShapes } from '../model/gpt2-layout.ts';
import { main } from './main.ts';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await main(argv), out };
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

const DIR = 'public/models/fact-world';
const PROMPT = 'The capital of France is';

describe('editscope predict --model FILE.gguf', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a Q4_K/Q8_0 file loaded as int4 gives the top-1 of the safetensors folder', async () => {
    const ckpt = await readCheckpointDir(DIR);
    const config = JSON.parse(await readFile(join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
    const shapes = new Map(gpt2ParameterShapes(ckpt.config).map((p) => [p.name, p.shape]));
    const tensors = new Map([...ckpt.weights].map(([n, data]) => [n, { shape: shapes.get(n)!, data }]));
    const dir = mkdtempSync(join(tmpdir(), 'editscope-gguf-'));
    const top = async (model: string, extra: string[] = []) => {
      const r = await run([
        'predict',
        '--model',
        model,
        '--prompt',
        PROMPT,
        '--top-k',
        '3',
        '--json',
        ...extra,
      ]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.out) as { tokens: { token: string }[] }).tokens[0].token;
    };
    const want = await top(DIR);
    expect(want).toBe(' Paris');
    for (const [name, type] of [
      ['q8_0', GgmlType.Q8_0],
      ['q4_k', GgmlType.Q4_K],
    ] as const) {
      const file = join(dir, `fact-world-${name}.gguf`);
      // Q4_K needs rows of 256: the 128-wide layers fall back to F32 (as llama.cpp does), the 512-wide MLP output is Q4_K.
      writeFileSync(
        file,
        hfToGguf({ config, tensors, tokenizerJson: ckpt.tokenizer.json, type: () => type }),
      );
      expect(await top(file), name).toBe(want);
    }
    expect(await top(join(dir, 'fact-world-q8_0.gguf'), ['--dtype', 'int4'])).toBe(want);
    // int8: the Q8_0 tensors are repacked, not decoded, except GPT-2's transposed linears (the square
    // attention output among them, 128 x 128, which once slipped through untransposed).
    expect(await top(join(dir, 'fact-world-q8_0.gguf'), ['--dtype', 'int8'])).toBe(want);
    const bad = await run(['predict', '--model', join(dir, 'missing.gguf'), '--prompt', PROMPT]);
    expect(bad.code).toBe(1);
  });
});
