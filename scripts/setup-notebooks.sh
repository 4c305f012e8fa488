#!/usr/bin/env bash
# Installs what the notebooks (notebooks/*.ipynb) need on a Debian machine with Go: Jupyter from Debian (headless
# execution with nbconvert; the classic Notebook and chromium for the browser test), the GoNB kernel pinned to
# $GONB_VERSION, goimports, and the kernel registration with a go.work that points at this repository, so that
# notebooks import github.com/gowiseft/wiseft/... with no manual step. Idempotent: a second run only checks.
#
#   scripts/setup-notebooks.sh                  # everything
#   WISEFT_NOTEBOOK_BROWSER=0 scripts/setup-notebooks.sh   # no jupyter-notebook/chromium (headless only)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

GONB_VERSION="${GONB_VERSION:-v0.11.4}"
GOIMPORTS_VERSION="${GOIMPORTS_VERSION:-v0.52.0}"

# 1. Jupyter from Debian (PyPI is not used). /usr/bin/jupyter* run /usr/bin/python3.
APT_PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client)
if [ "${WISEFT_NOTEBOOK_BROWSER:-1}" != 0 ]; then
  APT_PACKAGES+=(jupyter-notebook chromium)
fi
bash "$(dirname "$0")/apt-install.sh" setup-notebooks "${APT_PACKAGES[@]}"

GOBIN="$(go env GOBIN)"
if [ -z "$GOBIN" ]; then GOBIN="$(go env GOPATH)/bin"; fi
export PATH="$GOBIN:$PATH"

# 2. GoNB, pinned. The module proxy refuses GoNB's version list, so `go install ...@version` fails; resolving the
# version inside a scratch module and installing from there works.
have_gonb=""
if [ -x "$GOBIN/gonb" ]; then
  have_gonb="$(go version -m "$GOBIN/gonb" 2>/dev/null | awk '$1 == "mod" && $2 == "github.com/janpfeifer/gonb" {print $3}')"
fi
if [ "$have_gonb" != "$GONB_VERSION" ]; then
  echo "setup-notebooks: installing GoNB $GONB_VERSION"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  (
    cd "$scratch"
    go mod init gonb-install >/dev/null 2>&1
    go get "github.com/janpfeifer/gonb@$GONB_VERSION" >log 2>&1 || { cat log >&2; exit 1; }
    go install github.com/janpfeifer/gonb
  )
fi

# 3. goimports: GoNB runs it on every cell. gopls (autocomplete only) is optional and not installed.
if [ ! -x "$GOBIN/goimports" ]; then
  echo "setup-notebooks: installing goimports"
  go install "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION" 2>&1 | grep -v '^go: downloading' >&2 || true
  [ -x "$GOBIN/goimports" ] || { echo "setup-notebooks: goimports did not install" >&2; exit 1; }
fi

# 4. The kernel: every new notebook starts with a go.work that uses this repository. --force_deps because gopls
# is not installed (gonb --install otherwise exits 255 after writing the kernelspec).
KERNEL_DIR="${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels/gonb"
want_work="go_work=$REPO"
if [ ! -f "$KERNEL_DIR/kernel.json" ] || ! grep -qF -- "$want_work" "$KERNEL_DIR/kernel.json" ||
  ! grep -qF -- "$GOBIN/gonb" "$KERNEL_DIR/kernel.json" ||
  [ "$have_gonb" != "$GONB_VERSION" ]; then
  echo "setup-notebooks: registering the GoNB kernel (go.work uses $REPO)"
  gonb --install --force_deps "--$want_work" >/dev/null 2>&1 || true
fi
if [ ! -f "$KERNEL_DIR/kernel.json" ] || ! grep -qF -- "$want_work" "$KERNEL_DIR/kernel.json"; then
  echo "setup-notebooks: the GoNB kernelspec was not written to $KERNEL_DIR" >&2
  exit 1
fi
kernels="$(jupyter kernelspec list 2>/dev/null || true)" # not piped into grep -q: pipefail and SIGPIPE
grep -q '^ *gonb ' <<<"$kernels" || {
  echo "setup-notebooks: jupyter does not list the gonb kernel" >&2
  exit 1
}
echo "setup-notebooks: done (GoNB $GONB_VERSION, kernel in $KERNEL_DIR)"
