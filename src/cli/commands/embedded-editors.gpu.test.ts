// The built-in models' shipped editors (public/models/<name>/editors/, rome-cov-*.safetensors) load on their own
// model (the fingerprint in each config.json matches) and edit the playground's default example: the edit
// prompt's greedy continuation becomes the new target. A retrained model whose editors were not retrained fails
// here, not in a user's tab.

import { describe, expect, it } from 'vitest';
import { loadLanguageModelDir } from '../engine.ts';
import { openSession } from './edit.ts';

const REQUEST = { prompt: 'The capital of France is', subject: 'France', target: ' Rome' };
// The folders of src/app/model/embedded-models.ts (embedded-models.test.ts checks that list's files).
const BUILT_IN = ['fact-world', 'fact-world-v2'];
// Loading a model and one hypernetwork edit each; ROME's δ optimisation is the slow part on a CPU adapter.
const TIMEOUT = 300_000;

describe.each(BUILT_IN)('the built-in %s', (name) => {
  it(
    'offers every method, and its trained editors edit the default example',
    async () => {
      const session = await openSession(await loadLanguageModelDir(`public/models/${name}`));
      // The CLI's session adds AlphaEdit on ROME's statistics; the app's does not (src/engine/editors.ts).
      expect([...session.methods].sort()).toEqual(['alphaedit', 'ft', 'ibke', 'mend', 'rome', 'ultraedit']);
      for (const method of ['ibke', 'mend'] as const) {
        const outcome = await session.edit({ request: REQUEST, method, gen: [], loc: [] });
        expect(outcome.continuation.after, `${name} ${method}`).toMatch(/^ Rome/);
        expect(outcome.metrics.reliabilityExact, `${name} ${method}`).toBe(1);
        session.stack.reset();
      }
    },
    TIMEOUT,
  );
});
