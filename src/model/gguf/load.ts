// A GGUF file as the HF checkpoint it was converted from: config.json (from `{arch}.*` metadata), tokenizer.json
// (from tokenizer.ggml.*, or the repo's file when given) and the tensors under HF names, decoded one at a time so
// that peak CPU memory stays near one tensor. Everything that can be checked without decoding (architecture,
// config, tokenizer, every tensor's name and type) is checked in openGguf, before the caller allocates anything.

import type { PackedWeight } from '../../reference/quant.ts';
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
import { REPACKABLE, repackGgufBlocks, unpermutedRow } from './repack.ts';
import { GgufError, readGgufHeader, type ByteSource, type GgufFile, type GgufTensorInfo } from './reader.ts';
import { ggufTokenizerJson } from './tokenizer.ts';

/** GPT-2's Conv1D linears: stored (out, in) in GGUF, (in, out) in the HF checkpoint. */
const GPT2_TRANSPOSED = /^blk\.\d+\.(attn_qkv|attn_output|ffn_up|ffn_down)\.weight$/;

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
  /**
   * One tensor for a loader that stores it as `want`: a Q8_0 / Q4_0 tensor whose engine layout is `want` is
   * repacked without decoding (src/model/gguf/repack.ts); anything else is decoded to f32 (the loader packs it).
   */
  tensorFor(hfName: string, want: string): Promise<{ name: string; data: Float32Array | PackedWeight }>;
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
    if (arch === 'gpt2' && GPT2_TRANSPOSED.test(t.name)) shape.reverse();
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
  const tensorFor = async (hf: string, want: string) => {
    const info = tensorInfo.get(hf);
    const shape = shapes.get(hf);
    const repacked = info && REPACKABLE.get(info.type);
    // GPT-2's linears are transposed on the way in: their groups would cross rows, so they are decoded. Told
    // by name, not by shape: a square one (attn_output, n_embd x n_embd) has the same shape either way.
    const transposed = arch === 'gpt2' && info !== undefined && GPT2_TRANSPOSED.test(info.name);
    if (!info || !shape || repacked !== want || shape.length !== 2 || transposed) return decode(hf);
    const bytes = await source.read(info.byteOffset, info.byteLength);
    if (bytes.length !== info.byteLength)
      throw new GgufError(
        fileName,
        `ended while reading tensor ${info.name}: the file changed or is truncated.`,
      );
    const [rows, cols] = shape;
    let srcRow: ((r: number) => number) | undefined;
    if (arch === 'llama' && /^blk\.\d+\.attn_[qk]\.weight$/.test(info.name)) {
      const heads = Number(
        info.name.includes('attn_q') ? config.num_attention_heads : config.num_key_value_heads,
      );
      if (!Number.isInteger(heads) || heads < 1 || rows % (2 * heads) !== 0)
        throw new GgufError(
          fileName,
          `tensor ${info.name} has ${rows} rows, not a whole number of ${heads} heads of even size.`,
        );
      srcRow = unpermutedRow(rows, heads);
    }
    try {
      return { name: hf, data: repackGgufBlocks(info.type as never, bytes, rows, cols, srcRow) };
    } catch (e) {
      throw new GgufError(fileName, `tensor ${info.name}: ${(e as Error).message}.`);
    }
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
  return { file, arch, config, tokenizerJson, tensorInfo, shapes, tensor: decode, tensorFor, tensors };
}

/** Every tensor decoded into one map (small models, tests): HF name → F32 data. */
export async function readGgufWeights(model: GgufModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for await (const t of model.tensors()) out.set(t.name, t.data);
  return out;
}
