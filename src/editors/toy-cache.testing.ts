// Trained toys shared by the GPU test files of one run. Training a toy is most of several editor tests' time on
// a CPU adapter (30–120 s each on a loaded 2-core machine), and six files train the same one. The GPU project's
// global setup (src/editors/toy-cache.setup.ts) makes a fresh folder per run and names it in EDITSCOPE_TOY_CACHE: the
// first file that needs a toy trains it with the engine's trainer and saves its weights there; later files
// load them. A new run always trains again, so a change to the trainer or the kernels is never hidden by a
// cache. Without the variable (a single file run by hand) every call trains.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSafetensors, serializeSafetensors, tensorToFloat32 } from '../model/safetensors.ts';

export const TOY_CACHE_ENV = 'EDITSCOPE_TOY_CACHE';

const fileOf = (arch: string, steps: number) => {
  const dir = process.env[TOY_CACHE_ENV];
  return dir ? join(dir, `toy-${arch}-${steps}.safetensors`) : null;
};

/** The weights a file of this run saved for this toy, or null (none yet, or no cache folder). */
export function loadTrainedToy(arch: string, steps: number): Map<string, Float32Array> | null {
  const file = fileOf(arch, steps);
  if (!file || !existsSync(file)) return null;
  const st = parseSafetensors(new Uint8Array(readFileSync(file)), file);
  return new Map([...st.tensors.keys()].map((name) => [name, tensorToFloat32(st, name)]));
}

/** Saves a trained toy for the later files of this run (written whole, then renamed into place). */
export function saveTrainedToy(arch: string, steps: number, weights: Map<string, Float32Array>): void {
  const file = fileOf(arch, steps);
  if (!file) return;
  const tensors = [...weights].map(([name, data]) => ({ name, shape: [data.length], data }));
  writeFileSync(`${file}.tmp`, serializeSafetensors(tensors));
  renameSync(`${file}.tmp`, file);
}
