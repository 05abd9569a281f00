// info, tokenize, predict, init: the engine's basic commands.

import { describeAdapter } from '../../gpu/adapter.ts';
import { writeCheckpointDir } from '../../model/checkpoint-node.ts';
import { GPT2_PRESETS, gpt2ParameterCount, type Gpt2PresetName } from '../../model/config.ts';
import { loadGpt2Tokenizer } from '../../model/gpt2-tokenizer-node.ts';
import { randomGpt2Init } from '../../model/gpt2/init.ts';
import { tinyTokenizerJson } from '../../model/testing.ts';
import { TextTokenizer } from '../../model/tokenizer.ts';
import { intOption, output, parse, requireString, UsageError } from '../args.ts';
import { gpuContext, loadLanguageModelDir, loadTokenizer } from '../engine.ts';

export async function info(argv: string[]): Promise<void> {
  const { values } = parse(argv, {}, 'editscope info [--json]');
  const ctx = await gpuContext();
  const a = ctx.adapter;
  output(values, { adapter: a, kernels: ctx.prefersTiled ? 'tiled' : 'blocked' }, () =>
    [
      `adapter:  ${describeAdapter(a)}`,
      `kernels:  ${ctx.prefersTiled ? 'workgroup-tiled (GPU)' : 'register-blocked, barrier-free (CPU adapter)'}`,
      `features: ${a.features.join(', ')}`,
      `max storage binding: ${(a.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`,
      `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES ?? '(loader default)'}`,
    ].join('\n'),
  );
}

const TOKENIZE_USAGE = 'editscope tokenize (--model DIR | --tokenizer gpt2|DIR) --text TEXT [--json]';

export async function tokenize(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    { model: { type: 'string' }, tokenizer: { type: 'string' }, text: { type: 'string' } },
    TOKENIZE_USAGE,
  );
  // An empty --text is a valid text (no tokens: prints []); only a missing one is a usage error.
  if (typeof values.text !== 'string') throw new UsageError(`Missing --text.\nUsage: ${TOKENIZE_USAGE}`);
  const text = values.text;
  const spec = (values.tokenizer ?? values.model) as string | undefined;
  if (!spec) throw new UsageError(`Give --model DIR or --tokenizer gpt2|DIR.\nUsage: ${TOKENIZE_USAGE}`);
  const tok: TextTokenizer = spec === 'gpt2' ? loadGpt2Tokenizer() : await loadTokenizer(spec);
  const ids = tok.encode(text);
  output(values, { ids }, () =>
    ids.length === 0 ? '[]' : ids.map((id) => `${id}\t${JSON.stringify(tok.tokenString(id))}`).join('\n'),
  );
}

const PREDICT_USAGE = 'editscope predict --model DIR --prompt TEXT [--top-k N] [--json]';

export async function predict(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    { model: { type: 'string' }, prompt: { type: 'string' }, 'top-k': { type: 'string' } },
    PREDICT_USAGE,
  );
  const dir = requireString(values, 'model', PREDICT_USAGE);
  const prompt = requireString(values, 'prompt', PREDICT_USAGE);
  const k = intOption(values, 'top-k', 10, 1, 64);
  const { model, tokenizer } = await loadLanguageModelDir(dir);
  const ids = tokenizer.encode(prompt);
  if (ids.length === 0) throw new UsageError('The prompt tokenizes to nothing: give some text.');
  // Llama-style tokenizers put <s> first (prefixIds); GPT-2's and Qwen's add nothing.
  const [top] = await model.topNext([[...tokenizer.prefixIds, ...ids]], k);
  const tokens = top.map((t) => ({ token: tokenizer.tokenString(t.id), id: t.id, prob: t.prob }));
  output(values, { tokens }, () =>
    tokens
      .map((t) => `${(t.prob * 100).toFixed(2).padStart(6)}%  ${JSON.stringify(t.token)}  (${t.id})`)
      .join('\n'),
  );
}

const INIT_USAGE = 'editscope init --config gpt2|gpt2-medium|tiny --seed S --out DIR';

export async function init(argv: string[]): Promise<void> {
  const { values } = parse(
    argv,
    { config: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
    INIT_USAGE,
  );
  const name = requireString(values, 'config', INIT_USAGE);
  if (!(name in GPT2_PRESETS))
    throw new UsageError(`Unknown --config "${name}": use gpt2, gpt2-medium or tiny.`);
  const config = GPT2_PRESETS[name as Gpt2PresetName];
  const seed = intOption(values, 'seed', 0, 0, 2 ** 31 - 1);
  const out = requireString(values, 'out', INIT_USAGE);
  const tokenizer = name === 'tiny' ? tinyByteTokenizer(config.vocabSize) : loadGpt2Tokenizer();
  await writeCheckpointDir(out, { config, weights: randomGpt2Init(config, seed), tokenizer });
  output(
    values,
    { out, parameters: gpt2ParameterCount(config) },
    () =>
      `wrote ${out}: ${name}, ${gpt2ParameterCount(config).toLocaleString('en')} parameters, seed ${seed}`,
  );
}

function tinyByteTokenizer(vocabSize: number): TextTokenizer {
  // The tiny preset's vocabulary is too small for GPT-2's; a byte-level one of the same size keeps it loadable.
  return TextTokenizer.fromJson(tinyTokenizerJson(vocabSize), 'tiny tokenizer.json');
}
