// Loads a committed PyTorch fixture (tools/torch/qwen3_parity.py): dims from its HF config.json, the weights
// by HF name, the test sequences, and the expected tensors (logits, loss, gradients).

import { readFileSync } from 'node:fs';
import { parseLlamaConfig, type LlamaFamily } from '../llama-config.ts';
import { parseSafetensors, tensorToFloat32 } from '../safetensors.ts';
import { llamaDims } from './dims.ts';

export function loadFixture(name: string) {
  const dir = new URL(`./fixtures/${name}/`, import.meta.url);
  const read = (f: string) => readFileSync(new URL(f, dir));
  const raw = JSON.parse(read('config.json').toString()) as Record<string, unknown>;
  const dims = llamaDims(parseLlamaConfig(raw, raw.model_type as LlamaFamily, `${name}/config.json`));
  const file = parseSafetensors(read('model.safetensors'), `${name}/model.safetensors`);
  const weights = new Map([...file.tensors.keys()].map((n) => [n, tensorToFloat32(file, n)]));
  const expected = parseSafetensors(read('expected.safetensors'), `${name}/expected.safetensors`);
  return {
    dims,
    weights,
    sequences: raw.sequences as number[][],
    want: (t: string) => tensorToFloat32(expected, t),
  };
}
