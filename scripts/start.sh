#!/usr/bin/env bash
# `npm start`: install anything missing, build, and serve the app on the embedded fact-world model.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx vite build --logLevel warn
PORT="${PORT:-4173}"
echo
echo "  Editscope is being served at  http://localhost:${PORT}/"
echo "  (WebGPU needed: Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu)"
echo
exec npx vite preview --host 0.0.0.0 --port "$PORT" --strictPort
