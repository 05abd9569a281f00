// The `editscope` command line. Errors print as one readable line on stderr (the stack only with --debug) and
// exit with status 1.

import { UsageError } from './args.ts';
import { info, init, predict, tokenize } from './commands/basic.ts';
import { edit } from './commands/edit.ts';
import { romeCov } from './commands/rome-cov.ts';
import { evalCommand } from './commands/eval.ts';
import { exportOnnx } from './commands/export-onnx.ts';
import { knowledge } from './commands/knowledge.ts';
import { trainEditor } from './commands/train-editor.ts';
import { trainModel } from './commands/train-model.ts';
import { trace } from './commands/trace.ts';
import { takeDtypeOption } from './gguf.ts';

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, [Command, string]> = {
  info: [info, 'the WebGPU adapter in use'],
  tokenize: [tokenize, 'token ids of a text'],
  predict: [predict, 'top-k next tokens of a prompt'],
  init: [init, 'write a randomly initialised GPT-2 checkpoint'],
  'train-model': [trainModel, 'train a GPT-2 on a text corpus with the WebGPU engine'],
  knowledge: [knowledge, 'accuracy of a model on every fact in every phrasing (fact-world)'],
  edit: [edit, 'apply one edit and show the probabilities before and after'],
  'rome-cov': [romeCov, "compute ROME's key covariance next to a model"],
  eval: [evalCommand, 'reliability, generality, locality, KL and latency of a method over a dataset'],
  'train-editor': [trainEditor, 'train a MEND or IBKE editor on an edit dataset'],
  'export-onnx': [
    exportOnnx,
    'write a model (optionally after one edit) as an ONNX folder for transformers.js',
  ],
  trace: [trace, "ROME's causal trace: where a model recalls its facts (layer x token)"],
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(14)} ${what}`);
  return `Usage: editscope <command> [options]   (add --json for machine-readable output)\n\nCommands:\n${lines.join('\n')}`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const debug = argv.includes('--debug');
  if (!name || name === '--help' || name === 'help' || name === '-h') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 1;
  }
  const entry = COMMANDS[name];
  try {
    if (!entry) throw new UsageError(`Unknown command "${name}".\n${help()}`);
    await entry[0](takeDtypeOption(rest)); // --dtype f32|f16|int8|int4 for every command that loads a model
    return 0;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(
      debug
        ? `${err.stack ?? err.message}\n`
        : `editscope ${name}: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`,
    );
    return 1;
  }
}
