#!/usr/bin/env bash
# Long fuzzing campaigns (issue 11): each reader's fuzz target under Jazzer's standalone driver (libFuzzer),
# one JVM per reader, one after the other, on one core each. `mvn -B test` only replays the committed seeds
# (src/test/resources/dev/hwc/cli/fuzz/*Inputs); this grows a corpus and hunts for findings.
#
# Usage: bench/fuzz.sh [SECONDS_PER_READER=600] [RUNS_PER_READER=10000000] [READERS="onnx tflite npy profile cli"]
#   WORK=dir  keeps the grown corpora and findings there (default: bench/fuzz-work, ignored by git)
#   TIMEOUT=s seconds one input may take (default 20; the first inputs also pay for instrumenting classes)
#   CPU=n     the core the fuzzing JVM is pinned to (default 0); NICE=n its niceness (default 0), so that
#             two campaigns can run side by side (different WORK and CPU) under other work
# Each reader stops at whichever comes first, its seconds or its runs. Prints per reader: executions,
# executions/s, findings (crash/timeout/oom files) and corpus growth; findings are left in WORK/findings/READER.
# A finding's file replays with: java -cp CP com.code_intelligence.jazzer.Jazzer --target_class=CLASS FILE
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-600}"
runs="${2:-10000000}"
readers="${3:-onnx tflite npy profile cli}"
work="${WORK:-$root/bench/fuzz-work}"
cd "$root"
mkdir -p "$work"

# build once, then run from a snapshot of the classes so that later rebuilds do not change the run
mvn -B -q -Dstyle.color=never -pl cli -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$work/deps.txt" -Dmdep.includeScope=test >&2
snap="$work/classes"
rm -rf "$snap" && mkdir -p "$snap"
cp_dirs=""
for m in profiles compiler backends hwtests cli; do
  for kind in classes test-classes; do
    if [ -d "$m/target/$kind" ]; then
      cp -r "$m/target/$kind" "$snap/$m-$kind"
      cp_dirs="$cp_dirs:$snap/$m-$kind"
    fi
  done
done
# the module folders in deps.txt point at the live target/ folders: use the snapshot instead
deps="$(tr ':' '\n' < "$work/deps.txt" | grep -v "^$root/" | paste -sd: -)"
cp="${cp_dirs#:}:$deps"

seeds=cli/src/test/resources/dev/hwc/cli/fuzz
declare -A class=(
  [onnx]=dev.hwc.cli.fuzz.OnnxReaderFuzzTest
  [npy]=dev.hwc.cli.fuzz.NpyReaderFuzzTest
  [profile]=dev.hwc.cli.fuzz.ProfileLoaderFuzzTest
  [tflite]=dev.hwc.cli.fuzz.TfliteReaderFuzzTest
  [cli]=dev.hwc.cli.fuzz.CliArgsFuzzTest
)

printf '%-8s %12s %10s %9s %14s\n' reader executions exec/s findings corpus
for r in $readers; do
  c="${class[$r]}"
  corpus="$work/corpus/$r"
  found="$work/findings/$r"
  mkdir -p "$corpus" "$found"
  before=$(find "$corpus" -type f | wc -l)
  log="$work/$r.log"
  start=$(date +%s)
  set +e
  tmp=/tmp; [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
  (cd "$work" && nice -n "${NICE:-0}" taskset -c "${CPU:-0}" java -Xmx2g -Djava.io.tmpdir="$tmp" -XX:ActiveProcessorCount=1 -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$c" \
    --instrumentation_includes='dev.hwc.**:com.google.protobuf.**:com.google.flatbuffers.**:org.tensorflow.lite.schema.**:com.fasterxml.**:org.yaml.**:picocli.**' \
    --keep_going=50 \
    -timeout="${TIMEOUT:-20}" -rss_limit_mb=4096 -max_total_time="$secs" -runs="$runs" -print_final_stats=1 \
    -artifact_prefix="$found/" "$corpus" "$root/$seeds/${c##*.}Inputs/fuzz") >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  execs=${execs:-$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')}
  after=$(find "$corpus" -type f | wc -l)
  findings=$(find "$found" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  rate=$(( ${execs:-0} / ( end - start > 0 ? end - start : 1 ) ))
  printf '%-8s %12s %10s %9s %14s   (exit %d, %ds, log %s)\n' "$r" "${execs:-?}" "$rate" "$findings" \
    "$before -> $after" "$rc" $((end - start)) "$log"
done
