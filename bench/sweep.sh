#!/usr/bin/env bash
# The bundled example's default sweep (issue 13): every legal precision x unstructured pruning
# 0..0.9 for a target, timed against the uncompressed baseline, priced at --rate. Prints the table,
# the wall and the operating point; writes sweep.json, sweep.csv, envelope.html/.svg/.png.
# A second run with nothing new to do reads every candidate from DIR/cache and finishes in seconds.
#   bench/sweep.sh [TARGET] [DIR]      (default: x86-int8 into hwc-out/sweep-TARGET)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target="${1:-x86-int8}"
dir="${2:-hwc-out/sweep-$target}"
start=$(date +%s)
./hwc sweep --target "$target" --rate 10 --baseline-eur 5:15 -o "$dir"
echo "sweep: $(( $(date +%s) - start )) s wall"
start=$(date +%s)
./hwc sweep --target "$target" --rate 10 --baseline-eur 5:15 -o "$dir" > /dev/null
echo "repeated sweep (all cached): $(( $(date +%s) - start )) s wall"
