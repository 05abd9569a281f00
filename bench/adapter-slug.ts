// The file-name tag of an adapter in bench/results/: swiftshader, lavapipe, or the GPU's vendor-architecture.

import type { AdapterSummary } from '../src/gpu/adapter.ts';

export function adapterSlug(a: AdapterSummary): string {
  const text = `${a.vendor} ${a.architecture} ${a.description}`.toLowerCase();
  if (text.includes('swiftshader')) return 'swiftshader';
  if (text.includes('llvmpipe') || text.includes('lavapipe')) return 'lavapipe';
  const name = [a.vendor, a.architecture].filter(Boolean).join('-') || 'gpu';
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}
