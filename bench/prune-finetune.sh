#!/usr/bin/env bash
# Issue 12, the done-when item on the bundled well-log example: channel pruning plus distillation
# fine-tuning, then int8 for each target, against the unpruned int8 build of the same target.
# 1. N unlabelled training strips (bench/MakeWellLogTrain.java: generator seeds disjoint from calib/,
#    eval/ and the committed model's training strips);
# 2. per target: the unpruned int8 build and the channel-pruned + distilled int8 build (mask table:
#    IoU per mask vs the float model, curve R²);
# 3. per target: `hwc bench` of the two artifacts, interleaved (unpruned first: the ratio is pruned
#    vs unpruned), seeded random inputs of the example's shape; stored bytes of both.
# Logs and artifacts go to OUT (default /tmp/hwc-prune-ft).
# Usage: bench/prune-finetune.sh [OUT] [AMOUNT=0.2] [FINETUNE=steps=1200] [TARGETS="x86-int8 edgetpu"]
#        [STRIPS=128] [BENCH_SECONDS=5]
# AMOUNT is a uniform fraction (channel:AMOUNT) or a whole channel spec, e.g. the non-uniform plan that
# bench/ChannelPlan.java prints (channel:0:w_4=0.291,...).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-/tmp/hwc-prune-ft}"
amount="${2:-0.2}"
spec="channel:$amount"
[ "${amount#channel:}" != "$amount" ] && spec="$amount"
finetune="${3:-steps=1200}"
targets="${4:-x86-int8 edgetpu}"
strips="${5:-128}"
seconds="${6:-5}"
mkdir -p "$out"
./hwc --version >/dev/null
java -cp cli/target/hwc.jar bench/MakeWellLogTrain.java "$out/train" "$strips"
for t in $targets; do
  for mode in unpruned pruned; do
    extra=()
    [ "$mode" = pruned ] && extra=(--prune "$spec" --fine-tune "$finetune" --distill --train "$out/train")
    log="$out/$t-$mode.log"
    start=$(date +%s)
    ./hwc build --target "$t" "${extra[@]}" --bench-seconds 1 --force -o "$out/$t-$mode" >"$log" 2>&1
    rc=$?
    echo "== $t, $mode${extra:+ ($spec, $finetune, distilled)}: exit $rc, $(( $(date +%s) - start )) s"
    grep -E "^(background|curve1|curve2) |fine-tuned by|check failed|^nodes|MACs" "$log"
  done
  a=$(ls "$out/$t-unpruned"/*.onnx "$out/$t-unpruned"/*.tflite 2>/dev/null | grep -v segment | head -1)
  b=$(ls "$out/$t-pruned"/*.onnx "$out/$t-pruned"/*.tflite 2>/dev/null | grep -v segment | head -1)
  echo "== $t stored bytes: unpruned $(stat -c %s "$a") ($a), pruned $(stat -c %s "$b") ($b)"
  echo "== $t hwc bench --seconds $seconds (interleaved; unpruned is the reference)"
  ./hwc bench --seconds "$seconds" "$a" "$b" 2>&1 | tee "$out/$t-bench.txt"
done
