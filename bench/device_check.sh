#!/usr/bin/env bash
# GPU check of the air solver, for a lent NVIDIA H100/H200 machine with no network.
#
# Needs python3 with numpy, scipy, numba, cupy-cuda13x, pytest (no pydantic:
# the solver tests never import twin).  Runs, in about five minutes:
#   1. the solver tests (numpy, numba and the CuPy kernels against the reference);
#   2. the air benchmark on the GPU (0.5 M, 4 M, 16 M cells and the 10 MW hall's grid);
# and prints a short table.  Usage: bash bench/device_check.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.
out="${1:-${OUT:-/tmp}}"
mkdir -p "$out"

echo "== device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 -c "import cupy, numba, numpy; print('cupy', cupy.__version__, 'numba', numba.__version__, 'numpy', numpy.__version__)"

echo "== tests (tests/solvers)"
start=$(date +%s)
# other packages' tests may need libraries this machine lacks (wntr): keep going past them
timeout 240 python3 -m pytest tests/solvers -p no:cacheprovider -q -rs \
    --continue-on-collection-errors 2>&1 | tee "$out/device_tests.txt" | tail -15
echo "tests took $(( $(date +%s) - start )) s"

echo "== benchmark (cupy, float32)"
timeout 240 python3 bench/air.py --backend cupy --sizes 0.5M,4M,16M,hall --steps 20 2>&1 | tee "$out/device_bench.txt"

echo "== summary"
grep -E "passed|failed|error" "$out/device_tests.txt" | tail -1
grep -E "^backend|STREAM|^== |  step |pressure share|sweep equivalents|scalar_update|mg_smooth|7-point" \
    "$out/device_bench.txt"
