// Picking a checkpoint out of a folder the user chose (<input type=file webkitdirectory>): which entries are
// config.json, model.safetensors and tokenizer.json, and a sentence when one is missing or too big to read.

export const CHECKPOINT_NAMES = ['config.json', 'model.safetensors', 'tokenizer.json'] as const;
export type CheckpointName = (typeof CHECKPOINT_NAMES)[number];

/** A browser tab cannot hold a single ArrayBuffer much larger than this; GPT-2 small is ~0.5 GB in f32. */
export const MAX_SAFETENSORS_BYTES = 2 * 2 ** 30;

export interface FolderEntry {
  /** webkitRelativePath ("gpt2/model.safetensors") or the bare name. */
  path: string;
  size: number;
}

export type FolderPick =
  { ok: true; index: Record<CheckpointName, number>; folder: string } | { ok: false; message: string };

/** Finds the three files, preferring the shallowest copy of each (a folder with sub-folders of variants). */
export function pickCheckpointFiles(entries: readonly FolderEntry[]): FolderPick {
  if (entries.length === 0)
    return {
      ok: false,
      message:
        'The folder is empty: pick the folder that holds config.json, model.safetensors and tokenizer.json.',
    };
  const depth = (p: string) => p.split('/').length;
  const index = {} as Record<CheckpointName, number>;
  const missing: string[] = [];
  for (const name of CHECKPOINT_NAMES) {
    let best = -1;
    entries.forEach((e, i) => {
      const base = e.path.split('/').pop();
      if (base === name && (best < 0 || depth(e.path) < depth(entries[best].path))) best = i;
    });
    if (best < 0) missing.push(name);
    else index[name] = best;
  }
  if (missing.length)
    return {
      ok: false,
      message: `The folder has no ${missing.join(' and no ')}. A GPT-2 checkpoint folder needs config.json, model.safetensors and tokenizer.json (as in a Hugging Face repo; pytorch_model.bin is not read).`,
    };
  const weights = entries[index['model.safetensors']];
  if (weights.size > MAX_SAFETENSORS_BYTES)
    return {
      ok: false,
      message: `model.safetensors is ${(weights.size / 2 ** 30).toFixed(1)} GiB; this page reads at most ${MAX_SAFETENSORS_BYTES / 2 ** 30} GiB. Pick a smaller model (GPT-2 small or medium).`,
    };
  const folder = entries[index['config.json']].path.split('/').slice(0, -1).join('/') || 'local folder';
  return { ok: true, index, folder };
}
