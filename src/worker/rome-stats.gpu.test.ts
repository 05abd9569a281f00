// ROME statistics computed for a model that ships none, through the engine host as the worker runs it (Node
// device, an in-memory cache in place of Cache Storage): ROME is absent, then computed from self-sampled text
// with progress, added to the session and edits; a cancelled run adds nothing; the next load of the same
// weights gets ROME from the cache without computing; edits applied first are refused with a sentence.

import { describe, expect, it } from 'vitest';
import { acquireNodeDevice } from '../gpu/node.ts';
import { serializeCheckpoint } from '../model/checkpoint.ts';
import { GPT2_PRESETS } from '../model/config.ts';
import { tinyCheckpoint } from '../model/testing.ts';
import { EngineHost, type LoadedSource } from '../engine/host.ts';
import { computeRomeStats, withCachedRomeStats, type StatsCache } from './rome-stats.ts';

const FILES = serializeCheckpoint(tinyCheckpoint(GPT2_PRESETS.tiny, 4));
const source = (): LoadedSource => ({
  source: { kind: 'local', label: 'tiny' },
  name: 'tiny',
  files: FILES,
  editorFiles: async () => null,
});

function memoryCache(): StatsCache & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return {
    map,
    get: async (k) => map.get(k) ?? null,
    put: async (k, b) => void map.set(k, b),
    any: async () => map.size > 0,
  };
}

const EDIT = {
  request: { prompt: 'the cat sat on', subject: 'the cat', target: ' mat' },
  method: 'rome' as const,
  settings: { steps: 3 },
  gen: [],
  loc: [],
  skipContinuation: true,
};

describe('ROME statistics in the worker', () => {
  it('computes, installs, caches and refuses at the right times', async () => {
    const host = new EngineHost(acquireNodeDevice, () => {});
    const cache = memoryCache();
    const loaded = await withCachedRomeStats(host, cache, await host.load(source()));
    expect(loaded.model.methods).not.toContain('rome');

    // Cancelled half way: nothing added, nothing cached.
    let calls = 0;
    const cancelling = {
      progress: () => {},
      checkCancelled: () => {
        if (++calls > 3) throw Object.assign(new Error('Cancelled.'), { name: 'CancelledError' });
      },
    };
    await expect(computeRomeStats(host, cache, { tokens: 120 }, cancelling)).rejects.toThrow(/Cancelled/);
    expect(host.current.methods).not.toContain('rome');
    expect(cache.map.size).toBe(0);

    const fractions: number[] = [];
    const tools = {
      progress: (p: { fraction: number | null }) => fractions.push(p.fraction ?? -1),
      checkCancelled: () => {},
    };
    const result = await computeRomeStats(host, cache, { tokens: 120 }, tools);
    expect(result).toMatchObject({ source: 'self', tokens: 120, fromCache: false, note: null });
    expect(result.methods).toContain('rome');
    expect(fractions.length).toBeGreaterThan(2);
    expect(fractions.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= fractions[i - 1]))).toBe(true);
    expect(cache.map.size).toBe(1);
    const outcome = await host.edit(EDIT);
    expect(outcome.editId).toBeTruthy();

    // With an edit applied the keys would be the edited model's: refused.
    await expect(computeRomeStats(host, cache, { tokens: 120 }, tools)).rejects.toThrow(/unedited model/);

    // The next load of the same weights: ROME from the cache at once.
    const again = await withCachedRomeStats(host, cache, await host.load(source()));
    expect(again.model.methods).toContain('rome');
    host.unload();
  });
});
