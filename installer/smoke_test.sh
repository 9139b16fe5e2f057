#!/usr/bin/env bash
# Smoke test of the Linux package, as a user without Python would get it.
#
#   installer/smoke_test.sh [DEB]      (default: the newest dist/halltwin_*.deb)   `make dist-test`
#
# Unpacks the .deb into a scratch root (dpkg -x; nothing is installed on this
# machine) and runs /usr/bin/halltwin from there with an empty environment:
# PATH holds only the scratch root's usr/bin (no Python, no virtual
# environment), HOME is a fresh folder, Qt draws offscreen.  Checks:
#   - the package's files (launcher, bundle, menu entry, icons, MIME type)
#   - `halltwin --version` says the package's version; `--help` lists `gui`
#     (the entry point plugged in through the bundled metadata)
#   - `validate` passes on every bundled example layout and each of its
#     scenarios, and fails cleanly (exit 1, no traceback) on a broken file
#   - `demo` passes
#   - `gui LAYOUT --screenshot PNG` writes a PNG
#   - a 30-second headless `run` of pod-1mw writes a run file that `info` reads
#   - `sweep` of pod-1mw on a local cluster of 2 worker processes (the frozen
#     executable spawns itself as the workers)
#     as complete (coolant side only unless HALLTWIN_SMOKE_AIR=1, see below)
#   - numba compiles in the bundle and caches in the per-user folder (through
#     `network` on a one-pipe network), and the user's CuPy is looked for in
#     HALLTWIN_CUPY_PATH (through `verify --backend cupy`)
#   - the install folder is left exactly as the package put it
# Exit status: 0 when every check passed, 1 otherwise (each failure is listed).
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "smoke_test.sh: $*" >&2; exit 2; }

deb=${1:-}
if [ -z "$deb" ]; then
  for candidate in dist/halltwin_*.deb; do
    [ -e "$candidate" ] && { [ -z "$deb" ] || [ "$candidate" -nt "$deb" ]; } && deb=$candidate
  done
fi
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
  die "no .deb found in dist/; run 'make dist' first (or pass one)"
fi
command -v dpkg-deb >/dev/null || die "dpkg-deb is needed to unpack the package"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/halltwin-smoke.XXXXXX")
root=$scratch/root
home=$scratch/home
mkdir -p "$root" "$home"
failures=()
keep=0
cleanup() { if [ "$keep" = 1 ]; then echo "smoke_test.sh: kept $scratch for a look"; else rm -rf "$scratch"; fi; }
trap cleanup EXIT

version=$(dpkg-deb -f "$deb" Version)
echo "smoke_test.sh: $deb (halltwin $version) unpacked in $scratch"
dpkg-deb -x "$deb" "$root"
app_dir=$root/opt/halltwin
layouts=$app_dir/_internal/layouts

ok() { printf '  ok    %s\n' "$1"; }
fail() { printf '  FAIL  %s\n' "$1"; failures+=("$1"); keep=1; }
skip() { printf '  SKIP  %s\n' "$1"; }

# Run halltwin as a user would, with nothing from this shell's environment.
# Output goes to $scratch/out; the exit status is returned.  A hung command is killed.
app() {
  local status=0
  timeout 900 env -i HOME="$home" PATH="$root/usr/bin" LANG=C.UTF-8 \
    QT_QPA_PLATFORM=offscreen "${extra_env[@]}" halltwin "$@" >"$scratch/out" 2>&1 || status=$?
  return "$status"
}
extra_env=()
show() { sed 's/^/          | /' "$scratch/out" | tail -n 15; }
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

touch "$scratch/before"
sleep 1  # so that anything written later is strictly newer

# --- the package's files -----------------------------------------------------------
for path in usr/bin/halltwin opt/halltwin/halltwin usr/share/applications/halltwin.desktop \
            usr/share/mime/packages/halltwin.xml usr/share/icons/hicolor/256x256/apps/halltwin.png \
            usr/share/icons/hicolor/scalable/apps/halltwin.svg usr/share/doc/halltwin/copyright; do
  [ -e "$root/$path" ] || fail "package holds /$path"
done
if [ -L "$root/usr/bin/halltwin" ] && [ -x "$root/usr/bin/halltwin" ]; then
  ok "package files (launcher -> $(readlink "$root/usr/bin/halltwin"), menu entry, icons, MIME)"
else
  fail "/usr/bin/halltwin is a working link into /opt/halltwin"
fi
if command -v desktop-file-validate >/dev/null; then
  if desktop-file-validate "$root/usr/share/applications/halltwin.desktop" >"$scratch/out" 2>&1; then
    ok "desktop-file-validate"
  else
    fail "desktop-file-validate"; show
  fi
else
  skip "desktop-file-validate (install desktop-file-utils to check the menu entry)"
fi

# --- no Python here -------------------------------------------------------------------
if env -i PATH="$root/usr/bin" /bin/sh -c 'command -v python3 || command -v python' >/dev/null; then
  fail "the test PATH has no Python"
else
  ok "no python or python3 on the test PATH ($root/usr/bin), empty environment"
fi

# --- version and commands -------------------------------------------------------------
if app --version && grep -qx "halltwin $version" "$scratch/out"; then
  ok "halltwin --version: $(cat "$scratch/out")"
else
  fail "halltwin --version prints 'halltwin $version'"; show
fi
if app --help; then
  commands=$(awk '/^    [a-z]/ { print $1 }' "$scratch/out" | tr '\n' ' ')
  if grep -q '^    gui ' "$scratch/out"; then
    ok "halltwin --help lists: $commands"
  else
    fail "halltwin --help lists gui (entry point halltwin.commands)"; show
  fi
else
  fail "halltwin --help"; show; commands=""
fi
has() { [[ " $commands " == *" $1 "* ]]; }

# --- validate every example --------------------------------------------------------
count=0
for layout in "$layouts"/*.json; do
  [ -e "$layout" ] || { fail "the bundle holds example layouts ($layouts)"; break; }
  app validate "$layout" || { fail "validate $(basename "$layout")"; show; }
  count=$((count + 1))
  hall=$(basename "$layout" .json)
  for scenario in "$layouts/scenarios/$hall"--*.json; do
    [ -e "$scenario" ] || continue
    app validate "$layout" "$scenario" ||
      { fail "validate $(basename "$layout") $(basename "$scenario")"; show; }
    count=$((count + 1))
  done
done
[ "$count" -gt 0 ] && ok "validate: $count example layouts and scenarios from the bundle"

printf '{"format": "halltwin-layout", "version": 1}\n' >"$scratch/broken.json"
status=0; app validate "$scratch/broken.json" || status=$?
if [ "$status" = 1 ] && ! grep -q Traceback "$scratch/out"; then
  ok "validate on a broken layout: exit 1, $(grep -c . "$scratch/out") lines, no traceback"
else
  fail "validate on a broken layout exits 1 without a traceback (got $status)"; show
fi

# --- demo ---------------------------------------------------------------------------
start=$(date +%s.%N)
if app demo; then ok "demo ($(seconds "$start") s)"; else fail "demo"; show; fi

# --- the desktop app, offscreen -------------------------------------------------------
shot=$scratch/window.png
start=$(date +%s.%N)
if app gui "$layouts/pod-1mw.json" --screenshot "$shot" && [ -s "$shot" ] &&
   [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
  # PNG width and height: big-endian integers at bytes 16-23 (IHDR).
  size=$(od -An -tu1 -j16 -N8 "$shot" | awk '{ printf "%dx%d", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }')
  ok "gui pod-1mw.json --screenshot: ${size} PNG, $(du -k "$shot" | cut -f1) kB ($(seconds "$start") s)"
  mkdir -p build && cp "$shot" build/smoke-window.png
else
  fail "gui --screenshot writes a PNG"; show
fi

# --- numba (through `network`, whose solver is numba-compiled) and the user's CuPy -------
if has network; then
  # A reservoir feeding one junction through 100 m of 100 mm pipe: 1 L/s.
  cat >"$scratch/tiny.inp" <<'EOF'
[JUNCTIONS]
 A 0 1
[RESERVOIRS]
 R 10
[PIPES]
 P R A 100 100 0.1
[OPTIONS]
 Units LPS
 Headloss D-W
[END]
EOF
  cache=$home/.cache/HallTwin/HallTwin/numba
  start=$(date +%s.%N)
  if app network "$scratch/tiny.inp" && grep -q '^status: converged' "$scratch/out"; then
    first=$(seconds "$start")
    cached=$(find "$cache" -name '*.nbi' 2>/dev/null | wc -l)
    start=$(date +%s.%N)
    app network "$scratch/tiny.inp" || { fail "network, second run"; show; }
    if [ "$cached" -gt 0 ]; then
      ok "numba: network ran in ${first} s, then in $(seconds "$start") s; $cached kernel index files cached in ~/.cache/HallTwin/HallTwin/numba"
    else
      fail "numba caches its kernels in ~/.cache/HallTwin/HallTwin/numba"
    fi
  else
    fail "network on a one-pipe network (numba kernels)"; show
  fi
else
  skip "numba check (this build has no 'network' command)"
fi
if has verify; then
  mkdir -p "$scratch/gpu/cupy"
  echo 'raise ImportError("HallTwin smoke test: stand-in CuPy found")' >"$scratch/gpu/cupy/__init__.py"
  extra_env=(HALLTWIN_CUPY_PATH="$scratch/gpu")
  status=0; app verify heat --backend cupy --n 8 || status=$?
  extra_env=()
  if [ "$status" = 1 ] && grep -q "stand-in CuPy found" "$scratch/out" && ! grep -q Traceback "$scratch/out"; then
    ok "HALLTWIN_CUPY_PATH: the app imports a CuPy from there (a stand-in that refuses; clean message)"
  else
    fail "HALLTWIN_CUPY_PATH is searched for cupy (exit $status)"; show
  fi
else
  skip "HALLTWIN_CUPY_PATH check (this build has no 'verify' command to pick a backend)"
fi

# --- a 30-second headless run of pod-1mw and `info` on its run file ----------------------
# Coolant side only by default (--no-air: network, chips, controls, the run file):
# the air model's first run compiles its kernels and settles the room first, which
# takes minutes on a small machine.  HALLTWIN_SMOKE_AIR=1 runs it with the air too.
if has run && has info; then
  run_file=$scratch/pod-1mw.h5
  air=(--no-air); what="coolant side only, --no-air"
  if [ "${HALLTWIN_SMOKE_AIR:-0}" = 1 ]; then air=(); what="with the air model"; fi
  start=$(date +%s.%N)
  if app run "$layouts/pod-1mw.json" --until 30 -o "$run_file" --quiet "${air[@]}" &&
     [ -s "$run_file" ]; then
    ok "run pod-1mw.json --until 30 ($what): $(du -k "$run_file" | cut -f1) kB run file ($(seconds "$start") s)"
    if app info "$run_file" && grep -q ": complete, 30 s simulated" "$scratch/out"; then
      ok "info on the run file: $(head -n 1 "$scratch/out" | sed "s|$scratch/||")"
    else
      fail "info says the run file is complete with 30 s simulated"; show
    fi
  else
    fail "run pod-1mw.json --until 30 -o RUN.h5 ($what)"; show
  fi
else
  skip "30-second headless run + info (this build has no 'run' and 'info' commands)"
fi

# --- a sweep on a local cluster: the frozen app spawns itself as Dask workers ------------
if has sweep; then
  sweep_file=$scratch/pod-sweep.h5
  start=$(date +%s.%N)
  if app sweep "$layouts/pod-1mw.json" --until 70 --workers 2 -o "$sweep_file" --quiet &&
     grep -q "7 contingencies" "$scratch/out" && [ -s "$sweep_file" ]; then
    ok "sweep pod-1mw.json --until 70 on 2 local workers: $(tail -n 1 "$scratch/out" | sed "s|$scratch/||") ($(seconds "$start") s)"
  else
    fail "sweep pod-1mw.json on a local cluster of 2 workers"; show
  fi
else
  skip "local-cluster sweep (this build has no 'sweep' command)"
fi

# --- the install folder is untouched ----------------------------------------------------
changed=$(find "$root" -newer "$scratch/before" | head -n 5)
if [ -z "$changed" ]; then
  ok "nothing written into the installed files (caches went to HOME)"
else
  fail "the app wrote into its install folder:"
  while IFS= read -r line; do printf '          | %s\n' "$line"; done <<<"$changed"
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "smoke_test.sh: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "smoke_test.sh: all checks passed"
