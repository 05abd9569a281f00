import { defineConfig } from 'vitest/config';

// Two projects: `unit` is plain TypeScript; `gpu` needs a WebGPU adapter in Node (Dawn + a Vulkan ICD, see
// scripts/gpu-env.sh) and fails loudly when there is none.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
          exclude: ['src/**/*.gpu.test.ts'],
          environment: 'node',
          // Some tests rebuild the fact world or read 26k parquet rows: slow on a busy 2-core machine.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'gpu',
          include: ['src/**/*.gpu.test.ts'],
          environment: 'node',
          // Trained toys shared between this run's files (src/editors/toy-cache.testing.ts).
          globalSetup: ['src/editors/toy-cache.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // One Dawn instance per worker process is plenty; the CPU adapters use every core anyway.
          pool: 'forks',
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
