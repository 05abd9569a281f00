import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Pages: the app (index.html) and two test/benchmark pages that never load in the app:
//   bench/peers/interop.html  e2e/onnx-interop.spec.ts: edit, export ONNX, reload with transformers.js
//   bench/peers/index.html    npm run bench:peers: our engine against onnxruntime-web (WebGPU, wasm)
// onnxruntime-web and @huggingface/transformers are imported only by those pages (the interop page imports
// transformers.js lazily), so they never enter the app's chunks; their wasm files land in dist/assets.
//
// Chunks of the app: React and the charting library change rarely and are shared by every view, so they get
// their own long-cached files; the first chart then waits only for the app's own code and the two vendors, in
// parallel, not for one ~700 kB script.
function appChunk(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules\/(react|react-dom|scheduler|zustand)\//.test(id)) return 'vendor-react';
  if (
    /node_modules\/(recharts|d3-[a-z-]+|victory-vendor|internmap|decimal\.js-light|es-toolkit|immer|reselect|redux|react-redux|@reduxjs|use-sync-external-store|eventemitter3|tiny-invariant|clsx)\//.test(
      id,
    )
  )
    return 'vendor-charts';
  if (/node_modules\/(@huggingface\/tokenizers|gpt-3-encoder|hyparquet)\//.test(id)) return 'vendor-text';
  return undefined;
}

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  build: {
    rollupOptions: {
      input: {
        main: 'index.html',
        interop: 'bench/peers/interop.html',
        peers: 'bench/peers/index.html',
      },
      output: { manualChunks: appChunk },
    },
  },
});
