// ROME's context templates, as its released code makes them (rome_main.py get_context_templates): short texts the
// model itself samples after <|endoftext|>, each used as "<prefix>. <prompt>", so the key k̄ is averaged over
// in-distribution contexts. Ours: distinct samples only (a repeated prefix adds no context), and spread seeds —
// the engine's sampler draws its first uniform from an LCG of the seed, so seeds 1, 2, 3… give nearly the same
// first token (the shipped ROME got "Argon." in six of ten contexts on the fact-world model).
// Also where ROME edits (rome-site.json next to the model: the layer and key position a causal trace chose).

import type { LanguageModel } from '../model/language-model.ts';
import type { TextTokenizer } from '../model/tokenizer.ts';
import { EditorWeightsError } from './types.ts';

/** Up to `count` distinct prefixes of at most `tokens` tokens, sampled at temperature 1 after EOS. */
export async function sampleContextPrefixes(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  count: number,
  tokens: number,
): Promise<string[]> {
  const eos = tokenizer.eosId;
  // No EOS to start from: the released code's generic starts (AlphaEdit/MEMIT's get_context_templates).
  if (eos === null) return ['The', 'Therefore', 'Because', 'I', 'You'].slice(0, count);
  const texts = new Set<string>();
  for (let attempt = 1; texts.size < count && attempt <= 5 * count; attempt++) {
    const seed = Math.imul(attempt, 0x9e3779b9) >>> 0 || 1;
    const ids = await model.generate([eos], tokens, { temperature: 1, seed, stopId: eos });
    const text = tokenizer
      .decode(ids)
      .replace(/[{}\n]/g, ' ')
      .trim()
      .replace(/[.\s]+$/, ''); // "<prefix>. <prompt>" adds its own full stop
    if (text !== '') texts.add(text);
  }
  return [...texts];
}

export type KeyToken = 'subject_last' | 'last';

/** Where ROME reads its key and adds δ: a block and a token position (ROME's fact_token). */
export interface RomeSite {
  layer: number;
  keyToken: KeyToken;
  /** How the site was chosen ("causal trace: …", "default: middle block"), shown with the edit. */
  source: string;
}

export const ROME_SITE_FILE = 'rome-site.json';

/** Reads rome-site.json ({layer, keyToken, source}); a malformed file is an EditorWeightsError naming the field. */
export function parseRomeSite(bytes: Uint8Array, nLayer: number): RomeSite {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new EditorWeightsError(
      `${ROME_SITE_FILE} is not JSON: delete it or write {"layer": 1, "keyToken": "last"}.`,
    );
  }
  const o = (json ?? {}) as Record<string, unknown>;
  const layer = o.layer;
  if (typeof layer !== 'number' || !Number.isInteger(layer) || layer < 0 || layer >= nLayer)
    throw new EditorWeightsError(
      `${ROME_SITE_FILE}: "layer" must be a block from 0 to ${nLayer - 1}; got ${JSON.stringify(layer)}.`,
    );
  const keyToken = o.keyToken ?? 'subject_last';
  if (keyToken !== 'subject_last' && keyToken !== 'last')
    throw new EditorWeightsError(
      `${ROME_SITE_FILE}: "keyToken" must be "subject_last" or "last"; got ${JSON.stringify(keyToken)}.`,
    );
  const source =
    typeof o.source === 'string' && o.source.trim() !== '' ? o.source.slice(0, 300) : ROME_SITE_FILE;
  return { layer, keyToken, source };
}
