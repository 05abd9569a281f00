// Turning a ModelSource into checkpoint files inside the worker: the embedded model from the app's own
// /models/ folder, a Hugging Face repo through the hub client (with progress and the browser cache), or files
// the user picked.

import { EDITOR_FILES, editorDir } from '../editors/hyper/files.ts';
import type { EditorFiles } from '../engine/editors.ts';
import type { LoadedSource } from '../engine/host.ts';
import type { ModelSource, WeightChoice, WeightDtype } from '../engine/types.ts';
import { weightOptions } from '../engine/weight-options.ts';
import type { AdapterLimits } from '../model/factory.ts';
import { parseModelConfig } from '../model/config.ts';
import { MissingFileError } from '../model/errors.ts';
import { openGgufCheckpoint } from '../model/gguf/checkpoint.ts';
import { blobSource, bytesSource, type ByteSource } from '../model/gguf/reader.ts';
import {
  downloadHubCheckpointFiles,
  fetchHubFile,
  hubRepoFiles,
  type DownloadProgress,
} from '../model/hub.ts';
import type { ProgressEvent } from './protocol.ts';

// A built-in model is the folder of its name under the app's models/ (the app's list: app/model/embedded-models.ts).
const embeddedBase = (name: string) => `models/${name}/`;

async function fetchBytes(url: URL): Promise<Uint8Array | null> {
  const res = await fetch(url);
  // Single-page-app hosts (vite preview among them) answer a missing file with index.html and status 200.
  if (res.status === 404 || (res.headers.get('content-type') ?? '').startsWith('text/html')) return null;
  if (!res.ok) throw new Error(`${url.pathname}: the server answered ${res.status} ${res.statusText}.`);
  return new Uint8Array(await res.arrayBuffer());
}

function folderFiles(base: URL): EditorFiles {
  return (name) => fetchBytes(new URL(name, base));
}

/**
 * A built-in model without a trained MEND or IBKE editor (fact-world v2 until one is trained) says so in the
 * picker, as a refused editor file does (ModelInfo.editorNotes), instead of the method silently missing.
 */
async function missingEditorNotes(name: string, files: EditorFiles): Promise<{ editorNotes?: string[] }> {
  const notes: string[] = [];
  for (const method of ['mend', 'ibke'] as const) {
    if (!(await files(`${editorDir(method)}/${EDITOR_FILES.config}`)))
      notes.push(
        `${method.toUpperCase()} is not offered: ${name} ships no trained ${method.toUpperCase()} editor yet (train one with \`npx editscope train-editor --method ${method}\`).`,
      );
  }
  return notes.length ? { editorNotes: notes } : {};
}

/** Files a local load brings: a checkpoint folder's three files, or one GGUF file (read in slices, not whole). */
export type LocalLoadFiles = { config: string; safetensors: ArrayBuffer; tokenizer: string } | { gguf: Blob };

/**
 * A GGUF file as a LoadedSource: the header, config, tokenizer and tensor table checked here (a hostile or
 * damaged header is refused with a sentence before the current model is touched), the tensors streamed by the
 * host (src/model/gguf/model.ts).
 */
async function ggufSource(
  source: ModelSource,
  name: string,
  bytes: ByteSource,
  editorFiles: EditorFiles,
  tokenizer: Uint8Array | null,
): Promise<LoadedSource> {
  const open = await openGgufCheckpoint(bytes, name, {
    ...(tokenizer ? { tokenizerJson: new TextDecoder().decode(tokenizer) } : {}),
  });
  return {
    source,
    name,
    files: { config: JSON.stringify(open.gguf.config), tokenizer: open.gguf.tokenizerJson },
    gguf: open,
    editorFiles,
  };
}

/** The source's files, ready for EngineHost.load in `dtype` (default f32). */
export async function resolveSource(
  source: ModelSource,
  files: LocalLoadFiles | undefined,
  progress: (p: ProgressEvent) => void,
  dtype?: WeightDtype,
): Promise<LoadedSource> {
  const loaded = await resolveFiles(source, files, progress);
  return dtype && dtype !== 'f32' ? { ...loaded, dtype } : loaded;
}

/**
 * What each dtype would cost for `source` on an adapter with `limits`, from its config alone (the built-in
 * model's config.json, the hub repo's, or the text given for a local folder); the config's torch_dtype stands
 * for the stored precision until the weights are read.
 */
export async function sourceWeightOptions(
  source: ModelSource,
  configText: string | undefined,
  limits: AdapterLimits,
): Promise<WeightChoice> {
  let text = configText;
  if (text === undefined) {
    const get =
      source.kind === 'embedded'
        ? folderFiles(
            new URL(`${import.meta.env.BASE_URL}${embeddedBase(source.name)}`, self.location.origin),
          )
        : source.kind === 'hub'
          ? hubRepoFiles(source.repoId, { revision: source.revision, endpoint: source.endpoint })
          : null;
    const bytes = get ? await get('config.json') : null;
    if (!bytes)
      throw new MissingFileError(
        source.kind === 'hub' ? `${source.repoId}/config.json` : 'config.json',
        'could not be read, so the sizes of the weight formats are unknown.',
      );
    text = new TextDecoder().decode(bytes);
  }
  const config = parseModelConfig(text, 'config.json');
  const torchDtype = (JSON.parse(text) as { torch_dtype?: unknown }).torch_dtype;
  const stored = torchDtype === 'float16' ? 'F16' : torchDtype === 'bfloat16' ? 'BF16' : 'F32';
  return weightOptions(config, limits, stored);
}

async function resolveFiles(
  source: ModelSource,
  files: LocalLoadFiles | undefined,
  progress: (p: ProgressEvent) => void,
): Promise<LoadedSource> {
  const noEditors: EditorFiles = async () => null;
  switch (source.kind) {
    case 'embedded': {
      const folder = embeddedBase(source.name);
      const base = new URL(`${import.meta.env.BASE_URL}${folder}`, self.location.origin);
      const get = async (name: string) => {
        progress({ stage: `Loading ${name}`, fraction: null });
        const bytes = await fetchBytes(new URL(name, base));
        if (!bytes)
          throw new MissingFileError(
            `${folder}${name}`,
            'is missing from this build: run `npm start` again.',
          );
        return bytes;
      };
      const decoder = new TextDecoder();
      const [config, safetensors, tokenizer] = [
        await get('config.json'),
        await get('model.safetensors'),
        await get('tokenizer.json'),
      ];
      const editorFiles = folderFiles(base);
      return {
        source,
        name: source.name,
        files: { config: decoder.decode(config), safetensors, tokenizer: decoder.decode(tokenizer) },
        editorFiles,
        ...(await missingEditorNotes(source.name, editorFiles)),
      };
    }
    case 'hub': {
      const onProgress = (p: DownloadProgress) =>
        progress({
          stage: `${p.fromCache ? 'Reading cached' : 'Downloading'} ${p.file}`,
          fraction: p.total ? p.loaded / p.total : null,
        });
      const hub = { revision: source.revision, endpoint: source.endpoint };
      if (source.file) {
        // A GGUF file of the repo; the repo's tokenizer.json, when it has one, is preferred to the GGUF's
        // tokenizer.ggml.* metadata (SentencePiece vocabularies need it).
        const repo = hubRepoFiles(source.repoId, hub);
        const bytes = await fetchHubFile(source.repoId, source.file, { ...hub, onProgress });
        const tokenizer = await repo('tokenizer.json');
        const name = `${source.repoId}/${source.file}`;
        return ggufSource(source, name, bytesSource(bytes), repo, tokenizer);
      }
      const files = await downloadHubCheckpointFiles(source.repoId, { ...hub, onProgress });
      // Editor files the repo may ship next to the weights (ROME's rome-cov-l{L}.safetensors, trained
      // MEND/IBKE editors under editors/{mend,ibke}/): fetched (and cached) when asked for, absent on a 404;
      // one trained for another model is refused by the engine with a note (ModelInfo.editorNotes).
      const editorFiles: EditorFiles = hubRepoFiles(source.repoId, hub);
      return { source, name: source.repoId, files, editorFiles };
    }
    case 'local': {
      if (files && 'gguf' in files) {
        progress({ stage: `Reading ${source.label}`, fraction: null });
        return ggufSource(source, source.label, blobSource(files.gguf), noEditors, null);
      }
      if (!files)
        throw new MissingFileError(
          source.label,
          'no files were given: pick a folder with config.json, model.safetensors and tokenizer.json.',
        );
      return {
        source,
        name: source.label,
        files: {
          config: files.config,
          safetensors: new Uint8Array(files.safetensors),
          tokenizer: files.tokenizer,
        },
        editorFiles: noEditors,
      };
    }
  }
}
