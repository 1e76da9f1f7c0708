#!/usr/bin/env bash
# The GPU suite in one command of at most about 6 minutes (GPU_SUITE_BUDGET_S, default 350 s, start to end):
#   1. families.py, eager: every family's encoder and decoder step at real sizes, SAM's eager fast paths  -> gpu-families.json
#   2. sam_finetune.py --gpu-suite: 1000 images x 4 boxes, tutorial recipe vs ours, 10 epochs, end to end -> gpu-suite.json
#   3. families.py, compiled: torch.compile (default, reduce-overhead, max-autotune) of encoders and steps -> gpu-compiled.json
#   4. gpu_summary.py: the issue's goals against the best figures (printed)
# Each stage writes its results after every measurement and runs under its own `timeout`, so a stage that fails or
# runs out of time leaves what it measured and the next one still runs. Results go to $OUT when it is set (the
# device tool brings back what is there; copy it into bench/results/), else to bench/results/. The whole output
# is also in gpu-log.txt there.
# Missing packages (fastcore, monai on the lent GPU machine) are installed from the wheels in .whl/ into
# $WHEEL_SITE (default /tmp/yolo-sam-site), with no index: nothing is downloaded.
# With no CUDA GPU it says so and exits 0. `--smoke`: the same stages in their smoke modes on the CPU (tiny sizes,
# seconds each), into a temporary folder unless OUT is set: checks every step of this script, the wheel install too.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="${PYTHON:-python3}"
SMOKE=0; [ "${1:-}" = "--smoke" ] && SMOKE=1
BUDGET="${GPU_SUITE_BUDGET_S:-$([ $SMOKE = 1 ] && echo 1800 || echo 350)}"
T0=$SECONDS
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 YOLO_OFFLINE=1 TOKENIZERS_PARALLELISM=false

if [ -n "${OUT:-}" ]; then RES="$OUT"; elif [ $SMOKE = 1 ]; then RES="$(mktemp -d)"; else RES="$ROOT/bench/results"; fi
mkdir -p "$RES"
LOG="$RES/gpu-log.txt"
exec > >(tee -a "$LOG") 2>&1

echo "== bench/gpu.sh $([ $SMOKE = 1 ] && echo '--smoke ')$(date -Is) results -> $RES, budget ${BUDGET} s"
if ! "$PY" -c "import fastcore, monai" 2>/dev/null; then
  SITE="${WHEEL_SITE:-/tmp/yolo-sam-site}"
  echo "== installing the wheels of .whl/ into $SITE (fastcore or monai is missing)"
  ls .whl/*.whl >/dev/null 2>&1 || { echo "no .whl/*.whl here: carry .whl (see bench/README.md)"; exit 1; }
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" .whl/*.whl || exit 1
  export PYTHONPATH="$SITE:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
else
  export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
fi
"$PY" - <<'EOF' || exit 1
import sys, torch, transformers, fastcore, monai, yolo_sam_training.train_sam
print(f"python {sys.version.split()[0]}, torch {torch.__version__}, transformers {transformers.__version__}, fastcore {fastcore.__version__}, "
      f"monai {monai.__version__}; CUDA {torch.cuda.is_available()}" + (f": {torch.cuda.get_device_name(0)}" if torch.cuda.is_available() else ""))
for name in ("SamModel", "SamHQModel", "Sam2Model", "EdgeTamModel"):
    print(f"  transformers.{name}: {'present' if hasattr(transformers, name) else 'MISSING'}")
EOF
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv,noheader

left() { echo $(( BUDGET - (SECONDS - T0) )); }
stage() {  # stage NAME SECONDS command...: run with a time limit (at most what is left of the budget), report how it ended
  local name=$1 want=$2; shift 2
  local t=$(left); [ "$want" -lt "$t" ] && t=$want
  if [ "$t" -lt 20 ]; then echo "== $name: skipped, $(left) s left of the budget"; return; fi
  echo; echo "== $name (limit ${t} s, $(left) s left of the budget)"
  timeout --kill-after=5 "$t" "$@"; local rc=$?
  [ $rc = 124 ] && echo "== $name: stopped at its ${t} s limit; what it measured is in its results file"
  [ $rc != 0 ] && [ $rc != 124 ] && echo "== $name: exited $rc"
  echo "== $name: done after $((SECONDS - T0)) s in all"
}

if [ $SMOKE = 1 ]; then
  stage families 300 "$PY" bench/families.py --smoke --families sam,sam2 --out "$RES/gpu-families.json"
  stage suite 300 "$PY" bench/sam_finetune.py --smoke --pipelined-encode --out "$RES/gpu-suite.json"
  stage compiled 300 "$PY" bench/families.py --smoke --families sam --compiled-only --out "$RES/gpu-compiled.json"
  "$PY" bench/gpu_summary.py "$RES"
  echo "== smoke done in $((SECONDS - T0)) s"; exit 0
fi
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  echo "GPU suite: no CUDA GPU on this machine (torch.cuda.is_available() is False); nothing measured. Run bench/gpu.sh on a machine with one."
  exit 0
fi
OTHERS="enc:amp/eager/32,enc:bf16/eager/32,dec:amp/eager/32,dec:amp/eager/128,dec:amp/default/32,enc:bf16/default/32"
stage families 75 "$PY" bench/families.py --device cuda --eager-only --min-s 0.5 --plan-others "$OTHERS" --out "$RES/gpu-families.json"
stage suite 130 "$PY" bench/sam_finetune.py --gpu-suite --out "$RES/gpu-suite.json"
stage compiled 600 "$PY" bench/families.py --device cuda --compiled-only --families sam,sam2,sam-hq,edgetam --min-s 1 \
  --plan-others "$OTHERS" --budget-s $(( $(left) - 12 )) --out "$RES/gpu-compiled.json"
"$PY" bench/gpu_summary.py "$RES"
echo "== GPU suite done in $((SECONDS - T0)) s; results in $RES"
