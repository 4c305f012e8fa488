#!/usr/bin/env bash
# Side-by-side JPEG benchmark: Go's preprocessing (BenchmarkJPEG in clipmodel/preprocess) and Pillow's (Debian's
# python3-pil with NumPy) on the same 300 photo-sized JPEGs, each side twice, alternating, so the figures of both
# come from the same minutes of a shared machine; within a round each side makes three passes over the files (Go:
# -count 3) and reports each, the best being the least disturbed by other jobs. Prints images/s and processor time
# per image for decoding alone and for CLIP's whole evaluation transform on 1 and 2 workers, then Pillow's
# DCT-draft pixel difference.
#
#   scripts/bench-jpeg.sh [DIR]     # DIR keeps the JPEGs (default: a temporary folder, removed at the end)
#
# Needs Go with cgo and libturbojpeg0-dev (scripts/setup.sh) for the libjpeg-turbo rows, and /usr/bin/python3
# with python3-pil and python3-numpy for Pillow's side (a measuring tool, not a dependency of the project).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  dir="$1"
  mkdir -p "$dir"
else
  dir="$(mktemp -d)"
  trap 'rm -rf "$dir"' EXIT
fi
export WISEFT_JPEG_BENCH_DIR="$dir"
if ! /usr/bin/python3 -c 'import PIL, numpy' 2>/dev/null; then
  echo "bench-jpeg: /usr/bin/python3 lacks Pillow or NumPy (apt-get install python3-pil python3-numpy)" >&2
  exit 1
fi
for round in 1 2; do
  echo "== round $round: Go"
  go test -run '^$' -bench '^BenchmarkJPEG$' -benchtime 1x -count 3 ./clipmodel/preprocess | grep -E '^Benchmark'
  echo "== round $round: Pillow"
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 clipmodel/preprocess/bench/pillow_bench.py "$dir"
done
/usr/bin/python3 clipmodel/preprocess/bench/pillow_bench.py --diff "$dir"
