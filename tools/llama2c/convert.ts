// Converts a llama2.c model (legacy .bin + tokenizer .bin, e.g. karpathy's stories260K with tok512.bin) into a
// Hugging Face Llama folder: config.json, model.safetensors (F32, HF names, q/k permuted to rotate-half) and
// tokenizer.json (SentencePiece-style BPE built from the tokenizer's pieces and scores). Run:
//   npx tsx tools/llama2c/convert.ts --model ../shared/data/stories260k/stories260K.bin \
//     --tokenizer ../shared/data/stories260k/tok512.bin --out /tmp/stories260k

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ModelCheckpoint } from '../../src/model/checkpoint.ts';
import { writeModelCheckpointDir } from '../../src/model/checkpoint-node.ts';
import { validateLlamaConfig } from '../../src/model/llama-config.ts';
import { TextTokenizer } from '../../src/model/tokenizer.ts';
import { llama2cConfig, readLlama2cCheckpoint, readLlama2cTokenizer, toHfWeights } from './format.ts';
import { buildLlamaTokenizerJson } from './tokenizer-json.ts';

/** The converted checkpoint, in memory. */
export function convertLlama2c(
  model: Uint8Array,
  tokenizer: Uint8Array,
  names = { model: 'model.bin', tokenizer: 'tokenizer.bin' },
): ModelCheckpoint {
  const weights = readLlama2cCheckpoint(model, names.model);
  const config = validateLlamaConfig(llama2cConfig(weights.header), names.model);
  const vocab = readLlama2cTokenizer(tokenizer, weights.header.vocabSize, names.tokenizer);
  const json = JSON.stringify(buildLlamaTokenizerJson(vocab));
  return {
    config,
    weights: toHfWeights(weights),
    tokenizer: TextTokenizer.fromJson(json, `${names.tokenizer} (converted)`, config.vocabSize),
    dtype: 'F32',
  };
}

export async function convertLlama2cFiles(model: string, tokenizer: string, out: string): Promise<void> {
  const checkpoint = convertLlama2c(await readFile(model), await readFile(tokenizer), { model, tokenizer });
  await writeModelCheckpointDir(out, checkpoint);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, tokenizer: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.model || !values.tokenizer || !values.out) {
    console.error('usage: tools/llama2c/convert.ts --model MODEL.bin --tokenizer TOK.bin --out DIR');
    process.exitCode = 1;
  } else {
    await convertLlama2cFiles(values.model, values.tokenizer, values.out);
    console.log(`wrote ${values.out}/config.json, model.safetensors, tokenizer.json`);
  }
}
