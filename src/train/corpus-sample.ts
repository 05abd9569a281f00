// Token sequences from a corpus file as the model saw it in training: a "prompt<TAB>completion" line is
// prompt ⊕ completion ⊕ EOS (train-model's form), a plain line is cut into context-sized pieces. Lines are
// taken in a fixed shuffled order (seed 1) until `maxTokens`, so a sample smaller than the corpus still covers
// every part of it. Platform-free: `editscope rome-cov` and the worker's ROME statistics use it.

import type { TextTokenizer } from '../model/tokenizer.ts';
import { epochOrder } from './schedule.ts';

export function sampleSequences(
  text: string,
  tokenizer: TextTokenizer,
  maxT: number,
  maxTokens: number,
): number[][] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const eos = tokenizer.eosId === null ? [] : [tokenizer.eosId];
  const out: number[][] = [];
  let tokens = 0;
  for (const i of epochOrder(lines.length, 1, 0)) {
    if (tokens >= maxTokens) break;
    const line = lines[i];
    const tab = line.indexOf('\t');
    const ids =
      tab < 0
        ? tokenizer.encode(line)
        : [...tokenizer.encode(line.slice(0, tab)), ...tokenizer.encode(line.slice(tab + 1)), ...eos];
    for (let at = 0; at < ids.length && tokens < maxTokens; at += maxT) {
      const piece = ids.slice(at, Math.min(at + maxT, at + maxTokens - tokens));
      out.push(piece);
      tokens += piece.length;
    }
  }
  if (tokens === 0) throw new RangeError('The corpus holds no text: give a file with some lines.');
  return out;
}
