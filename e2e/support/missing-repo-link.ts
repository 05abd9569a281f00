// A link to a hub repo that is not there: the page opens without loading any model (one 404 on config.json,
// said in a banner), so a spec can choose its model in the picker without paying for the default one first.
import { encodeFragment } from '../../src/app/permalink/codec.ts';

const MISSING_REPO = 'test-org/no-such-model';

/** The fragment (`#s=…`) of that link, its draft edit France → Rome with the given method. */
export function missingRepoLink(method: 'ft' | 'ibke'): Promise<string> {
  return encodeFragment({
    v: 1,
    model: { kind: 'hub', repoId: MISSING_REPO },
    edits: [],
    draft: { prompt: 'The capital of France is', subject: 'France', target: ' Rome', method, settings: {} },
    probes: { gen: ["France's capital city is"], loc: ['The capital of Germany is'] },
    seed: 1,
  });
}
