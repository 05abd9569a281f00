#!/usr/bin/env node
// The `editscope` command: predict, tokenize, init, info, train-model, train-editor, edit, eval, bench.
import './register.mjs';

const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
