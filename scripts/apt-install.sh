#!/usr/bin/env bash
# Installs the Debian packages among its arguments that are not installed yet (apt-get update only when some
# are missing); a no-op when all are there. The first argument is the label of the log lines.
#
#   scripts/apt-install.sh setup-data dataset-fashion-mnist fonts-dejavu-core
set -euo pipefail
label="$1"
shift
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$label: Debian packages already installed" >&2
  exit 0
fi
echo "$label: installing Debian packages: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
