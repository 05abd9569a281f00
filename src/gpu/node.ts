// WebGPU in Node through Dawn (the `webgpu` npm package). Only Node code (CLI, tests, benchmarks) imports this.

import { existsSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebGPUUnavailableError } from './errors.ts';
import { acquireDevice, type AcquiredDevice } from './adapter.ts';

/** Vulkan drivers that give Dawn a working adapter on a machine without a GPU, fastest first. */
const SOFTWARE_ICDS = [
  '/usr/share/vulkan/icd.d/lvp_icd.json', // Mesa 25 lavapipe (bookworm-backports); Mesa 22's gives no adapter
  '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json',
  '/usr/lib/chromium/vk_swiftshader_icd.json', // SwiftShader shipped inside Debian's chromium package
];

export const NODE_HELP =
  'No WebGPU adapter in Node. Dawn (the `webgpu` npm package) needs a Vulkan driver: install a GPU driver, ' +
  'or run `apt-get install chromium libvulkan1` for SwiftShader (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json), ' +
  'or Mesa 25 lavapipe from bookworm-backports. `npm test` installs these on Debian.';

/** Chooses a Vulkan ICD unless the user set one, and gives Vulkan a private runtime dir (silences XDG warnings). */
function prepareEnvironment(): void {
  const env = process.env;
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'editscope-xdg-'));
  if (env.VK_ICD_FILENAMES || env.EDITSCOPE_ANY_ICD) return;
  const wanted = env.EDITSCOPE_ADAPTER; // 'swiftshader' | 'lavapipe' to force one in benchmarks
  const icd = SOFTWARE_ICDS.find(
    (p) => existsSync(p) && (!wanted || p.includes(wanted === 'lavapipe' ? 'lvp' : wanted)),
  );
  // With a hardware driver installed, let the Vulkan loader find it; only pin a software ICD on machines without one.
  if (icd && (wanted || !existsSync('/dev/dri') || env.EDITSCOPE_SOFTWARE_GPU)) env.VK_ICD_FILENAMES = icd;
}

let cachedGpu: GPU | undefined;

export async function nodeGPU(): Promise<GPU> {
  if (cachedGpu) return cachedGpu;
  prepareEnvironment();
  let mod: typeof import('webgpu');
  try {
    mod = await import('webgpu');
  } catch (e) {
    throw new WebGPUUnavailableError(
      `Could not load the \`webgpu\` package (${(e as Error).message}). Run \`npm ci\`.`,
    );
  }
  Object.assign(globalThis, mod.globals);
  // Dawn instance options for measurements (bench/peers/node-vs-chromium.ts), space-separated, e.g.
  // EDITSCOPE_DAWN_OPTIONS="enable-dawn-features=skip_validation"; none by default.
  cachedGpu = mod.create((process.env.EDITSCOPE_DAWN_OPTIONS ?? '').split(/\s+/).filter(Boolean));
  return cachedGpu;
}

export async function acquireNodeDevice(): Promise<AcquiredDevice> {
  const gpu = await nodeGPU();
  const icd = process.env.VK_ICD_FILENAMES ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})` : '';
  return acquireDevice(gpu, NODE_HELP + icd);
}
