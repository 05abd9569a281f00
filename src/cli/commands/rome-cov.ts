// `editscope rome-cov`: computes ROME's key covariance C = E[k kᵀ] at one block of a model folder over a text
// sample and writes it next to the model (rome-cov-l{L}.safetensors), where the ROME editor finds it. The text is
// a corpus file (--source corpus, the default) or text the model samples itself (--source self: for models that
// ship no corpus; the browser worker computes the same statistics the same way).

import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { middleLayer } from '../../editors/settings.ts';
import {
  computeKeyCovariance,
  covarianceFileName,
  selfSampledSequences,
  serializeKeyCovariance,
} from '../../editors/rome-covariance.ts';
import { sampleSequences } from '../../train/corpus-sample.ts';
import { intOption, output, parse, requireString, UsageError } from '../args.ts';
import { loadLanguageModelDir } from '../engine.ts';

const USAGE =
  'editscope rome-cov --model DIR [--layer L] [--source corpus|self] [--corpus data/fact-world/corpus.tsv] [--tokens 50000] [--seed 1] [--json]';

export async function romeCov(argv: string[]): Promise<void> {
  const opt = { type: 'string' } as const;
  const { values } = parse(
    argv,
    { model: opt, layer: opt, corpus: opt, tokens: opt, source: opt, seed: opt },
    USAGE,
  );
  const modelDir = requireString(values, 'model', USAGE);
  const maxTokens = intOption(values, 'tokens', 50_000, 1, 100_000_000);
  const source = (values.source as string | undefined) ?? 'corpus';
  if (source !== 'corpus' && source !== 'self')
    throw new UsageError(`--source must be corpus or self (got "${source}").\nUsage: ${USAGE}`);
  if (source === 'self' && values.corpus !== undefined)
    throw new UsageError(
      '--corpus names the text of --source corpus; --source self samples the model instead.',
    );
  const corpus = (values.corpus as string | undefined) ?? join('data', 'fact-world', 'corpus.tsv');
  let text = '';
  if (source === 'corpus') {
    try {
      text = await readFile(corpus, 'utf8');
    } catch {
      throw new UsageError(
        `Cannot read the corpus ${corpus}: give a text file with --corpus FILE, or --source self.`,
      );
    }
  }
  const loaded = await loadLanguageModelDir(modelDir);
  const { model, tokenizer } = loaded;
  const layer = intOption(values, 'layer', middleLayer(model.dims), 0, model.dims.nLayer - 1);
  const t0 = performance.now();
  const sequences =
    source === 'corpus'
      ? sampleSequences(text, tokenizer, model.dims.nPositions, maxTokens)
      : await selfSampledSequences(model, {
          tokens: maxTokens,
          startId: tokenizer.eosId ?? 0,
          stopId: tokenizer.eosId,
          seed: intOption(values, 'seed', 1, 0, 2 ** 31 - 1),
        });
  const sampleSeconds = (performance.now() - t0) / 1000;
  let lastLog = 0;
  const cov = await computeKeyCovariance(model, sequences, layer, (done, total) => {
    if (values.json || performance.now() - lastLog < 2000) return;
    lastLog = performance.now();
    process.stderr.write(`[rome-cov] ${done}/${total} tokens\n`);
  });
  const seconds = (performance.now() - t0) / 1000;
  cov.source = source;
  const file = join(loaded.dir, covarianceFileName(layer));
  await writeFile(`${file}.tmp`, serializeKeyCovariance(cov));
  await rename(`${file}.tmp`, file); // atomic: a reader never sees half a file
  const json = {
    file,
    layer,
    source,
    tokens: cov.tokens,
    n: cov.n,
    seconds,
    sampleSeconds,
    weightsHash: cov.weightsHash,
  };
  output(values, json, () =>
    [
      `wrote ${file}`,
      `layer ${layer}: E[k kᵀ] of ${cov.n}-wide keys over ${cov.tokens} tokens of ${source === 'self' ? 'self-sampled text' : corpus} in ${seconds.toFixed(1)} s`,
      `weights fingerprint ${cov.weightsHash}`,
    ].join('\n'),
  );
}

// The corpus sampler moved to src/train/corpus-sample.ts (the browser worker uses it too).
export { sampleSequences };
