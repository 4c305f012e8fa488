#!/usr/bin/env bash
# The main job. For now: embed the golden fixture's inputs with the fixture CLIP and compare with the reference
# implementation's logits.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/wiseft ] || go build -o bin/wiseft ./cmd/wiseft
mkdir -p out
bin/wiseft embed --model clipmodel/testdata/clip --inputs clipmodel/testdata/clip/golden.safetensors --out out/fixture-embeds.safetensors
go run ./scripts/compare-logits out/fixture-embeds.safetensors clipmodel/testdata/clip/golden.safetensors
