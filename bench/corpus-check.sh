#!/usr/bin/env bash
# Runs the real-model corpus (bench/fetch-corpus.sh) through hwc: inspect, the fp32 round trip
# (x86-fp32: the IR re-emitted as ONNX, checked on ONNX Runtime against the source on its own
# runtime), and int8 builds for x86-int8, arm64-int8 and edgetpu (calibrated on seeded random data:
# these checks are about what builds and maps, not about accuracy on real inputs).
# Usage: bench/corpus-check.sh [CACHE_DIR] [LOG_DIR]; one log per step in LOG_DIR, a summary on stdout.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$("$root/bench/fetch-corpus.sh" "${1:-${HWC_CORPUS:-$HOME/.cache/hwc-corpus}}" 2>/dev/null | tail -1)"
logs="${2:-$(mktemp -d)}"
mkdir -p "$logs"
# HWC="java -jar snapshot.jar" runs a fixed build (so that rebuilding the tree meanwhile changes nothing);
# MODELS="a.tflite b.onnx" picks models of the corpus
hwc="${HWC:-$root/hwc}"
bge_shapes=(--shape input_ids=1x128 --shape attention_mask=1x128 --shape token_type_ids=1x128)
run() { # name log args...
  local name="$1" log="$2"; shift 2
  local t0=$SECONDS
  $hwc "$@" >"$logs/$log.log" 2>&1
  local rc=$?
  printf '%-28s %-12s exit %d  %3ds  %s\n' "$name" "$log" "$rc" $((SECONDS - t0)) "$(grep -m1 'hwc: error' "$logs/$log.log" || true)"
}
for m in ${MODELS:-hand_landmark_lite.tflite pose_landmark_lite.tflite bge-small-en-v1.5.onnx}; do
  stem="${m%.*}"
  extra=()
  [[ "$m" == bge* ]] && extra=("${bge_shapes[@]}")
  run "$m" "$stem-inspect" inspect "$cache/$m" "${extra[@]}"
  for t in x86-fp32 x86-int8 arm64-int8 edgetpu; do
    calib=()
    [[ "$t" != x86-fp32 ]] && calib=(--calib random)
    run "$m" "$stem-$t" build --target "$t" "$cache/$m" "${extra[@]}" "${calib[@]}" --bench-seconds 0 --force \
      -o "$logs/out/$stem-$t"
  done
done
echo "logs in $logs"
