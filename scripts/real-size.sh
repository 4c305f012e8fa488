#!/usr/bin/env bash
# The real path at real size: a randomly initialised ViT-B/32 in the Hugging Face layout with CLIP's real
# tokenizer, ImageNet-layout folders of generated photo-sized JPEGs (a few classes, sides 300-800 px, several
# aspect ratios), then `wiseft run` end to end: the zero-shot head from the OpenAI ImageNet templates on those
# classes, a few fine-tuning steps, three α, the results log and the figures. Prints each phase's time and peak
# resident memory (/usr/bin/time), and the run's own phase lines; everything also goes to OUT/log.txt.
#
#   scripts/real-size.sh                 # ViT-B/32, 4 classes x (4 train + 4 val + 4 sketch) JPEGs: out/real-size
#   scripts/real-size.sh --tiny          # the same flow at tiny widths on 18 small JPEGs (CI): out/real-size-tiny
#   scripts/real-size.sh --out DIR       # another output folder (new, or empty)
#   scripts/real-size.sh --overwrite     # replace an earlier run of this script (a folder it marked, holding
#                                        # nothing but its own outputs); any other existing folder is refused
#
# Sizes can be changed through the environment: REALSIZE_ARCH (ViT-B/32, ViT-L/14, ... or tiny), REALSIZE_CLASSES,
# REALSIZE_TRAIN, REALSIZE_VAL (images per class), REALSIZE_MIN/REALSIZE_MAX (sides), REALSIZE_BATCH,
# REALSIZE_EVAL_BATCH, REALSIZE_EPOCHS, REALSIZE_SEED. WISEFT_BIN and REALSIZE_BIN name prebuilt binaries
# (default bin/wiseft and bin/realsize, built with go when missing); extra `wiseft run` flags go in
# REALSIZE_RUN_FLAGS (e.g. "--bf16").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

usage="usage: scripts/real-size.sh [--tiny] [--out DIR] [--overwrite] (see --help)"
tiny=0
overwrite=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tiny) tiny=1 ;;
    --overwrite) overwrite=1 ;;
    --out|--out=)
      if [ $# -lt 2 ] || [ -z "${2:-}" ] || [ "$1" = "--out=" ]; then echo "real-size.sh: --out needs a folder; $usage" >&2; exit 2; fi
      case "$2" in -*) echo "real-size.sh: --out needs a folder, got the flag $2; $usage" >&2; exit 2 ;; esac
      out="$2"; shift ;;
    --out=*) out="${1#--out=}" ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "real-size.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [ "$tiny" = 1 ]; then
  : "${REALSIZE_ARCH:=tiny}" "${REALSIZE_CLASSES:=3}" "${REALSIZE_TRAIN:=2}" "${REALSIZE_VAL:=2}"
  : "${REALSIZE_MIN:=40}" "${REALSIZE_MAX:=120}" "${REALSIZE_BATCH:=2}" "${REALSIZE_EVAL_BATCH:=4}"
  out="${out:-out/real-size-tiny}"
else
  : "${REALSIZE_ARCH:=ViT-B/32}" "${REALSIZE_CLASSES:=4}" "${REALSIZE_TRAIN:=4}" "${REALSIZE_VAL:=4}"
  : "${REALSIZE_MIN:=300}" "${REALSIZE_MAX:=800}" "${REALSIZE_BATCH:=4}" "${REALSIZE_EVAL_BATCH:=16}"
  out="${out:-out/real-size}"
fi
: "${REALSIZE_EPOCHS:=1}" "${REALSIZE_SEED:=1}" "${REALSIZE_RUN_FLAGS:=}"
alphas="0,0.5,1"

wiseft="${WISEFT_BIN:-$root/bin/wiseft}"
realsize="${REALSIZE_BIN:-$root/bin/realsize}"
if [ ! -x "$wiseft" ]; then go build -o "$wiseft" ./cmd/wiseft; fi
if [ ! -x "$realsize" ]; then go build -o "$realsize" ./internal/cmd/realsize; fi

# What this script writes in OUT (and only these): an earlier run of it is replaced with --overwrite, entry by
# entry; a folder holding anything else (the user's files), or not marked by this script, is refused untouched.
own=(.real-size log.txt model data run results.jsonl)
if [ -L "$out" ] || { [ -e "$out" ] && [ ! -d "$out" ]; }; then
  echo "real-size.sh: --out $out exists and is not a folder" >&2; exit 1
fi
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  if [ ! -f "$out/.real-size" ]; then
    echo "real-size.sh: --out $out holds files and is not a real-size run's folder: give a new or empty folder" >&2; exit 1
  fi
  for entry in "$out"/* "$out"/.[!.]* "$out"/..?*; do
    [ -e "$entry" ] || [ -L "$entry" ] || continue
    name=$(basename "$entry")
    case " ${own[*]} " in *" $name "*) continue ;; esac
    case "$name" in .time.*) continue ;; esac
    echo "real-size.sh: --out $out holds $name, which this script did not write: not replacing it (move it away)" >&2; exit 1
  done
  if [ "$overwrite" != 1 ]; then
    echo "real-size.sh: --out $out holds an earlier run: pass --overwrite to replace it" >&2; exit 1
  fi
  for name in "${own[@]}"; do rm -rf "${out:?}/$name"; done
  rm -f "$out"/.time.*
fi
mkdir -p "$out"
touch "$out/.real-size"
out=$(cd "$out" && pwd)
exec > >(tee "$out/log.txt") 2>&1

echo "real-size: $REALSIZE_ARCH, $REALSIZE_CLASSES classes, $REALSIZE_TRAIN train + $REALSIZE_VAL val + $REALSIZE_VAL sketch JPEGs per class" \
  "(sides $REALSIZE_MIN-$REALSIZE_MAX), batch $REALSIZE_BATCH, $REALSIZE_EPOCHS epoch(s), α $alphas; $(nproc) CPUs;" \
  "GOMLX_BACKEND=${GOMLX_BACKEND:-(unset: SimpleGo)}; $(date -u +%FT%TZ)"

# phase NAME CMD...: runs CMD, then prints its wall-clock time and peak resident memory.
summary=()
phase() {
  local name="$1"; shift
  local tf="$out/.time.$name"
  local start end
  start=$(date +%s.%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$tf" -f '%M' "$@"
  else
    "$@"; echo "?" >"$tf"
  fi
  end=$(date +%s.%N)
  local kb secs line
  kb=$(tail -1 "$tf")
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  if [ "$kb" = "?" ]; then line="phase $name: ${secs} s"; else
    line="phase $name: ${secs} s, peak RSS $(awk -v k="$kb" 'BEGIN { printf "%.0f", k / 1024 }') MiB"; fi
  echo "$line"
  summary+=("$line")
}

phase model "$realsize" model --arch "$REALSIZE_ARCH" --seed "$REALSIZE_SEED" --out "$out/model" \
  --bpe "$root/clipmodel/tokenizer/testdata/bpe_simple_vocab_16e6.txt.gz"
phase images "$realsize" images --out "$out/data" --classes "$REALSIZE_CLASSES" --train "$REALSIZE_TRAIN" \
  --val "$REALSIZE_VAL" --min "$REALSIZE_MIN" --max "$REALSIZE_MAX" --seed "$REALSIZE_SEED"
# shellcheck disable=SC2086
phase run "$wiseft" run --model "$out/model" \
  --folder-dataset "RealSize=$out/data/imagenet" --folder-dataset "RealSizeSketch=$out/data/sketch" \
  --train-dataset RealSize --eval-datasets RealSize,RealSizeSketch --template openai_imagenet_template \
  --epochs "$REALSIZE_EPOCHS" --batch-size "$REALSIZE_BATCH" --lr 1e-5 --warmup-length 1 --seed "$REALSIZE_SEED" \
  --eval-batch-size "$REALSIZE_EVAL_BATCH" --alpha "$alphas" --progress-every 0 \
  --save "$out/run" --results-db "$out/results.jsonl" $REALSIZE_RUN_FLAGS
phase check "$realsize" check --results "$out/results.jsonl" --alphas "$alphas" --datasets RealSize,RealSizeSketch \
  --plots "$out/run/plots"

echo
echo "summary ($REALSIZE_ARCH):"
for l in "${summary[@]}"; do echo "  $l"; done
grep -E '^(zero-shot head:|[a-z-]+: fine-tuned |sweep: )' "$out/log.txt" | sed 's/^/  run: /'
rm -f "$out"/.time.*
echo "real-size: done, $(date -u +%FT%TZ); log in $out/log.txt"
