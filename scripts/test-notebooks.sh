#!/usr/bin/env bash
# Executes every notebook (notebooks/*.ipynb) headless with the GoNB kernel, in quick mode (WISEFT_NOTEBOOK_QUICK=1:
# fewer images and steps, the same code path) and with a fresh work folder, and fails on any error output. The
# committed notebooks are not modified: executed copies go to a temporary folder (kept with KEEP=1).
# 04-real-clip runs twice: without a model (it must say so and stop without error) and with the shipped model as
# its "real" CLIP. Then, where chromium and jupyter-notebook are installed, the browser test
# (notebooks/browser, a module of its own) runs 01-quickstart in a real browser and moves the α slider.
#
#   scripts/test-notebooks.sh                 # all notebooks, then the browser test when possible
#   scripts/test-notebooks.sh 02              # only notebooks whose name contains 02
#   WISEFT_NOTEBOOK_BROWSER=0 scripts/test-notebooks.sh   # skip the browser test
#   WISEFT_NOTEBOOK_QUICK=0 scripts/test-notebooks.sh     # full sizes (what the committed outputs come from)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"
FILTER="${1:-}"
TIMEOUT="${WISEFT_NOTEBOOK_TIMEOUT:-1800}" # seconds per cell

GOBIN="$(go env GOBIN)"
if [ -z "$GOBIN" ]; then GOBIN="$(go env GOPATH)/bin"; fi
export PATH="$GOBIN:$PATH"
kernels="$(jupyter kernelspec list 2>/dev/null || true)" # not piped into grep -q: pipefail and SIGPIPE
if ! command -v jupyter >/dev/null || ! command -v gonb >/dev/null || ! command -v goimports >/dev/null ||
  ! grep -q '^ *gonb ' <<<"$kernels"; then
  echo "test-notebooks: Jupyter, GoNB or goimports is missing: run scripts/setup-notebooks.sh" >&2
  exit 1
fi

TMP="$(mktemp -d /tmp/wiseft-notebooks.XXXXXX)"
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$TMP"' EXIT; fi
export WISEFT_NOTEBOOK_QUICK="${WISEFT_NOTEBOOK_QUICK:-1}"
export WISEFT_NOTEBOOK_STATIC=1           # no front end: never wait for one
export WISEFT_NOTEBOOK_WORK="$TMP/work"   # fresh: nothing is read from earlier runs
export WISEFT_ROOT="$REPO"
export PYDEVD_DISABLE_FILE_VALIDATION=1

# This checkout's kernel: a kernelspec like the one setup-notebooks.sh registers, with its go.work pointing here,
# found before the user-wide one (JUPYTER_PATH comes first), so a second clone never runs the first one's code.
mkdir -p "$TMP/jupyter/kernels/gonb"
cat >"$TMP/jupyter/kernels/gonb/kernel.json" <<EOF
{"argv": ["$GOBIN/gonb", "--kernel", "{connection_file}", "-logtostderr=true", "-go_work=$REPO"],
 "display_name": "Go (gonb)", "language": "go", "interrupt_mode": "message", "env": {}}
EOF
export JUPYTER_PATH="$TMP/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"

# check_outputs NOTEBOOK [REQUIRED_TEXT]: fails on error outputs, panics or GoNB error blocks; with
# REQUIRED_TEXT, also when no output contains it.
check_outputs() {
  /usr/bin/python3 - "$1" "${2:-}" <<'EOF'
import json, sys
path, required = sys.argv[1], sys.argv[2]
nb = json.load(open(path))
bad, seen = [], False
for i, cell in enumerate(nb["cells"]):
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        text = "".join(out.get("text", "")) if kind == "stream" else ""
        html = "".join(out.get("data", {}).get("text/html", "")) if kind in ("display_data", "execute_result") else ""
        if kind == "error":
            bad.append("cell %d: error %s: %s" % (i, out.get("ename"), out.get("evalue", "")[:500]))
        elif kind == "stream" and out.get("name") == "stderr" and ("panic" in text or "error" in text.lower()):
            bad.append("cell %d: stderr: %s" % (i, text[:500]))
        elif "gonb-err" in html or "panic:" in html:
            bad.append("cell %d: error block in the output" % i)
        if required and (required in text or required in html):
            seen = True
if required and not seen:
    bad.append("no output contains %r" % required)
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
}

# run NAME NOTEBOOK [REQUIRED_TEXT] [ENV...]: executes NOTEBOOK headless and checks its outputs.
failed=0
run() {
  local name="$1" nb="$2" required="$3"
  shift 3
  local out="$TMP/$name.ipynb" log="$TMP/$name.log" start
  start=$(date +%s)
  if env "$@" jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout="$TIMEOUT" \
    --output-dir "$TMP" --output "$name" "$nb" >"$log" 2>&1 && check_outputs "$out" "$required"; then
    echo "test-notebooks: ok   $name ($(( $(date +%s) - start ))s)"
  else
    echo "test-notebooks: FAIL $name ($(( $(date +%s) - start ))s); log $log, executed copy $out" >&2
    grep -v -e '^[IWE][0-9]\{4\} ' -e 'Debugger\|frozen\|PYDEVD\|gopls\|^$\|^```' "$log" | tail -25 >&2 || true
    failed=1
  fi
}

for nb in notebooks/*.ipynb; do
  base="$(basename "$nb" .ipynb)"
  case "$base" in *"$FILTER"*) ;; *) continue ;; esac
  if [ "$base" = 04-real-clip ]; then
    run "$base-no-model" "$nb" "WISEFT_CLIP_MODEL is not set" WISEFT_CLIP_MODEL=
    run "$base-world-model" "$nb" "zero-shot top-1" WISEFT_CLIP_MODEL="$REPO/world/model"
  else
    run "$base" "$nb" ""
  fi
done

# The browser test, where a browser and the classic Notebook are installed.
if [ -z "$FILTER" ] && [ "${WISEFT_NOTEBOOK_BROWSER:-1}" != 0 ]; then
  if command -v chromium >/dev/null && command -v jupyter-notebook >/dev/null; then
    start=$(date +%s)
    if (cd notebooks/browser && WISEFT_BROWSER_TEST=1 go test -count=1 -timeout 15m -run TestBrowser .) >"$TMP/browser.log" 2>&1; then
      echo "test-notebooks: ok   browser test ($(( $(date +%s) - start ))s; screenshots in screenshots/)"
    else
      echo "test-notebooks: FAIL browser test ($(( $(date +%s) - start ))s); the test's messages, the page's console, Jupyter's log:" >&2
      grep -v -e 'jpyexec' -e '/api/kernels' -e '^\s*$' "$TMP/browser.log" | head -100 >&2 || true
      failed=1
    fi
  else
    echo "test-notebooks: browser test skipped (no chromium or jupyter-notebook; see scripts/setup-notebooks.sh)"
  fi
fi

if [ "$failed" != 0 ]; then
  [ "${KEEP:-0}" = 1 ] || echo "test-notebooks: rerun with KEEP=1 to keep $TMP" >&2
  exit 1
fi
echo "test-notebooks: all notebooks passed"
