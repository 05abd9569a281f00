// Downloading a checkpoint from a Hugging Face repository (`${endpoint}/${repoId}/resolve/${revision}/${file}`)
// with progress, keeping the files in the browser Cache API when there is one. config.json comes first and is
// validated before anything large is fetched, so an unsupported model (a MoE, a BERT) fails in one small
// request. Weights are model.safetensors or, when the repo has none, model.safetensors.index.json and every
// shard it names, each downloaded (and cached) like the single file.

import {
  CHECKPOINT_FILES,
  parseCheckpoint,
  parseModelCheckpoint,
  type CheckpointFiles,
  type Gpt2Checkpoint,
  type ModelCheckpoint,
} from './checkpoint.ts';
import { parseShardIndex, SHARD_INDEX_FILE } from './checkpoint-shards.ts';
import { parseModelConfig } from './config.ts';
import { DownloadError } from './errors.ts';

export const HF_ENDPOINT = 'https://huggingface.co';
export const HUB_CACHE_NAME = 'editscope-hub-v1';
/** Per-file ceiling (GPT-2 XL in F32 is 6.4 GB): a larger answer is refused before it fills memory. */
export const DEFAULT_MAX_FILE_BYTES = 8 * 2 ** 30;

export interface DownloadProgress {
  /** config.json, model.safetensors, tokenizer.json, the shard index or a shard. */
  file: string;
  loaded: number;
  /** From Content-Length; null when the server does not say. */
  total: number | null;
  fromCache: boolean;
  done: boolean;
}

/** The part of the Cache API (CacheStorage) used here, so tests can pass their own. */
export interface CacheStorageLike {
  open(name: string): Promise<{
    match(url: string): Promise<Response | undefined>;
    put(url: string, response: Response): Promise<void>;
  }>;
}

export interface HubOptions {
  /** Branch, tag or commit (default 'main'). Pin a commit for reproducible results: 'main' is cached as is. */
  revision?: string;
  /** Hub (or mirror) base URL, default https://huggingface.co. */
  endpoint?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Where to keep downloads; default globalThis.caches when it exists, null to always download. */
  cache?: CacheStorageLike | null;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
  maxFileBytes?: number;
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)?$/;

/** Checks a repo id ("gpt2", "openai-community/gpt2") and returns it; throws a DownloadError for anything else. */
export function validateRepoId(repoId: string): string {
  const id = repoId.trim();
  if (id.length > 96 || !REPO_ID.test(id) || id.includes('..') || id.includes('--')) {
    throw new DownloadError(
      JSON.stringify(repoId),
      'is not a Hugging Face repo id; write it as owner/name (for example openai-community/gpt2), letters, digits, - _ . only.',
    );
  }
  return id;
}

/** The download URL of one file of a repo. */
export function hubFileUrl(
  repoId: string,
  file: string,
  options: Pick<HubOptions, 'endpoint' | 'revision'> = {},
): string {
  const endpoint = (options.endpoint ?? HF_ENDPOINT).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(endpoint))
    throw new DownloadError(endpoint, 'is not an http(s) URL; the hub endpoint must be one.');
  const revision = encodeURIComponent(options.revision ?? 'main');
  return `${endpoint}/${validateRepoId(repoId)}/resolve/${revision}/${file}`;
}

function httpProblem(status: number, file: string): string {
  if (status === 401 || status === 403) {
    return `answered ${status}: the repository is private or gated and Editscope cannot log in. Download ${file} yourself and open the folder instead.`;
  }
  if (status === 404)
    return `answered 404: no such repository, revision or file. Check the repo id and revision; the repo must hold ${file}.`;
  return `answered HTTP ${status}; try again later.`;
}

/** Reads a body into one buffer, reporting progress, refusing more than `maxBytes`. */
async function readBody(
  response: Response,
  url: string,
  maxBytes: number,
  report: (loaded: number, total: number | null) => void,
): Promise<Uint8Array> {
  const header = response.headers.get('content-length');
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  const tooLarge = (n: number) =>
    new DownloadError(url, `is ${n} bytes or more, above the ${maxBytes}-byte limit for one file.`);
  if (total !== null && total > maxBytes) throw tooLarge(total);
  report(0, total);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e; // the caller cancelled: not a download problem
      throw new DownloadError(url, `broke off after ${loaded} bytes (${(e as Error).message}). Try again.`);
    }
    const { done, value } = chunk;
    if (done) break;
    loaded += value.length;
    if (loaded > maxBytes) {
      await reader.cancel();
      throw tooLarge(loaded);
    }
    chunks.push(value);
    report(loaded, total);
  }
  if (total !== null && loaded !== total) {
    throw new DownloadError(
      url,
      `ended after ${loaded} of ${total} bytes; the download was cut off. Try again.`,
    );
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Downloads one file of a repo (or takes it from the cache). */
export async function fetchHubFile(
  repoId: string,
  file: string,
  options: HubOptions = {},
): Promise<Uint8Array> {
  return (await fetchHubFileOrNull(repoId, file, options, false))!;
}

/** As fetchHubFile, but null when the repo has no such file (404): optional files such as ROME statistics. */
export function fetchHubFileIfPresent(
  repoId: string,
  file: string,
  options: HubOptions = {},
): Promise<Uint8Array | null> {
  return fetchHubFileOrNull(repoId, file, options, true);
}

/** As fetchHubFile, but null when the hub answers 404 and `allowMissing` (probing for a file). */
async function fetchHubFileOrNull(
  repoId: string,
  file: string,
  options: HubOptions,
  allowMissing: boolean,
): Promise<Uint8Array | null> {
  const url = hubFileUrl(repoId, file, options);
  const doFetch = options.fetch ?? globalThis.fetch;
  const storage =
    options.cache === undefined
      ? ((globalThis as { caches?: CacheStorageLike }).caches ?? null)
      : options.cache;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const progress = (fromCache: boolean, done: boolean) => (loaded: number, total: number | null) =>
    options.onProgress?.({ file, loaded, total, fromCache, done });

  const cache = storage ? await storage.open(HUB_CACHE_NAME).catch(() => null) : null;
  const cached = cache ? await cache.match(url).catch(() => undefined) : undefined;
  if (cached) {
    const bytes = await readBody(cached, url, maxBytes, progress(true, false));
    progress(true, true)(bytes.length, bytes.length);
    return bytes;
  }

  let response: Response;
  try {
    response = await doFetch(url, { signal: options.signal });
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new DownloadError(
      url,
      `could not be downloaded (${(e as Error).message}). Check the connection and the endpoint.`,
    );
  }
  if (response.status === 404 && allowMissing) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!response.ok) throw new DownloadError(url, httpProblem(response.status, file));
  const bytes = await readBody(response, url, maxBytes, progress(false, false));
  progress(false, true)(bytes.length, bytes.length);
  // A full disk or a private window must not fail the load: the cache is only an optimisation.
  await cache
    ?.put(
      url,
      new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-length': String(bytes.length) } }),
    )
    .catch(() => undefined);
  return bytes;
}

/** A file's path inside a repo: segments of HF's usual characters, no "..", no leading "/", no query. */
const REPO_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/**
 * The files a repo may hold next to the weights (ROME's rome-cov-l{L}.safetensors and rome-site.json, trained
 * editors under editors/{mend,ibke}/): a reader that downloads (and caches) one by its path inside the repo,
 * null on a 404. The engine asks for fixed names, but a path is checked before it goes into a URL, so nothing
 * can reach outside the repo's revision.
 */
export function hubRepoFiles(
  repoId: string,
  options: HubOptions = {},
): (file: string) => Promise<Uint8Array | null> {
  validateRepoId(repoId);
  return (file) => {
    if (file.length > 200 || !REPO_FILE.test(file) || file.split('/').some((s) => s === '..' || s === '.'))
      return Promise.reject(
        new DownloadError(
          JSON.stringify(file),
          'is not a file path inside a repository (letters, digits, - _ . and / only, no "..").',
        ),
      );
    return fetchHubFileIfPresent(repoId, file, options);
  };
}

/**
 * Downloads config.json (and checks it describes a model the engine runs), then tokenizer.json and the weights:
 * model.safetensors, or the shard index and every shard it names (one after another, each with progress).
 */
export async function downloadHubCheckpointFiles(
  repoId: string,
  options: HubOptions = {},
): Promise<CheckpointFiles> {
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const config = decode(await fetchHubFile(repoId, CHECKPOINT_FILES.config, options));
  parseModelConfig(config, hubFileUrl(repoId, CHECKPOINT_FILES.config, options));
  const [tokenizer, safetensors] = await Promise.all([
    fetchHubFile(repoId, CHECKPOINT_FILES.tokenizer, options).then(decode),
    fetchHubFileOrNull(repoId, CHECKPOINT_FILES.safetensors, options, true),
  ]);
  if (safetensors) return { config, safetensors, tokenizer };
  const indexBytes = await fetchHubFileOrNull(repoId, SHARD_INDEX_FILE, options, true);
  if (!indexBytes) {
    throw new DownloadError(
      hubFileUrl(repoId, CHECKPOINT_FILES.safetensors, options),
      `answered 404, and so did ${SHARD_INDEX_FILE}: the repository has no safetensors weights. Pick a repo that has them (pytorch_model.bin is not read).`,
    );
  }
  const index = decode(indexBytes);
  const parsed = parseShardIndex(index, hubFileUrl(repoId, SHARD_INDEX_FILE, options));
  const shards = new Map<string, Uint8Array>();
  // One at a time: shards are large, and parallel downloads would hold several partial bodies at once.
  for (const shard of parsed.shards) shards.set(shard, await fetchHubFile(repoId, shard, options));
  return { config, shards: { index, shards }, tokenizer };
}

/** Downloads and parses a GPT-2 checkpoint; errors name the file's URL. */
export async function loadHubCheckpoint(repoId: string, options: HubOptions = {}): Promise<Gpt2Checkpoint> {
  const files = await downloadHubCheckpointFiles(repoId, options);
  return parseCheckpoint(files, hubBase(repoId, options));
}

/** Downloads and parses a checkpoint of any supported architecture; errors name the file's URL. */
export async function loadHubModelCheckpoint(
  repoId: string,
  options: HubOptions = {},
): Promise<ModelCheckpoint> {
  const files = await downloadHubCheckpointFiles(repoId, options);
  return parseModelCheckpoint(files, hubBase(repoId, options));
}

function hubBase(repoId: string, options: HubOptions): string {
  return hubFileUrl(repoId, '', options).replace(/\/$/, '');
}
