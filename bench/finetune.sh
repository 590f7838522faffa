#!/usr/bin/env bash
# Issue 12, fine-tuning: the bundled well-log example pruned to 80% unstructured sparsity, built for
# x86-int8 and edgetpu without and with distillation from the float model (400 steps on 64 generated,
# unlabelled strips; masks held fixed). Prints each build's mask table; logs go to OUT (default
# /tmp/hwc-finetune). Usage: bench/finetune.sh [OUT] [SPARSITY=0.8] [STEPS=400] [TARGETS="x86-int8 edgetpu"]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-/tmp/hwc-finetune}"
sparsity="${2:-0.8}"
steps="${3:-400}"
targets="${4:-x86-int8 edgetpu}"
mkdir -p "$out"
./hwc --version >/dev/null
java -cp cli/target/hwc.jar bench/MakeWellLogTrain.java "$out/train" 64
for t in $targets; do
  for mode in pruned distilled; do
    extra=()
    [ "$mode" = distilled ] && extra=(--fine-tune "steps=$steps" --distill --train "$out/train")
    log="$out/$t-$mode.log"
    start=$(date +%s)
    ./hwc build --target "$t" --prune "unstructured:$sparsity" "${extra[@]}" --bench-seconds 1 --force \
        -o "$out/$t-$mode" >"$log" 2>&1
    rc=$?
    echo "== $t, unstructured:$sparsity, $mode: exit $rc, $(( $(date +%s) - start )) s"
    grep -E "^(background|curve1|curve2) |fine-tuned by|check failed|^note: unstructured" "$log"
  done
done
