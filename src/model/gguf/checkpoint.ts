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
import type { SourceTensor } from '../quant/load.ts';
import { GgufError, type ByteSource } from './reader.ts';

export interface GgufCheckpoint extends ModelCheckpoint {
  gguf: GgufModel;
}

/** A GGUF model checked and ready to stream: config, tokenizer and every tensor's name and shape verified. */
export interface OpenGgufCheckpoint extends Omit<ModelCheckpoint, 'weights'> {
  gguf: GgufModel;
  /**
   * The model's tensors in file order, one at a time, each in the format `formatOf(name)` asks for where that
   * costs no decoding (Q8_0 / Q4_0 repacked as q8_0 / q4_0), else f32 (finite-checked by the loader).
   */
  tensors(
    formatOf: (name: string) => string,
    onProgress?: (p: GgufProgress) => void,
  ): AsyncIterable<SourceTensor>;
}

/** Opens a GGUF model: header, config, tokenizer and the tensor table checked; nothing is decoded yet. */
export async function openGgufCheckpoint(
  source: ByteSource,
  fileName: string,
  options: OpenGgufOptions = {},
): Promise<OpenGgufCheckpoint> {
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
  const types = [...new Set(gguf.file.tensors.map((t) => t.typeName))].sort();
  async function* tensors(
    formatOf: (name: string) => string,
    onProgress?: (p: GgufProgress) => void,
  ): AsyncGenerator<SourceTensor> {
    const names = [...gguf.tensorInfo.keys()].filter((n) => wanted.has(n));
    const bytesTotal = names.reduce((a, n) => a + gguf.tensorInfo.get(n)!.byteLength, 0);
    let bytesDone = 0;
    for (const [i, name] of names.entries()) {
      const t = await gguf.tensorFor(name, formatOf(name));
      bytesDone += gguf.tensorInfo.get(name)!.byteLength;
      onProgress?.({ tensor: name, done: i + 1, total: names.length, bytesDone, bytesTotal });
      yield t;
    }
  }
  return { config, tokenizer, dtype: `GGUF ${types.join('/')}`, gguf, tensors };
}

/** Reads a GGUF model: header and checks first, then every tensor decoded to f32 one at a time (with progress). */
export async function readGgufCheckpoint(
  source: ByteSource,
  fileName: string,
  options: OpenGgufOptions & { onProgress?: (p: GgufProgress) => void } = {},
): Promise<GgufCheckpoint> {
  const open = await openGgufCheckpoint(source, fileName, options);
  const weights = new Map<string, Float32Array>();
  for await (const t of open.tensors(() => 'f32', options.onProgress)) {
    const data = t.data as Float32Array; // 'f32' asks for decoded values
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw new GgufError(fileName, `tensor ${t.name} holds a non-finite value at ${i}.`);
    }
    weights.set(t.name, data);
  }
  const { tensors: _unused, ...rest } = open;
  return { ...rest, weights };
}
