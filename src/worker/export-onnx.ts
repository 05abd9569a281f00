// The worker's `exportOnnx` call: the current model with every applied edit merged, as the files of an ONNX
// folder (src/model/onnx/folder.ts) the UI can zip or save one by one. The app's "Export ONNX" button calls it.

import type { EngineHost } from '../engine/host.ts';
import type { Gpt2Model } from '../model/gpt2/model.ts';
import { onnxFolderFromModel } from '../model/onnx/folder.ts';

export interface ExportedFile {
  /** Path inside the folder: config.json, ..., onnx/model.onnx. */
  name: string;
  bytes: ArrayBuffer;
}

export async function exportOnnxFiles(host: EngineHost): Promise<{ files: ExportedFile[] }> {
  const session = host.current;
  const src = host.loadedSource;
  if (!src) throw new Error('No model is loaded yet: pick one first.');
  const { model } = session.view;
  if (model.architecture !== 'gpt2')
    throw new Error(`ONNX export covers GPT-2 models; this one is ${model.architecture}.`);
  const folder = await onnxFolderFromModel(model as Gpt2Model, src.files, session.view.tokenizer.eosId);
  const enc = new TextEncoder();
  const files = [...folder].map(([name, v]) => {
    const b = typeof v === 'string' ? enc.encode(v) : v;
    return { name, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
  return { files };
}
