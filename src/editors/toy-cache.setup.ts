// Vitest global setup of the GPU project: a fresh folder for the trained toys this run shares between its test
// files (src/editors/toy-cache.testing.ts), removed when the run ends.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOY_CACHE_ENV } from './toy-cache.testing.ts';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'editscope-toys-'));
  process.env[TOY_CACHE_ENV] = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
