// A GGUF file as a ModelCheckpoint (config, f32 weights under the family's names, tokenizer), for the factory
// (src/model/factory.ts). Config and tokenizer go through the same parsers as an HF folder's files; the tensor
// table is checked against the architecture's parameter list (names and shapes) before any tensor is decoded,
// so a file that cannot make a whole model is refused before anything large is allocated.

import type { ModelCheckpoint } from '../checkpoint.ts';
import { parseModelConfig } from '../config.ts';
import { parameterShapes as gpt2ParameterShapes } from '../gpt2/dims.ts';
import { llamaDims, parameterShapes as llamaParameterShapes } from '../llama/dims.ts';
import { TextTokenizer } from '../tokenizer.ts';
import { openGguf, type GgufModel, type GgufProgress, type OpenGgufOptions } from './load.ts';
import { GgufError, type ByteSource } from './reader.ts';

export interface GgufCheckpoint extends ModelCheckpoint {
  gguf: GgufModel;
}

/** Reads a GGUF model: header and checks first, then every tensor decoded one at a time (with progress). */
export async function readGgufCheckpoint(
  source: ByteSource,
  fileName: string,
  options: OpenGgufOptions & { onProgress?: (p: GgufProgress) => void } = {},
): Promise<GgufCheckpoint> {
  const gguf = await openGguf(source, fileName, options);
  const config = parseModelConfig(JSON.stringify(gguf.config), `${fileName} (metadata)`);
  const tokenizer = TextTokenizer.fromJson(
    gguf.tokenizerJson,
    options.tokenizerJson ? 'tokenizer.json' : `${fileName} (tokenizer.ggml.*)`,
    config.vocabSize,
  );
  const expected =
    config.architecture === 'gpt2' ? gpt2ParameterShapes(config) : llamaParameterShapes(llamaDims(config));
  const wanted = new Set(expected.map(([n]) => n));
  for (const [name, shape] of expected) {
    const got = gguf.shapes.get(name);
    if (!got)
      throw new GgufError(fileName, `has no tensor for ${name}, which a ${config.architecture} model needs.`);
    if (got.join(',') !== shape.join(',')) {
      throw new GgufError(
        fileName,
        `has ${name} of shape [${got.join(', ')}]; the metadata implies [${shape.join(', ')}].`,
      );
    }
  }
  for (const name of gguf.shapes.keys()) {
    // A tied head may still be stored (some converters write output.weight anyway): ignore it only then.
    if (!wanted.has(name) && !(name === 'lm_head.weight' && gguf.config.tie_word_embeddings === false)) {
      throw new GgufError(
        fileName,
        `has tensor ${name}, which this ${config.architecture} model does not use.`,
      );
    }
  }
  const weights = new Map<string, Float32Array>();
  for await (const t of gguf.tensors(options.onProgress)) {
    if (!wanted.has(t.name)) continue;
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i]))
        throw new GgufError(fileName, `tensor ${t.name} holds a non-finite value at ${i}.`);
    }
    weights.set(t.name, t.data);
  }
  const types = [...new Set(gguf.file.tensors.map((t) => t.typeName))].sort();
  return { config, weights, tokenizer, dtype: `GGUF ${types.join('/')}`, gguf };
}
