#!/usr/bin/env bash
# Installs everything wiseft needs on a fresh Debian machine with Go: Debian packages, Go modules, the data of the
# shipped world, and the wiseft binary (./bin/wiseft). Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages are installed by the steps that need them: libjpeg-turbo here, scripts/setup-data.sh
# (Fashion-MNIST, fonts) and scripts/setup-notebooks.sh (Jupyter, chromium), all through scripts/apt-install.sh.

# JPEG decoding: a cgo build (the default where gcc is installed) links libjpeg-turbo's TurboJPEG library, the
# decoder Pillow uses, so its headers and library are needed to build; CGO_ENABLED=0 or -tags noturbojpeg builds
# decode with Go's image/jpeg instead and need nothing.
if [ "$(go env CGO_ENABLED)" = 1 ]; then
  echo "setup: libjpeg-turbo"
  bash scripts/apt-install.sh setup libturbojpeg0-dev
fi

echo "setup: Go modules"
go mod download
(cd notebooks/browser && go mod download) # the browser test's own module

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
