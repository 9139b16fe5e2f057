#!/usr/bin/env bash
# GPU check of the air solver, for a lent NVIDIA H100/H200 machine with no network.
#
# Needs python3 with numpy, scipy, numba, cupy-cuda13x, pytest (no pydantic:
# the solver tests never import twin).  Runs, in about six minutes:
#   1. the GPU's tests: the CuPy kernels and whole steps against the NumPy
#      reference, and the multigrid (the rest of tests/solvers runs in CI);
#   2. the air benchmark on the GPU: the flux scheme on 4 M, 16 M and the 10 MW
#      hall's grid; the semi-Lagrangian scheme on the hall at 0.25 m and 0.1 m;
#   3. the same hall on one core of this machine's CPU (numba), both schemes:
#      a quiet CPU, unlike a shared development VM;
# and prints a short table.  Usage: bash bench/device_check.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=.
out="${1:-${OUT:-/tmp}}"
mkdir -p "$out"

echo "== device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
lscpu | grep -E "Model name|^CPU\(s\)" || true
python3 -c "import cupy, numba, numpy; print('cupy', cupy.__version__, 'numba', numba.__version__, 'numpy', numpy.__version__)"

echo "== tests (CuPy and multigrid)"
start=$(date +%s)
# the whole of tests/solvers took over 200 s here: CI runs it; this runs what needs the GPU
timeout 240 python3 -m pytest tests/solvers/air/test_cupy.py tests/solvers/air/test_cupy_sl.py \
    tests/solvers/air/test_multigrid.py -p no:cacheprovider -q -rs \
    2>&1 | tee "$out/device_tests.txt" | tail -15
echo "tests took $(( $(date +%s) - start )) s"

echo "== benchmark (cupy, float32)"
timeout 100 python3 bench/air.py --backend cupy --sizes 4M,16M,hall --steps 20 2>&1 \
    | tee "$out/device_bench_flux.txt"
timeout 120 python3 bench/air.py --backend cupy --sizes hall,hall-0.1m --steps 20 \
    --advection semi-lagrangian --spinup 20 2>&1 | tee "$out/device_bench_sl.txt"
echo "== benchmark (numba, one core of this CPU, float32)"
timeout 120 python3 bench/air.py --backend numba --threads 1 --sizes hall --steps 10 \
    --advection semi-lagrangian --spinup 20 2>&1 | tee "$out/cpu_bench_sl.txt"
timeout 60 python3 bench/air.py --backend numba --threads 1 --sizes hall --steps 10 2>&1 \
    | tee "$out/cpu_bench_flux.txt"

echo "== summary"
grep -E "passed|failed|error" "$out/device_tests.txt" | tail -1
for f in device_bench_flux device_bench_sl cpu_bench_sl cpu_bench_flux; do
    echo "-- $f"
    grep -E "^backend|^advection|STREAM|^== |  step |pressure share|sweep equivalents|sl_|scalar_update|mg_smooth|7-point" \
        "$out/$f.txt"
done
