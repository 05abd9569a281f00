#!/usr/bin/env bash
# One command for a machine with a real GPU (e.g. a 16-core H200 box): checks for a Vulkan GPU adapter through
# Dawn (Node, the `webgpu` package) and through headless Chromium, then runs the kernel, engine, edit-latency,
# peer, first-chart and Node-vs-Chromium benchmarks and writes bench/results/*-<adapter>.json with the adapter
# named inside. Budget: under 8 minutes (each step has its own timeout; the peer run gets what is left).
#
#   bash bench/device.sh            (from the repo root; no network: everything comes from node_modules)
#
# Needs: this repo with node_modules installed (npm ci was run once, offline is fine afterwards), Node >= 20.19,
# a Vulkan driver for the GPU (NVIDIA: the proprietary driver ships its ICD in /usr/share/vulkan/icd.d/
# nvidia_icd.json; `vulkaninfo --summary` from vulkan-tools shows it), libvulkan1, and for the browser part a
# Chromium (CHROMIUM_PATH, default /usr/bin/chromium). Without a GPU adapter it stops with a message and
# writes nothing: the software adapters have their own results already.
set -uo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
chmod 700 "$XDG_RUNTIME_DIR"
# Never let the software ICDs win: Dawn must find the hardware driver through the Vulkan loader.
unset VK_ICD_FILENAMES EDITSCOPE_ADAPTER EDITSCOPE_SOFTWARE_GPU
export EDITSCOPE_ANY_ICD=1
START=$(date +%s)
left() { echo $((480 - ($(date +%s) - START))); }
log() { printf '\n\033[1m== %s (%ss left) ==\033[0m\n' "$*" "$(left)"; }

log "GPU adapter through Dawn (Node)"
ADAPTER=$(timeout 60 node --import ./bin/register.mjs --input-type=module -e "
  const { acquireNodeDevice } = await import('./src/gpu/node.ts');
  const { describeAdapter } = await import('./src/gpu/adapter.ts');
  const d = await acquireNodeDevice();
  console.log(JSON.stringify({ name: describeAdapter(d.summary), isCpu: d.summary.isCpu, features: d.summary.features }));
  process.exit(0);
" 2>/dev/null | tail -1)
echo "${ADAPTER:-none}"
if [[ -z "$ADAPTER" ]] || [[ "$ADAPTER" == *'"isCpu":true'* ]]; then
  echo "No hardware GPU adapter through Dawn/Vulkan (got: ${ADAPTER:-nothing}). Install the GPU's Vulkan driver; stopping." >&2
  exit 1
fi

# Chromium with the GPU: drop SwiftShader, let Dawn pick the Vulkan device.
CHROMIUM_GPU_ARGS='--enable-features=Vulkan --use-angle=vulkan --enable-unsafe-webgpu --ignore-gpu-blocklist --disable-software-rasterizer'
export BENCH_CHROMIUM_ARGS="$CHROMIUM_GPU_ARGS"

log "matmul kernels (bench/kernels.ts)"
BENCH_REPEATS=5 timeout 100 node --import ./bin/register.mjs bench/kernels.ts || echo "kernel benchmark failed or ran out of time"

log "engine forward + backward, 124M (bench/engine.ts)"
BENCH_REPEATS=3 timeout 80 node --import ./bin/register.mjs bench/engine.ts || echo "engine benchmark failed or ran out of time"

log "IBKE edit latency against forward + backward (bench/latency.ts)"
BENCH_ROUNDS=5 timeout 80 node --import ./bin/register.mjs bench/latency.ts || echo "latency benchmark failed or ran out of time"

if [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  # The peer run builds the pages (and the app) into $TMPDIR/editscope-peers-dist; the two runs after it reuse
  # that build. 150 s are kept for them.
  log "peers in Chromium (bench/peers/run.ts)"
  BUDGET=$(($(left) - 150))
  BENCH_ROUNDS=5 BENCH_THREADS=$(nproc) timeout "$((BUDGET > 60 ? BUDGET : 60))" \
    node --import ./bin/register.mjs bench/peers/run.ts || echo "peer benchmark failed or ran out of time"

  DIST="$(node -e 'console.log(require("os").tmpdir())')/editscope-peers-dist"
  log "time to the first chart, cold load of the built app (bench/first-chart.ts)"
  BENCH_DIST="$DIST" BENCH_ROUNDS=3 timeout 80 node --import ./bin/register.mjs bench/first-chart.ts ||
    echo "first-chart benchmark failed or ran out of time"

  log "the engine in Node against Chromium, same GPU (bench/peers/node-vs-chromium.ts)"
  BENCH_NO_BUILD=1 BENCH_ROUNDS=5 timeout 60 node --import ./bin/register.mjs bench/peers/node-vs-chromium.ts ||
    echo "node-vs-chromium benchmark failed or ran out of time"
else
  echo "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium}: skipped the browser part"
fi

log "done"
ls -1t bench/results/*.json | head -8
echo "Commit the new bench/results/*-<adapter>.json files."
