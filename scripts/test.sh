#!/usr/bin/env bash
# Everything CI runs (`npm test`): setup, type-check, lint, unit tests, GPU kernel tests in Node on SwiftShader,
# and the Playwright suite in headless Chromium with WebGPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

step() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
step "type-check"; npx tsc -p tsconfig.json --noEmit
step "lint";       npx eslint . && npx prettier --check . --log-level warn
step "unit tests"; npx vitest run --project unit
# The GPU tests run on SwiftShader (Debian's chromium ships it) so results are the same on every machine.
step "GPU tests (Node, SwiftShader)"
EDITSCOPE_ADAPTER=swiftshader npx vitest run --project gpu
step "build";      npx vite build --logLevel warn
step "e2e (headless Chromium, WebGPU on SwiftShader)"
# Every spec except the ONNX interop page (heavy: transformers.js in the page), the real-use tests tagged @full
# and the @slow browser-vs-Node training test, which pass but would take `npm test` past its time budget on a
# 2-core machine; `npm run test:e2e` runs every spec. One run: one server start and one browser.
CI=1 npx playwright test e2e/gpu.spec.ts e2e/playground.spec.ts e2e/a11y.spec.ts e2e/qwen-hub.spec.ts \
  e2e/dtype.spec.ts e2e/gguf.spec.ts e2e/sequential.spec.ts e2e/train-editor.spec.ts e2e/real-use.spec.ts \
  --grep-invert "@slow|@full"
