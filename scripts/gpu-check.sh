#!/usr/bin/env bash
# Everything that needs a GPU, in one prepared call on a lent GPU machine (one NVIDIA GPU, PyTorch and JAX's CUDA
# PJRT plugin installed, no network, no Go): the XLA golden test, the bfloat16 tests, the multi-device test (with
# one device, the one-device path), `wiseft bench` forward and training in float32 and bfloat16 beside PyTorch
# (scripts/torch_vit_bench.py, the same shapes), the CPU scaling figures on the machine's cores, and the real-size
# flow (scripts/real-size.sh) at ViT-B/32 size on a few hundred generated JPEGs. Writes report.json, report.txt,
# every step's log and the benchmarks' JSON lines under $OUT (default out/gpu-check), which must be new, empty or
# an earlier gpu-check's (it marks its folder; any other folder holding files is refused). Meant to finish in 8
# minutes.
#
#   scripts/gpu-check.sh --build      # here, with Go and cgo: the binaries, packed into bin/gpu-check.tar.xz
#   scripts/gpu-check.sh              # on the GPU machine (carry bin/gpu-check.tar.xz; it is unpacked to bin/gpu)
#   scripts/gpu-check.sh --dry-run    # the same steps on SimpleGo at tiny sizes, skipping what needs a PJRT plugin
#                                     # (or PyTorch, where it is not installed); scripts/test.sh runs it
#
# The plugin is looked for as JAX installs it (<site-packages>/jax_plugins/xla_cuda*/xla_cuda_plugin.so, in the
# site-packages of every python3 on PATH and of /opt/*/.venv); PJRT_PLUGIN_LIBRARY_PATH, when set, is used as is.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bindir="$root/bin/gpu"
pack="$root/bin/gpu-check.tar.xz"

usage="usage: [OUT=DIR] scripts/gpu-check.sh [--build | --dry-run] (see --help)"
mode=device
if [ $# -gt 1 ]; then echo "gpu-check.sh: one argument at most, got $#: $*; $usage" >&2; exit 2; fi
case "${1:-}" in
  --build) mode=build ;;
  --dry-run) mode=dry ;;
  "") ;;
  -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "gpu-check.sh: unknown argument $1; $usage" >&2; exit 2 ;;
esac

# build: every binary the device steps run, with cgo (the XLA backend and libjpeg-turbo), stripped and packed.
build() {
  set -e
  export CGO_ENABLED=1
  rm -rf "$bindir" && mkdir -p "$bindir"
  local ld='-s -w'
  go build -ldflags="$ld" -o "$bindir/wiseft" ./cmd/wiseft
  go build -ldflags="$ld" -o "$bindir/realsize" ./internal/cmd/realsize
  go test -c -ldflags="$ld" -o "$bindir/clipmodel.test" ./clipmodel
  go test -c -ldflags="$ld" -o "$bindir/wiseft.test" ./wiseft
  go test -c -ldflags="$ld" -o "$bindir/speed.test" ./cmd/wiseft/internal/speed
  # The shared libraries the binaries link that a GPU machine may lack (libturbojpeg), beside them.
  mkdir -p "$bindir/lib"
  ldd "$bindir/wiseft" | awk '/libturbojpeg/ { print $3 }' | xargs -r -I{} cp -L {} "$bindir/lib/"
  set +e
}

if [ "$mode" = build ]; then
  build || exit 1
  tar -C "$root/bin" -cJf "$pack" gpu
  ls -l "$pack"
  exit 0
fi

out="${OUT:-$root/out/gpu-check}"
# Only a new or empty folder, or an earlier gpu-check's (marked by .gpu-check), is written into: the steps
# overwrite and remove files by name, which would damage another folder's.
if [ -L "$out" ] || { [ -e "$out" ] && [ ! -d "$out" ]; }; then
  echo "gpu-check.sh: OUT=$out exists and is not a folder" >&2; exit 1
fi
# (A folder with steps.tsv and machine.txt is one of a gpu-check from before the mark.)
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -f "$out/.gpu-check" ] && ! { [ -f "$out/steps.tsv" ] && [ -f "$out/machine.txt" ]; }; then
  echo "gpu-check.sh: OUT=$out holds files and is not an earlier gpu-check's folder: give a new or empty OUT" >&2; exit 1
fi
mkdir -p "$out/logs"
touch "$out/.gpu-check"
: >"$out/steps.tsv"
rm -f "$out"/bench-go.jsonl "$out"/bench-torch.jsonl "$out"/cpu-scaling.jsonl
t_start=$(date +%s)

if [ "$mode" = dry ]; then
  # Built here from the working tree, so the dry run checks the code it sits beside.
  command -v go >/dev/null || { echo "gpu-check.sh --dry-run needs Go" >&2; exit 1; }
  build >"$out/logs/build.log" 2>&1 || { cat "$out/logs/build.log"; exit 1; }
elif [ ! -x "$bindir/wiseft" ]; then
  [ -f "$pack" ] || { echo "gpu-check.sh: no $bindir and no $pack: run scripts/gpu-check.sh --build first and carry $pack" >&2; exit 1; }
  # xz may be missing where Python is not: its tarfile reads .tar.xz too.
  tar -C "$root/bin" -xJf "$pack" 2>/dev/null || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$pack" "$root/bin" \
    || { echo "gpu-check.sh: cannot unpack $pack (neither xz nor python3)" >&2; exit 1; }
fi

export LD_LIBRARY_PATH="$bindir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
{
  echo "host $(hostname), $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | sed 's/^/gpu /'
} >"$out/machine.txt"

# step NAME STATUS-IF-SKIPPED|- TIMEOUT CMD...: runs CMD with its output in logs/NAME.log and records the outcome.
# A Go test log whose tests all skipped records "skip".
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" >>"$out/steps.tsv"; echo "step $1: $2 ($3 s) $5"; }
step() {
  local name="$1" limit="$2"; shift 2
  local log="logs/$name.log" t0 rc status note=""
  t0=$(date +%s.%N)
  # bash -c: a step may be one of this script's functions (exported below).
  timeout --kill-after=10 "$limit" bash -c '"$@"' step "$@" >"$out/$log" 2>&1
  rc=$?
  local secs
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  status=pass
  if [ $rc -ne 0 ]; then status=fail; note="exit $rc"; [ $rc -eq 124 ] && note="timed out after ${limit}s"; fi
  if [ $status = pass ] && grep -q -- '--- SKIP' "$out/$log" && ! grep -q -- '--- PASS' "$out/$log"; then
    status=skip; note="every test skipped: $(grep -m1 -A1 -- '--- SKIP' "$out/$log" | tail -1 | sed 's/^ *//')"
  fi
  record "$name" "$status" "$secs" "$log" "$note"
}
skip() { record "$1" skip 0 "" "$2"; }

# The backend of the device steps.
if [ "$mode" = device ]; then
  if [ -z "${PJRT_PLUGIN_LIBRARY_PATH:-}" ]; then
    plugin=""
    for py in $(command -v -a python3 2>/dev/null) /opt/*/.venv/bin/python3; do
      [ -x "$py" ] || continue
      site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null) || continue
      for p in "$site"/jax_plugins/xla_cuda*/xla_cuda_plugin.so; do
        [ -f "$p" ] && { plugin="$p"; break 2; }
      done
    done
    if [ -n "$plugin" ]; then
      site=$(dirname "$(dirname "$(dirname "$plugin")")")
      pj="$out/pjrt"
      rm -rf "$pj" && mkdir -p "$pj/lib/xla"
      ln -s "$plugin" "$pj/lib/xla/pjrt_c_api_cuda_plugin.so"
      ln -s "$site/nvidia" "$pj/nvidia" && ln -s "$site/nvidia" "$pj/lib/nvidia"
      export PJRT_PLUGIN_LIBRARY_PATH="$pj/lib/xla"
      LD_LIBRARY_PATH="$(ls -d "$site"/nvidia/*/lib 2>/dev/null | paste -sd:)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
      export LD_LIBRARY_PATH
      echo "plugin $plugin" >>"$out/machine.txt"
    else
      echo "no PJRT CUDA plugin found" >>"$out/machine.txt"
    fi
  fi
  export GOMLX_BACKEND="${GOMLX_BACKEND:-xla:cuda}" GOPJRT_CUDA_CHECKS=0 GOMLX_NO_AUTO_INSTALL=1
else
  export GOMLX_BACKEND=go:ops_sequential
  unset PJRT_PLUGIN_LIBRARY_PATH
fi
echo "backend $GOMLX_BACKEND" >>"$out/machine.txt"
cat "$out/machine.txt"

# The Python with PyTorch, if any.
torchpy=""
for py in $(command -v -a python3 2>/dev/null) /opt/*/.venv/bin/python3; do
  [ -x "$py" ] && "$py" -c 'import torch' 2>/dev/null && { torchpy="$py"; break; }
done

gotest() { # gotest PKG-DIR BINARY REGEXP: a test binary in its package's folder (the tests read testdata/)
  (cd "$root/$1" && "$bindir/$2" -test.count=1 -test.v -test.run "$3")
}
export -f gotest
export root bindir out

# 1. The XLA golden test: the fixture CLIP's logits on the device against Hugging Face's (and bf16 against f32).
if [ "$mode" = dry ]; then skip xla-golden "needs a PJRT plugin (dry run: SimpleGo)"; else
  step xla-golden 120 gotest clipmodel clipmodel.test '^TestXLAGoldenLogits$'; fi
# 2. bfloat16: the encoder against float32 on the golden fixture, gradients to float32 masters, a bf16 fine-tune.
step bf16 180 gotest clipmodel clipmodel.test '^(TestEncoderBF16CloseToFloat32|TestComputeDTypeGradients)$'
step bf16-finetune 180 gotest wiseft wiseft.test '^TestFineTuneBF16$'
# 3. Several devices: the data-parallel step against one device (one device: the one-device path).
if [ "$mode" = dry ]; then skip multi-device "needs a PJRT plugin (dry run: SimpleGo has one device and no sharding)"
  step one-device 60 gotest clipmodel clipmodel.test '^TestDataParallelNeedsXLA$'
else
  step multi-device 180 gotest cmd/wiseft/internal/speed speed.test '^TestDataParallelStepMatchesSingleDevice$'
  step one-device 60 gotest clipmodel clipmodel.test '^TestDataParallelNeedsXLA$'
fi
# 4. wiseft bench beside PyTorch, forward and training, float32 and bfloat16.
if [ "$mode" = dry ]; then
  step bench-go 120 "$bindir/wiseft" bench --cases forward:1,train:8,train:8:bf16 --time 0s \
    --json "$out/bench-go.jsonl" --overwrite
  if [ -n "$torchpy" ]; then
    step bench-torch 120 sh -c "'$torchpy' scripts/torch_vit_bench.py --device cpu --arch tiny --cases forward:2,train:4 --time 0 >'$out/bench-torch.jsonl'"
  else skip bench-torch "no Python with PyTorch here"; fi
else
  step bench-go 240 "$bindir/wiseft" bench --cases forward:1,forward:256,forward:256:bf16,train:128:ViT-B-32,train:128:ViT-B-32:bf16,train:128 \
    --time 5s --json "$out/bench-go.jsonl" --overwrite
  if [ -n "$torchpy" ]; then
    step bench-torch 150 sh -c "'$torchpy' scripts/torch_vit_bench.py --device cuda --time 3 \
      --cases forward:1,forward:256,forward:256:tf32,forward:256:bf16,train:128,train:128:tf32,train:128:bf16 >'$out/bench-torch.jsonl'"
  else skip bench-torch "no Python with PyTorch found"; fi
fi
# 5. CPU scaling on SimpleGo: the small model's training step and ViT-B/32's matrix product at 1, 2, 4, 8, 16
#    cores (GOMAXPROCS), up to the machine's count.
scaling() {
  local cases="$1" time="$2"; shift 2
  for w in "$@"; do
    [ "$w" -le "$(nproc)" ] || continue
    GOMLX_BACKEND=go:ops_sequential GOMAXPROCS=$w "$bindir/wiseft" bench --cases "$cases" --time "$time" \
      --json "$out/.scaling.$w.jsonl" --overwrite || return 1
    cat "$out/.scaling.$w.jsonl" >>"$out/cpu-scaling.jsonl" && rm -f "$out/.scaling.$w.jsonl"
  done
}
export -f scaling
if [ "$mode" = dry ]; then step cpu-scaling 120 scaling train:16 0s 1 2
else step cpu-scaling 150 scaling train:128,matmul:800x768x3072 2s 1 2 4 8 16; fi
# 6. The real-size flow: ViT-B/32 (the device's backend) on 400 generated JPEGs, each batch one program (--shards
#    defaults to the CPU count, for SimpleGo); dry run: its tiny configuration.
if [ "$mode" = dry ]; then
  step real-size 120 env WISEFT_BIN="$bindir/wiseft" REALSIZE_BIN="$bindir/realsize" scripts/real-size.sh --tiny --overwrite --out "$out/real-size"
else
  step real-size 200 env WISEFT_BIN="$bindir/wiseft" REALSIZE_BIN="$bindir/realsize" REALSIZE_CLASSES=10 \
    REALSIZE_TRAIN=20 REALSIZE_VAL=10 REALSIZE_BATCH=32 REALSIZE_EVAL_BATCH=100 REALSIZE_RUN_FLAGS="--shards 1" scripts/real-size.sh --overwrite --out "$out/real-size"
fi
# The models and JPEGs of the real-size run are not worth bringing back; its log is.
rm -rf "$out/real-size/model" "$out/real-size/data" "$out/real-size/run/checkpoints" "$out/pjrt"

echo "total $(( $(date +%s) - t_start )) s" >>"$out/machine.txt"
dry=""; [ "$mode" = dry ] && dry=--dry-run
"$bindir/realsize" report --dir "$out" $dry || exit 1
! grep -q $'\tfail\t' "$out/steps.tsv"
