// Test fixtures for model files (no vitest import, so engine tests can use them too): a deterministic small
// checkpoint with a byte-level BPE tokenizer of exactly `vocabSize` tokens.

import { uniformArray } from '../util/random.ts';
import type { Gpt2Config } from './config.ts';
import type { Gpt2Checkpoint } from './checkpoint.ts';
import { gpt2ParameterShapes } from './gpt2-layout.ts';
import { buildGpt2TokenizerJson, GPT2_EOS_TOKEN } from './gpt2-tokenizer.ts';
import { TextTokenizer } from './tokenizer.ts';

/** Deterministic values in [-scale, scale) (mulberry32). */
export const seededRandom = uniformArray;

/** GPT-2-like random weights: LayerNorm gains near 1, everything else small. */
export function randomGpt2Weights(config: Gpt2Config, seed = 1): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  gpt2ParameterShapes(config).forEach(({ name, shape }, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = seededRandom(n, seed * 1000 + i, 0.1);
    if (/ln_.*\.weight$/.test(name)) for (let j = 0; j < n; j++) data[j] += 1;
    weights.set(name, data);
  });
  return weights;
}

/**
 * A GPT-2-style tokenizer.json with exactly `vocabSize` (31 to 67) tokens: lowercase letters, space as 'Ġ', '.',
 * ',', '!', then merges 'Ġ'+letter and a few common pairs, and <|endoftext|> last. Text outside that alphabet
 * is dropped, as a BPE without unk token does.
 */
export function tinyTokenizerJson(vocabSize: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const base = [...letters, 'Ġ', '.', ',', '!'];
  const merges: [string, string][] = [
    ...letters.map((l): [string, string] => ['Ġ', l]),
    ...['th', 'he', 'in', 'er', 'an', 're', 'on', 'at', 'en', 'nd'].map((p): [string, string] => [
      p[0],
      p[1],
    ]),
  ];
  const room = vocabSize - base.length - 1;
  if (room < 0 || room > merges.length)
    throw new RangeError(
      `tinyTokenizerJson supports ${base.length + 1}..${base.length + 1 + merges.length} tokens.`,
    );
  const used = merges.slice(0, room);
  const tokens = [...base, ...used.map(([a, b]) => a + b), GPT2_EOS_TOKEN];
  const encoder = Object.fromEntries(tokens.map((t, id) => [t, id]));
  return JSON.stringify(buildGpt2TokenizerJson({ encoder, merges: used.map((m) => m.join(' ')).join('\n') }));
}

/** A complete checkpoint for `config` (tokenizer sized to vocabSize), e.g. GPT2_PRESETS.tiny. */
export function tinyCheckpoint(config: Gpt2Config, seed = 1): Gpt2Checkpoint {
  return {
    config: { ...config },
    weights: randomGpt2Weights(config, seed),
    tokenizer: TextTokenizer.fromJson(
      tinyTokenizerJson(config.vocabSize),
      'tiny tokenizer.json',
      config.vocabSize,
    ),
  };
}
