#!/usr/bin/env bash
# Installs what Editscope needs on a fresh Debian 12 machine, skipping whatever is already there:
#   - chromium (headless browser for e2e; it also ships the SwiftShader Vulkan driver Dawn uses in Node)
#   - libvulkan1 (the Vulkan loader Dawn opens)
#   - node_modules (npm ci, when missing or older than package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || need_apt+=(libvulkan1)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "editscope setup: please install ${need_apt[*]} (apt-get install -y ${need_apt[*]}) and rerun." >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  echo "editscope setup: installing ${need_apt[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "editscope setup: npm ci"
  # @huggingface/transformers (test-only, for the ONNX interop e2e) pulls onnxruntime-node, whose postinstall
  # downloads binaries from a host that is unreachable here; we never use it, so skip that download.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
