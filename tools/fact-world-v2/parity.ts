// Engine/PyTorch parity for a trained fact-world checkpoint: the engine's side (see tools/torch/fact_world_parity.py).
// Computes each line's mean completion NLL with the engine and compares with PyTorch's; exits 1 past the tolerance.
//   node --import ./bin/register.mjs tools/fact-world-v2/parity.ts --expected /tmp/fw2-parity.json --model public/models/fact-world-v2

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadModelDir } from '../../src/cli/engine.ts';
import { completionRows, makeBatch } from '../../src/model/batch.ts';

interface Expected {
  sequences: number[][];
  promptLengths: number[];
  losses: number[];
  mean: number;
}

export async function engineLosses(dir: string, e: Expected): Promise<number[]> {
  const { model } = await loadModelDir(dir);
  const out: number[] = [];
  for (const [i, seq] of e.sequences.entries()) {
    const batch = makeBatch([seq], model.dims.nPositions);
    const r = await model.run(batch, completionRows(batch, [e.promptLengths[i]]));
    out.push(r.loss);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      expected: { type: 'string' },
      model: { type: 'string' },
      tolerance: { type: 'string', default: '1e-4' },
    },
  });
  if (!values.expected || !values.model) {
    console.error('parity: give --expected FILE (from tools/torch/fact_world_parity.py) and --model DIR.');
    process.exit(1);
  }
  const e = JSON.parse(readFileSync(values.expected, 'utf8')) as Expected;
  const got = await engineLosses(values.model, e);
  const worst = Math.max(...got.map((g, i) => Math.abs(g - e.losses[i])));
  const mean = got.reduce((s, x) => s + x, 0) / got.length;
  console.log(
    JSON.stringify({
      lines: got.length,
      engineMean: mean,
      torchMean: e.mean,
      maxAbsDiff: worst,
      tolerance: Number(values.tolerance),
    }),
  );
  process.exit(worst <= Number(values.tolerance) ? 0 : 1);
}
