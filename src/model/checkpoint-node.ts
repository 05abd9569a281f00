// Node only: checkpoints in a local folder (the layout `huggingface-cli download` and save_pretrained produce,
// single-file or sharded), for the CLI and tests.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_FILES,
  parseCheckpoint,
  parseModelCheckpoint,
  serializeCheckpoint,
  serializeModelCheckpoint,
  type CheckpointFiles,
  type Gpt2Checkpoint,
  type ModelCheckpoint,
  type ModelSerializeOptions,
  type SerializeOptions,
} from './checkpoint.ts';
import { parseShardIndex, SHARD_INDEX_FILE } from './checkpoint-shards.ts';
import { MissingFileError } from './errors.ts';

/** What to say when a required file is absent, given what else the folder holds. */
function missingHint(dir: string, file: string): string {
  if (file === CHECKPOINT_FILES.safetensors && existsSync(join(dir, 'pytorch_model.bin'))) {
    return 'not found; the folder has pytorch_model.bin, which Editscope does not read (pickle). Convert it with transformers: model.save_pretrained(dir, safe_serialization=True).';
  }
  if (file === CHECKPOINT_FILES.tokenizer && existsSync(join(dir, 'vocab.json'))) {
    return 'not found; the folder has vocab.json/merges.txt only. Save a fast tokenizer (AutoTokenizer...save_pretrained) to get tokenizer.json.';
  }
  if (file === CHECKPOINT_FILES.safetensors) {
    return `not found: a checkpoint folder needs ${Object.values(CHECKPOINT_FILES).join(', ')} (or ${SHARD_INDEX_FILE} and its shards instead of model.safetensors).`;
  }
  return `not found: a checkpoint folder needs ${Object.values(CHECKPOINT_FILES).join(', ')}.`;
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

const bytesOf = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The files of a checkpoint folder, unparsed: model.safetensors, or (when the folder has none but has an index)
 * the index and every shard it names. A shard the index names that is not there is a MissingFileError naming it.
 */
export async function readCheckpointFiles(dir: string): Promise<CheckpointFiles> {
  const sharded =
    !existsSync(join(dir, CHECKPOINT_FILES.safetensors)) && existsSync(join(dir, SHARD_INDEX_FILE));
  const results = await Promise.allSettled([
    readRequired(dir, CHECKPOINT_FILES.config),
    readRequired(dir, sharded ? SHARD_INDEX_FILE : CHECKPOINT_FILES.safetensors),
    readRequired(dir, CHECKPOINT_FILES.tokenizer),
  ]);
  // Report the first failure in file order, whichever read finished first.
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [config, weights, tokenizer] = results.map((r) => (r as PromiseFulfilledResult<Buffer>).value);
  const files: CheckpointFiles = { config: config.toString('utf8'), tokenizer: tokenizer.toString('utf8') };
  if (!sharded) {
    files.safetensors = bytesOf(weights);
    return files;
  }
  const indexText = weights.toString('utf8');
  const index = parseShardIndex(indexText, join(dir, SHARD_INDEX_FILE));
  const shards = new Map<string, Uint8Array>();
  for (const shard of index.shards) {
    try {
      shards.set(shard, bytesOf(await readFile(join(dir, shard))));
    } catch (e) {
      throw new MissingFileError(
        join(dir, shard),
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? `not found: ${SHARD_INDEX_FILE} names this shard. Download every shard into the folder.`
          : `could not be read (${(e as Error).message}).`,
      );
    }
  }
  files.shards = { index: indexText, shards };
  return files;
}

/** Reads and validates a GPT-2 checkpoint folder; every error names the file at fault. */
export async function readCheckpointDir(dir: string): Promise<Gpt2Checkpoint> {
  return parseCheckpoint(await readCheckpointFiles(dir), dir);
}

/** Reads and validates a checkpoint folder of any supported architecture (see parseModelCheckpoint). */
export async function readModelCheckpointDir(dir: string): Promise<ModelCheckpoint> {
  return parseModelCheckpoint(await readCheckpointFiles(dir), dir);
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
  await writeFiles(dir, serializeCheckpoint(checkpoint, options));
}

/** Writes a checkpoint of any supported architecture, single-file or sharded (options.maxShardBytes). */
export async function writeModelCheckpointDir(
  dir: string,
  checkpoint: ModelCheckpoint,
  options: ModelSerializeOptions = {},
): Promise<void> {
  await writeFiles(dir, serializeModelCheckpoint(checkpoint, options));
}

async function writeFiles(dir: string, files: CheckpointFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries: [string, string | Uint8Array][] = [[CHECKPOINT_FILES.config, files.config]];
  if (files.safetensors) entries.push([CHECKPOINT_FILES.safetensors, files.safetensors]);
  if (files.shards) {
    for (const [name, bytes] of files.shards.shards) entries.push([name, bytes]);
    entries.push([SHARD_INDEX_FILE, files.shards.index]); // last: a folder with an index has every shard
  }
  entries.push([CHECKPOINT_FILES.tokenizer, files.tokenizer]);
  for (const [file, content] of entries) {
    const path = join(dir, file);
    await writeFile(`${path}.partial`, content);
    await rename(`${path}.partial`, path);
  }
}
