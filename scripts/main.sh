#!/usr/bin/env bash
# The main job: WiSE-FT in the shipped world, offline, from the committed zero-shot model (world/model).
# Zero-shot head for the ten digits, end-to-end fine-tuning on MNIST handwriting, α = 0, 0.1, ..., 1, evaluation on
# MNIST and seven shifts, results log, table and figures. Extra arguments go to `wiseft run` (e.g. --freeze-encoder).
# --shards 2 is pinned: a fine-tuning step's gradient is the sum of its shards' in a fixed order, so the figures
# depend on the shard count (never on the cores or --workers); pinned, they are the README's on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/wiseft ] || go build -o bin/wiseft ./cmd/wiseft
OUT="${WISEFT_OUT:-out/main}"
mkdir -p "$OUT"
start=$(date +%s)
bin/wiseft run \
  --model wiseft-tiny \
  --train-dataset MNIST \
  --eval-datasets MNIST,MNIST-Rotated,MNIST-Inverted,MNIST-Colour,MNIST-Sketch,MNIST-LowRes,UCIDigits,FontDigits \
  --epochs 1 --batch-size 128 --lr 1e-3 --warmup-length 50 --wd 0.1 \
  --alpha 0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1 \
  --eval-limit 2000 --seed 1 --shards 2 \
  --save "$OUT" --results-db "$OUT/results.jsonl" "$@"
echo "main job: $(( $(date +%s) - start ))s"
