// ROME's key statistics computed in the worker for a model that ships none (a hub model, a local folder), so
// ROME works on it: text from the model's own corpus file when it has one (corpus.tsv next to the weights),
// else text the model samples itself (src/editors/rome-covariance.ts, the same code as `rome-cov --source
// self`); progress and cancel; cached in Cache Storage under the key weights' fingerprint, so the next load of
// the same weights gets ROME at once; then ROME is added to the session. The statistics are taken on the
// unedited model (the side-car edits would change the keys): with edits applied it says so and stops.

import { EditorWeightsError } from '../editors/types.ts';
import { loadRomeEditor } from '../editors/rome.ts';
import { parseRomeSite, ROME_SITE_FILE } from '../editors/rome-contexts.ts';
import {
  computeKeyCovariance,
  covarianceFileName,
  keyWeightsHash,
  selfSampledSequences,
  serializeKeyCovariance,
  type CovarianceSource,
} from '../editors/rome-covariance.ts';
import { middleLayer } from '../editors/settings.ts';
import type { EngineHost } from '../engine/host.ts';
import type { MethodName, ModelInfo } from '../engine/types.ts';
import { sampleSequences } from '../train/corpus-sample.ts';
import type { ProgressEvent } from './protocol.ts';

export interface RomeStatsInput {
  /** Token positions to average over (default 20,000: what the shipped fact-world file used). */
  tokens?: number;
  seed?: number;
}

export interface RomeStatsResult {
  methods: MethodName[];
  layer: number;
  tokens: number;
  source: CovarianceSource;
  /** Found in the cache (no computation). */
  fromCache: boolean;
  seconds: number;
  /** A sentence when the result could not be stored (quota); ROME still works until the tab closes. */
  note: string | null;
}

/** Worker calls of this file (merged into EngineCalls in protocol.ts). */
export interface RomeStatsCalls {
  computeRomeStats: [RomeStatsInput, RomeStatsResult];
}

/** Bytes by key; a browser's Cache Storage, or a Map in Node tests. */
export interface StatsCache {
  get(key: string): Promise<Uint8Array | null>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Whether anything is stored (a load skips fingerprinting its weights when nothing is). */
  any(): Promise<boolean>;
}

const CACHE_NAME = 'editscope-rome-stats';
export const DEFAULT_STATS_TOKENS = 20_000;
const MAX_STATS_TOKENS = 1_000_000;

/** Cache Storage where it exists (secure contexts), else a per-worker Map (the statistics last the tab). */
export function browserStatsCache(): StatsCache {
  const memory = new Map<string, Uint8Array>();
  const url = (key: string) => new URL(`/__editscope/rome-stats/${key}.safetensors`, self.location.href).href;
  const storage = typeof caches === 'undefined' ? null : caches;
  return {
    async get(key) {
      if (memory.has(key)) return memory.get(key)!;
      const hit = storage ? await (await storage.open(CACHE_NAME)).match(url(key)) : undefined;
      return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
    },
    async any() {
      if (memory.size > 0) return true;
      return storage ? (await (await storage.open(CACHE_NAME)).keys()).length > 0 : false;
    },
    async put(key, bytes) {
      memory.set(key, bytes);
      if (!storage) return;
      const body = new Blob([bytes as BlobPart], { type: 'application/octet-stream' });
      await (await storage.open(CACHE_NAME)).put(url(key), new Response(body));
    },
  };
}

/** Statistics computed or found for the loaded source, served as if they sat next to the model's files. */
const computed = new WeakMap<object, Map<string, Uint8Array>>();

/**
 * Serves computed statistics to the host's file reader from now on, so a device-loss reload (which re-reads the
 * model's files and replays the edits) gets ROME back. The host keeps the LoadedSource object it was given.
 */
function serve(host: EngineHost, name: string, bytes: Uint8Array): void {
  const src = host.loadedSource;
  if (!src) return;
  let files = computed.get(src);
  if (!files) {
    files = new Map();
    computed.set(src, files);
    const base = src.editorFiles;
    const own = files;
    src.editorFiles = async (n) => (await base(n)) ?? own.get(n) ?? null;
  }
  files.set(name, bytes);
}

async function siteLayer(host: EngineHost): Promise<number> {
  const { model } = host.current.view;
  const site = await host.loadedSource?.editorFiles(ROME_SITE_FILE);
  return site ? parseRomeSite(site, model.dims.nLayer).layer : middleLayer(model.dims);
}

/** Adds ROME from the statistics `bytes`; the file's own checks refuse statistics of other weights. */
async function install(host: EngineHost, name: string, bytes: Uint8Array): Promise<void> {
  serve(host, name, bytes);
  const session = host.current;
  const rome = await loadRomeEditor(session.view, async (n) =>
    n === name ? bytes : ((await host.loadedSource?.editorFiles(n)) ?? null),
  );
  if (!rome) throw new EditorWeightsError('The ROME statistics could not be installed.');
  session.addEditor('rome', rome);
}

/** After a load: ROME from the cache when this model's weights have statistics there. Returns the methods. */
export async function attachCachedRomeStats(host: EngineHost, cache: StatsCache): Promise<MethodName[]> {
  const session = host.current;
  if (session.methods.includes('rome')) return session.methods;
  try {
    // Fingerprinting reads the key weights back (seconds for a large model): only when something is stored.
    if (!(await cache.any())) return session.methods;
    const layer = await siteLayer(host);
    const bytes = await cache.get(`${await keyWeightsHash(session.view.model, layer)}-l${layer}`);
    if (bytes) await install(host, covarianceFileName(layer), bytes);
  } catch {
    // A damaged or stale cache entry: ROME stays off and "Compute ROME statistics" is offered again.
  }
  return session.methods;
}

export async function computeRomeStats(
  host: EngineHost,
  cache: StatsCache,
  input: RomeStatsInput,
  tools: { progress: (p: ProgressEvent) => void; checkCancelled: () => void },
): Promise<RomeStatsResult> {
  const session = host.current;
  const { model, tokenizer } = session.view;
  const tokens = input.tokens ?? DEFAULT_STATS_TOKENS;
  if (!Number.isInteger(tokens) || tokens < 100 || tokens > MAX_STATS_TOKENS)
    throw new RangeError(`The statistics need 100 to ${MAX_STATS_TOKENS} tokens (got ${tokens}).`);
  if (session.stack.patches.length > 0)
    throw new EditorWeightsError(
      `ROME's statistics are taken on the unedited model: undo or reset your ${session.stack.patches.length} edit(s) first, then compute them.`,
    );
  const t0 = performance.now();
  const layer = await siteLayer(host);
  const name = covarianceFileName(layer);
  const key = `${await keyWeightsHash(model, layer)}-l${layer}`;
  const cached = await cache.get(key);
  const corpus = await host.loadedSource?.editorFiles('corpus.tsv');
  const source: CovarianceSource = corpus ? 'corpus' : 'self';
  const done = (fromCache: boolean, note: string | null, n: number): RomeStatsResult => ({
    methods: session.methods,
    layer,
    tokens: n,
    source,
    fromCache,
    seconds: (performance.now() - t0) / 1000,
    note,
  });
  if (cached) {
    await install(host, name, cached);
    return done(true, null, tokens);
  }
  const sequences = corpus
    ? sampleSequences(new TextDecoder().decode(corpus), tokenizer, model.dims.nPositions, tokens)
    : await selfSampledSequences(model, {
        tokens,
        startId: tokenizer.eosId ?? 0,
        stopId: tokenizer.eosId,
        seed: input.seed ?? 1,
        checkCancelled: tools.checkCancelled,
        onProgress: (d, t) =>
          tools.progress({ stage: 'Sampling text from the model', fraction: (0.7 * d) / t }),
      });
  const share = corpus ? 0 : 0.7;
  const cov = await computeKeyCovariance(model, sequences, layer, (d, t) => {
    tools.checkCancelled(); // stops between batches; the function frees its buffers
    tools.progress({ stage: "Computing ROME's key statistics", fraction: share + ((1 - share) * d) / t });
  });
  cov.source = source;
  const bytes = serializeKeyCovariance(cov);
  let note: string | null = null;
  try {
    await cache.put(key, bytes);
  } catch (e) {
    note = `The statistics could not be stored in the browser (${(e as Error).name === 'QuotaExceededError' ? 'storage is full' : (e as Error).message}): ROME works until this tab closes; free some site storage to keep them.`;
  }
  await install(host, name, bytes);
  return done(false, note, cov.tokens);
}

/** The loadModel answer with ROME added from the cache when this model's statistics are there. */
export async function withCachedRomeStats(
  host: EngineHost,
  cache: StatsCache,
  model: ModelInfo,
): Promise<{ model: ModelInfo }> {
  return { model: { ...model, methods: await attachCachedRomeStats(host, cache) } };
}
