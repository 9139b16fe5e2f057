#!/usr/bin/env bash
# GPU check of the air solver, for a lent NVIDIA H100/H200 machine with no network.
#
# Needs python3 with numpy, scipy, numba, h5py, cupy-cuda13x and pytest (the
# lent machines' image has them), and pydantic for the engine: carry its
# wheels in .whl/ (docs/performance.md says how); they are installed here.
# Runs, in about six minutes:
#   1. the GPU's tests: the CuPy kernels, whole steps and an engine run
#      against the NumPy reference (their CPU-emulated twins run in CI);
#   2. the air benchmark on the GPU: the flux scheme on 4 M and 16 M cells
#      (kernel bandwidths); the semi-Lagrangian scheme on the hall's grid at
#      0.25 m and 0.1 m;
#   3. the 10 MW example hall itself through the engine on the GPU at 0.25 m
#      and 0.1 m (Courant 4 and 8; and 0.1 m at the pressure tolerance of
#      session 5), part by part (bench/hall_step.py);
#   4. bench/thin_walls.py on the GPU: CG iterations with walls one cell thick,
#      and 120 s of the hall with and without containment panels;
#   5. the same hall on one core of this machine's CPU (numba): a quiet CPU,
#      unlike a shared development VM;
# and prints a short table.  Usage: bash bench/device_check.sh [OUTDIR]
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=. PYTHONUNBUFFERED=1
out="${1:-${OUT:-/tmp}}"
mkdir -p "$out"
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl && export PYTHONPATH=.:/tmp/site
fi

echo "== device"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
lscpu | grep -E "Model name|^CPU\(s\)" || true
python3 -c "import cupy, numba, numpy; print('cupy', cupy.__version__, 'numba', numba.__version__, 'numpy', numpy.__version__)"

echo "== tests (CuPy on the GPU)"
start=$(date +%s)
# only the GPU cases: CI runs the rest, and the CUDA-source-on-CPU twins
timeout 200 python3 -m pytest tests/solvers/air/test_cupy.py tests/solvers/air/test_cupy_sl.py \
    tests/solvers/air/test_ghosts.py tests/twin/test_engine_cupy.py tests/solvers/backend/test_backend.py \
    -k "gpu or cupy_backend" -p no:cacheprovider -q -rs \
    2>&1 | tee "$out/device_tests.txt" | tail -15
echo "tests took $(( $(date +%s) - start )) s"

echo "== benchmark (cupy, float32)"
timeout 60 python3 bench/air.py --backend cupy --sizes 4M,16M --steps 10 2>&1 \
    | tee "$out/device_bench_flux.txt"
timeout 90 python3 bench/air.py --backend cupy --sizes hall,hall-0.1m --steps 20 \
    --advection semi-lagrangian --spinup 20 2>&1 | tee "$out/device_bench_sl.txt"
echo "== the example hall through the engine (cupy)"
# the last at session 5's pressure tolerance, to compare with its figures
for run in "0.25 4" "0.1 4" "0.1 8" "0.1 4 1e-4"; do
    set -- $run
    rtol=${3:+--pressure-rtol $3}
    timeout 90 python3 bench/hall_step.py --backend cupy --spacing "$1" --courant "$2" $rtol \
        --spinup 10 --seconds 20 2>&1 | tee "$out/device_hall_$1_c$2${3:+_rtol$3}.txt"
done
echo "== thin walls: CG iterations, and the hall with containment panels (cupy)"
timeout 120 python3 bench/thin_walls.py --backend cupy --coupled 120 2>&1 \
    | tee "$out/device_thin_walls.txt"
echo "== benchmark (numba, one core of this CPU, float32)"
timeout 90 python3 bench/hall_step.py --backend numba --threads 1 --spinup 10 --seconds 20 2>&1 \
    | tee "$out/cpu_hall.txt"

echo "== summary"
grep -E "passed|failed|error" "$out/device_tests.txt" | tail -1
for f in device_bench_flux device_bench_sl; do
    echo "-- $f"
    grep -E "^backend|^advection|STREAM|^== |  step |pressure share|sweep equivalents|sl_|scalar_update|mg_smooth|7-point" \
        "$out/$f.txt"
done
echo "-- device_thin_walls"
grep -E "CG iterations|wall," "$out/device_thin_walls.txt"
for f in device_hall_0.25_c4 device_hall_0.1_c4 device_hall_0.1_c8 device_hall_0.1_c4_rtol1e-4 cpu_hall; do
    echo "-- $f"
    head -12 "$out/$f.txt"
done
