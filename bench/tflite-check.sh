#!/usr/bin/env bash
# Issue 5's measurements: TFLite artifacts built by hwc, timed by hwc's harness (fresh child JVMs,
# interleaved rounds) on the TFLite interpreter with XNNPACK on this machine. Prints the numbers that
# go into bench/RESULTS.md. Usage: bench/tflite-check.sh [SECONDS_PER_ARTIFACT=10] [THREADS=0]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-10}"
threads="${2:-0}"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./hwc --version >/dev/null   # builds the jar if needed
jar=cli/target/hwc.jar
java -cp "$jar" bench/MakeBenchModels.java "$work/models"
quiet() { tr '\r' '\n' | grep -v '\[[#.]*\]'; }

for m in conv_stack_64 unet_like; do
  echo "== $m -> arm64-int8, fp32 TFLite (the baseline)"
  ./hwc build --target arm64-int8 --precision fp32 "$work/models/$m.onnx" --bench-seconds 0 -o "$work/$m-fp32" \
    | grep -E '^(nodes|wrote)'
  echo "== $m -> arm64-int8, full-integer int8 TFLite (random-normal calibration: the weights are random too)"
  ./hwc build --target arm64-int8 "$work/models/$m.onnx" --calib random --bench-seconds 5 -o "$work/$m-int8" | quiet \
    | grep -E '^(nodes|speed|wrote)|cosine|<- weakest'
  echo "== $m: fp32 TFLite vs int8 TFLite, interleaved"
  ./hwc bench "$work/$m-fp32/$m.tflite" "$work/$m-int8/${m}_int8.tflite" --seconds "$secs" --threads "$threads"
  echo "== $m -> edgetpu"
  ./hwc build --target edgetpu "$work/models/$m.onnx" --calib random --bench-seconds 0 -o "$work/$m-edgetpu" | quiet \
    | sed -n '/Edge TPU/,$p'
done
