// `editscope export-onnx`: a GPT-2 model folder as an ONNX folder that transformers.js and onnxruntime load
// (see src/model/onnx/folder.ts). With --method/--prompt/--subject/--target it first applies one edit on the
// GPU and exports the merged weights: edit here, ship with transformers.js.

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { readCheckpointFiles } from '../../model/checkpoint-node.ts';
import { parseCheckpoint } from '../../model/checkpoint.ts';
import { gpt2OnnxFolder, type OnnxFolder } from '../../model/onnx/folder.ts';
import { output, parse, requireString, UsageError } from '../args.ts';
import { loadModelDir } from '../engine.ts';
import { openSession, parseMethod } from './edit.ts';

const USAGE =
  'editscope export-onnx --model DIR --out DIR [--method ft|rome|mend|ibke --prompt TEXT --subject S --target T] [--json]';

export async function exportOnnx(argv: string[]): Promise<void> {
  const opt = { type: 'string' } as const;
  const { values } = parse(
    argv,
    { model: opt, out: opt, method: opt, prompt: opt, subject: opt, target: opt },
    USAGE,
  );
  const modelDir = requireString(values, 'model', USAGE);
  const outDir = requireString(values, 'out', USAGE);
  if (resolve(outDir) === resolve(modelDir))
    throw new UsageError(
      '--out must be a new folder, not the model folder (its config.json would be replaced).',
    );
  const files = await readCheckpointFiles(modelDir);
  const checkpoint = parseCheckpoint(files, modelDir);
  let weights = checkpoint.weights;
  let edited: string | null = null;
  if (values.method !== undefined) {
    const method = parseMethod(values, USAGE);
    const request = {
      prompt: requireString(values, 'prompt', USAGE),
      subject: requireString(values, 'subject', USAGE),
      target: requireString(values, 'target', USAGE),
    };
    const loaded = await loadModelDir(modelDir);
    const session = await openSession(loaded);
    await session.edit({ request, method, gen: [], loc: [] });
    weights = await loaded.model.exportWeights({ merged: true });
    edited = `${method}: ${request.prompt} → ${request.target}`;
  }
  let sourceConfig: Record<string, unknown> | undefined;
  try {
    sourceConfig = JSON.parse(files.config) as Record<string, unknown>;
  } catch {
    sourceConfig = undefined; // parseCheckpoint already accepted it; keep only our fields if it is odd
  }
  const folder = gpt2OnnxFolder({
    dims: checkpoint.config,
    weights,
    tokenizerJson: files.tokenizer,
    eosId: checkpoint.tokenizer.eosId,
    sourceConfig,
  });
  await writeFolder(outDir, folder);
  const bytes = [...folder.values()].reduce((s, v) => s + (typeof v === 'string' ? v.length : v.length), 0);
  output(values, { out: resolve(outDir), files: [...folder.keys()], bytes, edited }, () =>
    [
      `wrote ${resolve(outDir)} (${(bytes / 2 ** 20).toFixed(1)} MiB${edited ? `, edited ${edited}` : ''})`,
      `  ${[...folder.keys()].join(', ')}`,
      `load it with @huggingface/transformers: AutoModelForCausalLM.from_pretrained(<folder>) with env.localModelPath`,
    ].join('\n'),
  );
}

/** Each file to a temporary name, then renamed: an interrupted export never leaves a half-written file. */
export async function writeFolder(dir: string, folder: OnnxFolder): Promise<void> {
  // model.onnx last, so a folder with it is complete.
  const order = [...folder.keys()].sort((a, b) => Number(a.endsWith('.onnx')) - Number(b.endsWith('.onnx')));
  for (const name of order) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(`${path}.partial`, folder.get(name)!);
    await rename(`${path}.partial`, path);
  }
}
