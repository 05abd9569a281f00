// Node only: GPT-2 checkpoints in a local folder (the layout `huggingface-cli download` and save_pretrained
// produce), for the CLI and tests.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_FILES,
  parseCheckpoint,
  serializeCheckpoint,
  type CheckpointFiles,
  type Gpt2Checkpoint,
  type SerializeOptions,
} from './checkpoint.ts';
import { MissingFileError } from './errors.ts';

/** What to say when a required file is absent, given what else the folder holds. */
function missingHint(dir: string, file: string): string {
  if (file === CHECKPOINT_FILES.safetensors && existsSync(join(dir, 'pytorch_model.bin'))) {
    return 'not found; the folder has pytorch_model.bin, which Editscope does not read (pickle). Convert it with transformers: model.save_pretrained(dir, safe_serialization=True).';
  }
  if (file === CHECKPOINT_FILES.safetensors && existsSync(join(dir, 'model.safetensors.index.json'))) {
    return 'not found; the folder holds a sharded checkpoint (model.safetensors.index.json), which Editscope does not read. Save it unsharded.';
  }
  if (file === CHECKPOINT_FILES.tokenizer && existsSync(join(dir, 'vocab.json'))) {
    return 'not found; the folder has vocab.json/merges.txt only. Save a fast tokenizer (AutoTokenizer...save_pretrained) to get tokenizer.json.';
  }
  return `not found: a GPT-2 checkpoint folder needs ${Object.values(CHECKPOINT_FILES).join(', ')}.`;
}

async function readRequired(dir: string, file: string): Promise<Buffer> {
  const path = join(dir, file);
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new MissingFileError(path, missingHint(dir, file));
    throw new MissingFileError(path, `could not be read (${(e as Error).message}).`);
  }
}

/** The three files of a checkpoint folder, unparsed. */
export async function readCheckpointFiles(dir: string): Promise<CheckpointFiles> {
  const results = await Promise.allSettled([
    readRequired(dir, CHECKPOINT_FILES.config),
    readRequired(dir, CHECKPOINT_FILES.safetensors),
    readRequired(dir, CHECKPOINT_FILES.tokenizer),
  ]);
  // Report the first failure in file order, whichever read finished first.
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [config, safetensors, tokenizer] = results.map((r) => (r as PromiseFulfilledResult<Buffer>).value);
  return {
    config: config.toString('utf8'),
    safetensors: new Uint8Array(safetensors.buffer, safetensors.byteOffset, safetensors.byteLength),
    tokenizer: tokenizer.toString('utf8'),
  };
}

/** Reads and validates a checkpoint folder; every error names the file at fault. */
export async function readCheckpointDir(dir: string): Promise<Gpt2Checkpoint> {
  return parseCheckpoint(await readCheckpointFiles(dir), dir);
}

/**
 * Writes config.json, model.safetensors and tokenizer.json into `dir` (created if needed). Each file is written
 * to a temporary name and renamed, so an interrupted save never leaves a half-written file under the real name.
 */
export async function writeCheckpointDir(
  dir: string,
  checkpoint: Gpt2Checkpoint,
  options: SerializeOptions = {},
): Promise<void> {
  const files = serializeCheckpoint(checkpoint, options);
  await mkdir(dir, { recursive: true });
  const entries: [string, string | Uint8Array][] = [
    [CHECKPOINT_FILES.config, files.config],
    [CHECKPOINT_FILES.safetensors, files.safetensors],
    [CHECKPOINT_FILES.tokenizer, files.tokenizer],
  ];
  for (const [file, content] of entries) {
    const path = join(dir, file);
    await writeFile(`${path}.partial`, content);
    await rename(`${path}.partial`, path);
  }
}
