#!/usr/bin/env bash
# The methods of issue 17 beside WiSE-FT, in the shipped world, each with the main job's budget (scripts/main.sh:
# one epoch on MNIST, batch 128, lr 1e-3, 50 warm-up steps, seed 1, --shards 2, 2,000 test images per set) and each
# fine-tuned endpoint swept in α = 0, 0.1, ..., 1 against the zero-shot model:
#   ft           end-to-end fine-tuning (the main job itself)
#   lp-ft        a linear probe (10 epochs at lr 1e-2 on cached features, as the README's linear classifier), then
#                the same end-to-end fine-tuning from the probe's head
#   flyp         both towers on the contrastive loss with class prompts, the head made again from the text tower
#   model-stock  Model Stock of two end-to-end fine-tunings (seeds 1 and 2) with the zero-shot model: its ratio per
#                tensor, no α chosen; swept in α against zero-shot like the others
# Then one figure with a curve per method and the README's table: per method, MNIST and the shifts' average at
# α = 0, 0.5, the α chosen on held-out MNIST-Val, and 1. Extra arguments go to every `wiseft run`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/wiseft ] || go build -o bin/wiseft ./cmd/wiseft
OUT="${WISEFT_OUT:-out/methods}"
mkdir -p "$OUT"
DB="$OUT/results.jsonl"
EVAL=MNIST,MNIST-Rotated,MNIST-Inverted,MNIST-Colour,MNIST-Sketch,MNIST-LowRes,UCIDigits,FontDigits
ALPHAS=(0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1)
COMMON=(--model wiseft-tiny --train-dataset MNIST --eval-datasets "$EVAL"
  --epochs 1 --batch-size 128 --lr 1e-3 --warmup-length 50 --wd 0.1
  --eval-limit 2000 --shards 2 --overwrite)
start=$(date +%s)
step() { echo "methods: $1 ($(( $(date +%s) - start ))s)" >&2; }

step "ft"
bin/wiseft run --method ft --seed 1 --save "$OUT/ft" --results-db "$DB" --alpha "${ALPHAS[@]}" "${COMMON[@]}" "$@"
step "lp-ft"
bin/wiseft run --method lp-ft --probe-epochs 10 --probe-lr 1e-2 --cache-dir "$OUT/cache" --seed 1 \
  --save "$OUT/lp-ft" --results-db "$DB" --alpha "${ALPHAS[@]}" "${COMMON[@]}" "$@"
step "flyp"
bin/wiseft run --method flyp --seed 1 --save "$OUT/flyp" --results-db "$DB" --alpha "${ALPHAS[@]}" "${COMMON[@]}" "$@"
step "model-stock: a second fine-tuning (seed 2)"
bin/wiseft run --method ft --seed 2 --save "$OUT/ft-seed2" --results-db "$OUT/seed2.jsonl" --alpha 1 \
  --eval-datasets MNIST --eval-limit 2000 --model wiseft-tiny --train-dataset MNIST --epochs 1 --batch-size 128 \
  --lr 1e-3 --warmup-length 50 --wd 0.1 --shards 2 --overwrite "$@"
bin/wiseft merge --mode model-stock --overwrite --out "$OUT/model-stock" \
  "$OUT/ft/zeroshot" "$OUT/ft/finetuned" "$OUT/ft-seed2/finetuned"
bin/wiseft run --load "$OUT/ft/zeroshot,$OUT/model-stock" --method model-stock --train-dataset MNIST \
  --eval-datasets "$EVAL" --eval-limit 2000 --seed 1 --results-db "$DB" --alpha "${ALPHAS[@]}" "$@"
step "figures"
bin/wiseft plot --results-db "$DB" --save "$OUT/plots" --group-by method --overwrite
step "table"
/usr/bin/python3 - "$DB" "$EVAL" <<'PY'
import json, sys
db, evals = sys.argv[1], sys.argv[2].split(",")
idset, shifts = evals[0], evals[1:]
runs = {}
for line in open(db):
    line = line.strip()
    if not line:
        continue
    r = json.loads(line)
    runs.setdefault(r["method"], {})[float(r["alpha"])] = r  # the last run of each method
def acc(r, d): return 100 * r[d + ":top1"]
def avg(r): return sum(acc(r, s) for s in shifts) / len(shifts)
print("| method | α = 0 (zero-shot): MNIST / shifts | α = 0.5 | best α on MNIST-Val | at the best α | α = 1 (the method) |")
print("|---|---|---|---|---|---|")
for m in ("ft", "lp-ft", "flyp", "model-stock"):
    if m not in runs:
        continue
    byA = runs[m]
    best = max(sorted(byA), key=lambda a: byA[a]["MNIST-Val:top1"])  # the first α of the highest held-out accuracy
    cell = lambda a: "%.2f / %.2f" % (acc(byA[a], idset), avg(byA[a]))
    print("| %s | %s | %s | %g | %s | %s |" % (m, cell(0.0), cell(0.5), best, cell(best), cell(1.0)))
PY
step "done"
