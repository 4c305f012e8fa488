#!/usr/bin/env bash
# Times the sweep and a short fine-tuning of two wiseft binaries in turn (A B A B ...), so that drift in the
# machine's speed falls on both: the figures of the README's "Every core" table.
#
#   scripts/bench-cores.sh OLD_BINARY [NEW_BINARY [RUNS]]    # NEW_BINARY defaults to bin/wiseft, RUNS to 3
#
# The sweep evaluates the main job's endpoints (run scripts/main.sh first) at 11 α on three sets of 1,000 images;
# the fine-tuning is 20 steps of 128 MNIST images from the shipped model. Prints each run's wall and processor
# seconds and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || [ $# -gt 3 ] || [ "${1:-}" = --help ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; [ "${1:-}" = --help ] && exit 0; exit 2
fi
old="$1"; new="${2:-bin/wiseft}"; runs="${3:-3}"
for b in "$old" "$new"; do [ -x "$b" ] || { echo "bench-cores: $b is not an executable" >&2; exit 2; }; done
case "$runs" in ''|*[!0-9]*|0) echo "bench-cores: RUNS must be a positive integer, got $runs" >&2; exit 2;; esac
[ -d out/main/zeroshot ] && [ -d out/main/finetuned ] || { echo "bench-cores: run scripts/main.sh first (out/main/zeroshot, out/main/finetuned)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
alphas=0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1
sweep() { "$1" run --load out/main/zeroshot,out/main/finetuned --eval-datasets MNIST,MNIST-Sketch,FontDigits \
  --eval-limit 1000 --alpha "$alphas"; }
finetune() { rm -rf "$tmp/ft"; "$1" run --model wiseft-tiny --train-dataset MNIST --train-limit 2560 --epochs 1 \
  --batch-size 128 --eval-datasets MNIST --eval-limit 100 --alpha 1 --save "$tmp/ft"; }
export -f sweep finetune
export alphas tmp
timed() { # label binary work: appends "wall cpu" to $tmp/label
  /usr/bin/time -f '%e %U %S' -o "$tmp/t" bash -c "$3 \"\$0\"" "$2" >/dev/null 2>"$tmp/log" || { echo "bench-cores: $1 failed:"; tail -3 "$tmp/log"; exit 1; } >&2
  awk '{printf "%s %.2f\n", $1, $2 + $3}' "$tmp/t" >>"$tmp/$1"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for work in sweep finetune; do
  for i in $(seq "$runs"); do timed "$work-old" "$old" "$work"; timed "$work-new" "$new" "$work"; done
  ow=$(cut -d' ' -f1 "$tmp/$work-old" | median); nw=$(cut -d' ' -f1 "$tmp/$work-new" | median)
  oc=$(cut -d' ' -f2 "$tmp/$work-old" | median); nc=$(cut -d' ' -f2 "$tmp/$work-new" | median)
  echo "$work: old ${ow}s wall ${oc}s cpu, new ${nw}s wall ${nc}s cpu, speed-up $(awk -v a="$ow" -v b="$nw" 'BEGIN {printf "%.2f", a / b}')x"
done
