#!/usr/bin/env bash
# The GPU benchmark suite in one short command: sam-vit-base architecture (random weights), 1000 synthetic images,
# bf16, batch 8, tutorial recipe vs ours, loader vs step, bf16/SDPA/torch.compile fast paths, all in one process.
# Writes bench/results/gpu-suite.json and .md. With no CUDA GPU it says so and exits 0.
# Extra arguments go to sam_finetune.py (e.g. --images 200 for a quicker run, --out other.json).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
exec "$PY" bench/sam_finetune.py --gpu-suite "$@"
