#!/usr/bin/env bash
# Install the Debian libraries Qt needs, only those that are missing.
#   system-deps.sh offscreen   what the headless (QT_QPA_PLATFORM=offscreen) tests need,
#                              with g++ to build the CUDA kernels' source for the CPU
#                              (tests/solvers/air/cuda_on_cpu.py: CI has no GPU)
#   system-deps.sh window      what a real window on X11 needs (found with ldd on the
#                              xcb platform plugin + dpkg -S; Qt's own message about
#                              xcb-cursor0 can hide the real gap)
set -euo pipefail
profile=${1:-window}

qt=(libegl1 libgl1 libglx0 libglvnd0 libopengl0 libfontconfig1 libfreetype6
    libxkbcommon0 libdbus-1-3 libglib2.0-0 fonts-dejavu-core)
offscreen=("${qt[@]}" g++)
window=("${qt[@]}" libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0
        libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
        libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
        libxcb-util1 libxcb-xfixes0 libxcb-xkb1)

case "$profile" in
  offscreen) wanted=("${offscreen[@]}") ;;
  window)    wanted=("${window[@]}") ;;
  *) echo "system-deps.sh: unknown profile '$profile' (allowed: offscreen, window)" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null || { echo "system-deps.sh: not a Debian system; install Qt's X11 libraries yourself" >&2; exit 0; }

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system libraries Qt needs: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "system-deps.sh: run as root or install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
