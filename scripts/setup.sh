#!/usr/bin/env bash
# Installs everything wiseft needs on a fresh Debian machine with Go: Debian packages, Go modules, the data of the
# shipped world, and the wiseft binary (./bin/wiseft). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  # Shipped-world data: Fashion-MNIST and fonts for rendered digits.
  dataset-fashion-mnist fonts-dejavu-core fonts-liberation fonts-freefont-ttf fonts-urw-base35
  fonts-dkg-handwriting fonts-breip fonts-humor-sans
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: Go modules"
go mod download

if [ -x scripts/setup-data.sh ] || [ -f scripts/setup-data.sh ]; then
  echo "setup: data"
  bash scripts/setup-data.sh data
fi

echo "setup: Jupyter, GoNB and the notebook kernel"
bash scripts/setup-notebooks.sh

echo "setup: building bin/wiseft"
mkdir -p bin
go build -o bin/wiseft ./cmd/wiseft
echo "setup: done"
