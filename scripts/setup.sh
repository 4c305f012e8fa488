#!/usr/bin/env bash
# Installs everything wiseft needs on a fresh Debian machine with Go: Debian packages, Go modules, the data of the
# shipped world, and the wiseft binary (./bin/wiseft). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages are installed by the steps that need them: scripts/setup-data.sh (Fashion-MNIST, fonts) and
# scripts/setup-notebooks.sh (Jupyter, chromium), both through scripts/apt-install.sh.

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
