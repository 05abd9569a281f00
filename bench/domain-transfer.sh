#!/bin/bash
# Domain transfer on fact-world v2 (issue 13 item 6, the IBKE paper's Figure 5): train IBKE, with and without
# the information bottleneck, on the edits of one domain (tools/fact-world-v2/domains.ts), then test each editor
# on every domain's test edits, one edit at a time; writes bench/results/issue13/transfer/ and the heat map.
#   bash bench/domain-transfer.sh [STEPS=150] [SPREAD=30] [TRAINED="countries people"]
# Each training is about 10 minutes at 150 steps on the 2-core machine (SwiftShader); each eval about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-150}
SPREAD=${2:-30}
TRAINED=${3:-countries people}
M=public/models/fact-world-v2
R=bench/results/issue13/transfer
W=${TRANSFER_WORK:-/tmp/editscope-transfer}
mkdir -p "$R" "$W"
declare -A REL
while IFS=$'\t' read -r d rs; do REL[$d]=$rs; done < <(npx tsx tools/fact-world-v2/domains.ts)
B="--model $M --data data/fact-world-v2/edits-train.json --val data/fact-world-v2/edits-val.json --batch 8 --max-val 32 --seed 1 --steps $STEPS --validate-every $STEPS --lm 16 --lambda-rel 1 --lambda-gen 1 --lambda-loc 1"
for d in $TRAINED; do
  for v in ibke no-ib; do
    flags="--beta 1e-3"; [ "$v" = no-ib ] && flags="--beta 0 --no-ib"
    out="$W/$v-$d"
    [ -f "$out/editor.safetensors" ] || npx editscope train-editor $B $flags --method ibke --relations "${REL[$d]}" \
      --state "$W/state-$v-$d" --out "$out" > "$R/train-$v-$d.log" 2>&1
    for t in "${!REL[@]}"; do
      npx editscope eval --model $M --method ibke --editor "$out" --data data/fact-world-v2/edits-test.json \
        --relations "${REL[$t]}" --spread "$SPREAD" --out "$R/$v-$d-on-$t.json" > /dev/null 2> "$R/eval-$v-$d-on-$t.err"
    done
  done
done
npx tsx tools/fact-world-v2/transfer-figure.ts --dir "$R" --out "$R/transfer.svg" | tee "$R/transfer.md"
