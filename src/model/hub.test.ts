import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeModelCheckpoint } from './checkpoint.ts';
import { writeCheckpointDir } from './checkpoint-node.ts';
import { SHARD_INDEX_FILE } from './checkpoint-shards.ts';
import { GPT2_PRESETS } from './config.ts';
import { ConfigError, DownloadError, WeightsError } from './errors.ts';
import {
  hubFileUrl,
  hubRepoFiles,
  loadHubCheckpoint,
  loadHubModelCheckpoint,
  type CacheStorageLike,
  type DownloadProgress,
} from './hub.ts';
import { tinyLlamaCheckpoint, tinyQwen3Config } from './llama-testing.ts';
import { tinyCheckpoint } from './testing.ts';

const tiny = GPT2_PRESETS.tiny;
const original = tinyCheckpoint(tiny, 5);
const qwenOriginal = tinyLlamaCheckpoint(tinyQwen3Config(), 6);
const qwenShards: string[] = [];

/** A local stand-in for huggingface.co: GET /{owner}/{name}/resolve/{revision}/{file}. */
let server: Server;
let endpoint: string;
let dir: string;
const hits: string[] = [];
const files = new Map<string, Buffer>(); // URL path -> body

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'editscope-hub-'));
  await writeCheckpointDir(dir, original);
  for (const f of ['config.json', 'model.safetensors', 'tokenizer.json']) {
    files.set(`/test-org/tiny-gpt2/resolve/main/${f}`, await readFile(join(dir, f)));
    files.set(`/test-org/tiny-gpt2/resolve/v1.0/${f}`, await readFile(join(dir, f)));
  }
  files.set('/qwen/moe/resolve/main/config.json', Buffer.from('{"model_type": "qwen3_moe"}'));
  files.set('/qwen/moe/resolve/main/model.safetensors', Buffer.alloc(10));
  // A tiny Qwen3 in shards, and two broken copies: one with a shard missing, one whose index promises a tensor.
  const qwen = serializeModelCheckpoint(qwenOriginal, { maxShardBytes: 8192 });
  const put = (repo: string, name: string, body: string | Uint8Array) =>
    files.set(`/${repo}/resolve/main/${name}`, Buffer.from(body));
  for (const repo of ['test-org/tiny-qwen3', 'broken/no-shard', 'broken/promise']) {
    put(repo, 'config.json', qwen.config);
    put(repo, 'tokenizer.json', qwen.tokenizer);
    put(repo, SHARD_INDEX_FILE, qwen.shards!.index);
    for (const [name, bytes] of qwen.shards!.shards) put(repo, name, bytes);
  }
  qwenShards.push(...qwen.shards!.shards.keys());
  files.delete(`/broken/no-shard/resolve/main/${qwenShards[1]}`);
  const index = JSON.parse(qwen.shards!.index);
  index.weight_map['model.layers.7.mlp.up_proj.weight'] = qwenShards[0];
  put('broken/promise', SHARD_INDEX_FILE, JSON.stringify(index));
  put('test-org/tiny-qwen3', 'editors/mend/config.json', '{"format": "editscope-hypernet"}');
  files.set('/big/model/resolve/main/config.json', await readFile(join(dir, 'config.json')));
  files.set('/big/model/resolve/main/tokenizer.json', await readFile(join(dir, 'tokenizer.json')));
  files.set('/big/model/resolve/main/model.safetensors', Buffer.alloc(5000));
  server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? '');
    hits.push(path);
    if (path.startsWith('/gated/')) return void res.writeHead(401).end();
    const body = files.get(path);
    if (!body) return void res.writeHead(404).end('Entry not found');
    if (path.endsWith('tokenizer.json')) {
      // Chunked, without Content-Length, as a proxy might send it.
      res.writeHead(200);
      res.write(body.subarray(0, 100));
      return void res.end(body.subarray(100));
    }
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** An in-memory CacheStorage, the part the Cache API offers to hub.ts. */
function memoryCache(): CacheStorageLike & { stored: Map<string, ArrayBuffer> } {
  const stored = new Map<string, ArrayBuffer>();
  return {
    stored,
    open: async () => ({
      match: async (url: string) => (stored.has(url) ? new Response(stored.get(url)!.slice(0)) : undefined),
      put: async (url: string, response: Response) => void stored.set(url, await response.arrayBuffer()),
    }),
  };
}

describe('hub downloads', () => {
  it('downloads config, tokenizer and weights from the resolve URL layout, with progress', async () => {
    hits.length = 0;
    const events: DownloadProgress[] = [];
    const ckpt = await loadHubCheckpoint('test-org/tiny-gpt2', {
      endpoint,
      cache: null,
      onProgress: (p) => events.push(p),
    });
    expect(ckpt.config).toEqual(tiny);
    for (const [name, data] of original.weights) expect(ckpt.weights.get(name)).toEqual(data);
    expect(hits[0]).toBe('/test-org/tiny-gpt2/resolve/main/config.json'); // config first, checked before the rest
    expect(hits.slice(1).sort()).toEqual([
      '/test-org/tiny-gpt2/resolve/main/model.safetensors',
      '/test-org/tiny-gpt2/resolve/main/tokenizer.json',
    ]);

    const size = files.get('/test-org/tiny-gpt2/resolve/main/model.safetensors')!.length;
    const weights = events.filter((e) => e.file === 'model.safetensors');
    expect(weights.at(-1)).toEqual({
      file: 'model.safetensors',
      loaded: size,
      total: size,
      fromCache: false,
      done: true,
    });
    expect(weights.every((e, i) => i === 0 || e.loaded >= weights[i - 1].loaded)).toBe(true);
    expect(weights.filter((e) => !e.done).every((e) => e.total === size)).toBe(true);
    const tok = events.filter((e) => e.file === 'tokenizer.json');
    expect(tok[0].total).toBeNull(); // no Content-Length
    expect(tok.at(-1)!.done).toBe(true);
  });

  it('serves a second load from the cache without touching the network', async () => {
    const cache = memoryCache();
    await loadHubCheckpoint('test-org/tiny-gpt2', { endpoint, cache, revision: 'v1.0' });
    expect(cache.stored.size).toBe(3);
    hits.length = 0;
    const events: DownloadProgress[] = [];
    const again = await loadHubCheckpoint('test-org/tiny-gpt2', {
      endpoint,
      cache,
      revision: 'v1.0',
      onProgress: (p) => events.push(p),
    });
    expect(hits).toEqual([]);
    expect(again.weights.get('wte.weight')).toEqual(original.weights.get('wte.weight'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.fromCache)).toBe(true);
  });

  it('stops after config.json when the repo holds a model Editscope does not run', async () => {
    hits.length = 0;
    const error = await loadHubCheckpoint('qwen/moe', { endpoint, cache: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(`${endpoint}qwen/moe/resolve/main/config.json`);
    expect((error as ConfigError).problem).toMatch(/^model_type "qwen3_moe" is not supported/);
    expect(hits).toEqual(['/qwen/moe/resolve/main/config.json']);
  });

  it('downloads a sharded Qwen3 shard by shard, with progress for each, and caches every shard', async () => {
    hits.length = 0;
    const cache = memoryCache();
    const events: DownloadProgress[] = [];
    const model = await loadHubModelCheckpoint('test-org/tiny-qwen3', {
      endpoint,
      cache,
      onProgress: (p) => events.push(p),
    });
    expect(model.config.architecture).toBe('qwen3');
    for (const [name, data] of qwenOriginal.weights) expect(model.weights.get(name), name).toEqual(data);
    const base = '/test-org/tiny-qwen3/resolve/main/';
    // config.json first; tokenizer.json and the model.safetensors probe (404) together; then the index and each
    // shard in order.
    expect(hits[0]).toBe(`${base}config.json`);
    expect(hits.slice(1, 3).sort()).toEqual([`${base}model.safetensors`, `${base}tokenizer.json`]);
    expect(hits.slice(3)).toEqual([SHARD_INDEX_FILE, ...qwenShards].map((f) => `${base}${f}`));
    for (const shard of qwenShards) {
      expect(
        events.some((e) => e.file === shard && e.done && !e.fromCache),
        shard,
      ).toBe(true);
    }
    hits.length = 0;
    const again = await loadHubModelCheckpoint('test-org/tiny-qwen3', { endpoint, cache });
    expect(again.weights.get('model.norm.weight')).toEqual(qwenOriginal.weights.get('model.norm.weight'));
    expect(hits).toEqual([`${base}model.safetensors`]); // only the probe; every real file came from the cache
  });

  it('names a shard the hub does not have, and a tensor the index promises but no shard holds', async () => {
    const missing = await loadHubModelCheckpoint('broken/no-shard', { endpoint, cache: null }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(DownloadError);
    expect((missing as DownloadError).file).toBe(`${endpoint}broken/no-shard/resolve/main/${qwenShards[1]}`);
    expect((missing as DownloadError).problem).toMatch(/404/);
    const promise = await loadHubModelCheckpoint('broken/promise', { endpoint, cache: null }).catch(
      (e: unknown) => e,
    );
    expect(promise).toBeInstanceOf(WeightsError);
    expect((promise as WeightsError).message).toBe(
      `${endpoint}broken/promise/resolve/main/${qwenShards[0]}: does not hold tensor model.layers.7.mlp.up_proj.weight, which ${SHARD_INDEX_FILE} says is there. The shard is from another checkpoint or the download is damaged: download it again.`,
    );
  });

  it('turns HTTP failures and bad repo ids into DownloadErrors that say what to do', async () => {
    const missing = await loadHubCheckpoint('nobody/nothing', { endpoint, cache: null }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(DownloadError);
    expect((missing as DownloadError).file).toBe(`${endpoint}nobody/nothing/resolve/main/config.json`);
    expect((missing as DownloadError).problem).toMatch(/404: no such repository, revision or file/);
    const gated = await loadHubCheckpoint('gated/model', { endpoint, cache: null }).catch((e: unknown) => e);
    expect((gated as DownloadError).problem).toMatch(/401: the repository is private or gated/);

    hits.length = 0;
    for (const bad of ['../etc/passwd', 'a/b/c', '', 'owner/na me', 'x--y/z']) {
      await expect(loadHubCheckpoint(bad, { endpoint, cache: null }), bad).rejects.toThrow(
        /is not a Hugging Face repo id/,
      );
    }
    expect(hits).toEqual([]);
    const refused = await loadHubCheckpoint('x/y', { endpoint: 'http://127.0.0.1:1', cache: null }).catch(
      (e: unknown) => e,
    );
    expect((refused as DownloadError).problem).toMatch(/could not be downloaded .* Check the connection/);
  });

  it('refuses a file larger than the limit', async () => {
    const error = await loadHubCheckpoint('big/model', { endpoint, cache: null, maxFileBytes: 4096 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).problem).toBe(
      'is 5000 bytes or more, above the 4096-byte limit for one file.',
    );
  });

  it('builds resolve URLs like huggingface_hub does', () => {
    expect(hubFileUrl('openai-community/gpt2', 'config.json')).toBe(
      'https://huggingface.co/openai-community/gpt2/resolve/main/config.json',
    );
    expect(
      hubFileUrl('gpt2', 'tokenizer.json', { endpoint: 'https://hf-mirror.com/', revision: 'refs/pr/1' }),
    ).toBe('https://hf-mirror.com/gpt2/resolve/refs%2Fpr%2F1/tokenizer.json');
    expect(() => hubFileUrl('gpt2', 'config.json', { endpoint: 'file:///etc' })).toThrow(DownloadError);
  });
  it('reads files next to the weights by their path in the repo (editors/…), null when absent, no escaping', async () => {
    hits.length = 0;
    const read = hubRepoFiles('test-org/tiny-qwen3', { endpoint, cache: null });
    expect(new TextDecoder().decode((await read('editors/mend/config.json'))!)).toContain(
      'editscope-hypernet',
    );
    expect(await read('editors/ibke/config.json')).toBeNull(); // 404: this repo ships no IBKE editor
    for (const bad of [
      '../other/repo/config.json',
      'editors/../../x',
      '/etc/passwd',
      'a?b=1',
      'editors//x',
      '.',
    ]) {
      await expect(read(bad)).rejects.toThrow(/not a file path inside a repository/);
    }
    expect(hits).toEqual([
      '/test-org/tiny-qwen3/resolve/main/editors/mend/config.json',
      '/test-org/tiny-qwen3/resolve/main/editors/ibke/config.json',
    ]);
    expect(() => hubRepoFiles('not a repo')).toThrow(DownloadError);
  });
});
