// ROME with key statistics from text the model samples itself, against the statistics of its training corpus
// (issue 12): the same fact-world v1 model, the same site (rome-site.json), the same first 60 test edits, the
// same token count; only the text E[k kᵀ] is taken over differs. Also records the time of each source and how
// far the two covariances are apart. Writes bench/results/rome-self-sampled-<adapter>.json.
//
//   EDITSCOPE_ADAPTER=swiftshader node --import ./bin/register.mjs bench/rome-self-sampled.ts
//   env: ROME_EDITS (default 60), ROME_TOKENS (default: the shipped file's token count, 20,000), ROME_SEED (1)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderFiles } from '../src/cli/commands/edit.ts';
import { evaluate } from '../src/cli/commands/eval.ts';
import { sampleSequences } from '../src/cli/commands/rome-cov.ts';
import { loadLanguageModelDir } from '../src/cli/engine.ts';
import {
  computeKeyCovariance,
  covarianceFileName,
  parseKeyCovariance,
  selfSampledSequences,
  serializeKeyCovariance,
  keyWeightsHash,
  type KeyCovariance,
} from '../src/editors/rome-covariance.ts';
import { createEditors } from '../src/engine/editors.ts';
import { EditSession } from '../src/engine/session.ts';
import { readEditCases } from '../src/eval/datasets/index.ts';
import { describeAdapter } from '../src/gpu/adapter.ts';
import { adapterSlug } from './adapter-slug.ts';

const MODEL = 'public/models/fact-world';
const EDITS = 'data/fact-world/edits-test.json';
const CORPUS = 'data/fact-world/corpus.tsv';
const nEdits = Number(process.env.ROME_EDITS ?? 60);
const seed = Number(process.env.ROME_SEED ?? 1);

const loaded = await loadLanguageModelDir(MODEL);
const { model, tokenizer } = loaded;
const site = JSON.parse(readFileSync(join(MODEL, 'rome-site.json'), 'utf8')) as { layer: number };
const layer = site.layer;
const n = model.linear(layer, 'mlp.down').nIn;
const weightsHash = await keyWeightsHash(model, layer);
const shippedName = covarianceFileName(layer);
const shipped = parseKeyCovariance(readFileSync(join(MODEL, shippedName)), shippedName, {
  layer,
  n,
  weightsHash,
});
const tokens = Number(process.env.ROME_TOKENS ?? shipped.tokens);
const log = (s: string) => process.stderr.write(`[rome-self-sampled] ${s}\n`);

// Both covariances computed here with the same code and token count (the shipped file is the corpus one).
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}
const [corpusSeqs, corpusSampleS] = await timed(async () =>
  sampleSequences(readFileSync(CORPUS, 'utf8'), tokenizer, model.dims.nPositions, tokens),
);
const [corpusCov, corpusCovS] = await timed(() => computeKeyCovariance(model, corpusSeqs, layer));
log(
  `corpus: ${corpusCov.tokens} tokens, sample ${corpusSampleS.toFixed(1)} s, covariance ${corpusCovS.toFixed(1)} s`,
);
const [selfSeqs, selfSampleS] = await timed(() =>
  selfSampledSequences(model, {
    tokens,
    startId: tokenizer.eosId ?? 0,
    stopId: tokenizer.eosId,
    seed,
    onProgress: (d, t) => d % 2000 < 40 && log(`self-sampling ${d}/${t}`),
  }),
);
const [selfCov, selfCovS] = await timed(() => computeKeyCovariance(model, selfSeqs, layer));
log(
  `self: ${selfCov.tokens} tokens, sample ${selfSampleS.toFixed(1)} s, covariance ${selfCovS.toFixed(1)} s`,
);

function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    s += b[i] ** 2;
  }
  return Math.sqrt(d / s);
}

const cases = (await readEditCases(new Uint8Array(readFileSync(EDITS)), EDITS)).slice(0, nEdits);
async function romeWith(cov: KeyCovariance) {
  const bytes = serializeKeyCovariance(cov);
  const base = folderFiles(loaded.dir);
  const files = async (name: string) => (name === shippedName ? bytes : base(name));
  const view = { model, tokenizer };
  const session = new EditSession(view, await createEditors(view, files));
  const [summary, seconds] = await timed(() =>
    evaluate(session, 'rome', cases, (i) => i % 10 === 0 && log(`rome ${i}/${cases.length}`)),
  );
  return { ...summary, seconds };
}
const rows = {
  corpus: await romeWith(corpusCov),
  self: await romeWith(selfCov),
};
const sampleText = selfSeqs.slice(0, 8).map((s) => tokenizer.decode(s.slice(1)));
const result = {
  what: 'ROME on fact-world v1 (rome-site.json site) with key statistics from the training corpus vs from text the model sampled itself (temperature 1, from <|endoftext|>, each sample ending at <|endoftext|>): same edits, same token count',
  rerun: 'EDITSCOPE_ADAPTER=swiftshader node --import ./bin/register.mjs bench/rome-self-sampled.ts',
  adapter: describeAdapter(model.ctx.adapter),
  date: new Date().toISOString(),
  model: MODEL,
  layer,
  edits: cases.length,
  editsFile: EDITS,
  tokens,
  seed,
  covariance: {
    corpus: { tokens: corpusCov.tokens, sampleSeconds: corpusSampleS, seconds: corpusCovS },
    self: { tokens: selfCov.tokens, samples: selfSeqs.length, sampleSeconds: selfSampleS, seconds: selfCovS },
    relativeFrobeniusDiffSelfVsCorpus: relDiff(selfCov.cov, corpusCov.cov),
    relativeFrobeniusDiffCorpusVsShipped: relDiff(corpusCov.cov, shipped.cov),
  },
  selfSampleText: sampleText,
  rome: rows,
};
const out = `bench/results/rome-self-sampled-${adapterSlug(model.ctx.adapter)}.json`;
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
log(`wrote ${out}`);
for (const [k, r] of Object.entries(rows))
  log(
    `${k}: reliability ${r.reliability.toFixed(3)} generality ${r.generality.toFixed(3)} locality ${r.locality.toFixed(3)} (${r.seconds.toFixed(0)} s)`,
  );
process.exit(0);
