// A GGUF file as the HF checkpoint it was converted from: config.json (from `{arch}.*` metadata), tokenizer.json
// (from tokenizer.ggml.*, or the repo's file when given) and the tensors under HF names, decoded one at a time so
// that peak CPU memory stays near one tensor. Everything that can be checked without decoding (architecture,
// config, tokenizer, every tensor's name and type) is checked in openGguf, before the caller allocates anything.

import { dequantize } from './dequant.ts';
import { LOADABLE_TYPES } from './format.ts';
import {
  ggufArchitecture,
  ggufConfig,
  hfTensorName,
  toHfTensor,
  type GgufArchitecture,
  type HfTensor,
} from './names.ts';
import { GgufError, readGgufHeader, type ByteSource, type GgufFile, type GgufTensorInfo } from './reader.ts';
import { ggufTokenizerJson } from './tokenizer.ts';

export interface GgufProgress {
  tensor: string;
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface GgufModel {
  file: GgufFile;
  arch: GgufArchitecture;
  /** config.json contents (HF field names). */
  config: Record<string, unknown>;
  /** tokenizer.json text. */
  tokenizerJson: string;
  /** HF name → GGUF tensor, in file order. */
  tensorInfo: Map<string, GgufTensorInfo>;
  /** HF name → PyTorch-order shape. */
  shapes: Map<string, number[]>;
  /** Decodes one tensor (F32 values in HF layout). */
  tensor(hfName: string): Promise<HfTensor>;
  /** Every tensor in file order, one at a time. */
  tensors(onProgress?: (p: GgufProgress) => void): AsyncGenerator<HfTensor>;
}

export interface OpenGgufOptions {
  /** The repo's tokenizer.json, used instead of the GGUF metadata (needed for SentencePiece vocabularies). */
  tokenizerJson?: string;
}

export async function openGguf(
  source: ByteSource,
  fileName: string,
  options: OpenGgufOptions = {},
): Promise<GgufModel> {
  const file = await readGgufHeader(source, fileName);
  const arch = ggufArchitecture(file);
  const tensorInfo = new Map<string, GgufTensorInfo>();
  const shapes = new Map<string, number[]>();
  for (const t of file.tensors) {
    if (!LOADABLE_TYPES.has(t.type)) {
      throw new GgufError(
        fileName,
        `tensor ${JSON.stringify(t.name)} is ${t.typeName}, which Editscope cannot decode; it reads F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K (Q4_K_M and Q8_0 files work).`,
      );
    }
    const hf = hfTensorName(arch, t.name);
    if (!hf)
      throw new GgufError(
        fileName,
        `has tensor ${JSON.stringify(t.name)}, which a ${arch} model does not have.`,
      );
    tensorInfo.set(hf, t);
    const shape = [...t.dims].reverse();
    // GPT-2's linear layers come back transposed to Conv1D's (in, out).
    if (arch === 'gpt2' && /^blk\.\d+\.(attn_qkv|attn_output|ffn_up|ffn_down)\.weight$/.test(t.name))
      shape.reverse();
    shapes.set(hf, shape);
  }
  const config = ggufConfig(file);
  const tokenizerJson = options.tokenizerJson ?? ggufTokenizerJson(file);
  const decode = async (hf: string): Promise<HfTensor> => {
    const info = tensorInfo.get(hf);
    if (!info) throw new GgufError(fileName, `has no tensor ${hf}.`);
    const bytes = await source.read(info.byteOffset, info.byteLength);
    if (bytes.length !== info.byteLength) {
      throw new GgufError(
        fileName,
        `ended while reading tensor ${info.name}: the file changed or is truncated.`,
      );
    }
    return toHfTensor(
      file,
      arch,
      config,
      info,
      dequantize(info.type, bytes, info.elements, fileName, info.name),
    );
  };
  async function* tensors(onProgress?: (p: GgufProgress) => void): AsyncGenerator<HfTensor> {
    const bytesTotal = file.tensors.reduce((a, t) => a + t.byteLength, 0);
    let done = 0;
    let bytesDone = 0;
    for (const [hf, info] of tensorInfo) {
      const t = await decode(hf);
      bytesDone += info.byteLength;
      onProgress?.({ tensor: hf, done: ++done, total: tensorInfo.size, bytesDone, bytesTotal });
      yield t;
    }
  }
  return { file, arch, config, tokenizerJson, tensorInfo, shapes, tensor: decode, tensors };
}

/** Every tensor decoded into one map (small models, tests): HF name → F32 data. */
export async function readGgufWeights(model: GgufModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for await (const t of model.tensors()) out.set(t.name, t.data);
  return out;
}
