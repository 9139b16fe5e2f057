#!/usr/bin/env bash
# Build the Linux desktop app into dist/: the one-folder bundle, a .deb and a tarball.
#
#   installer/build_deb.sh               bundle (PyInstaller) + .deb + tarball  (`make dist`)
#   installer/build_deb.sh --no-bundle   package the bundle already in dist/halltwin again
#
# Output:
#   dist/halltwin/                                  the bundle (runs with no Python)
#   dist/halltwin_<version>_<arch>.deb              /opt/halltwin, /usr/bin/halltwin, menu
#                                                   entry, icons, MIME type for layouts
#   dist/halltwin-<version>-linux-<machine>.tar.gz  the bundle + share/ (desktop file,
#                                                   icon, MIME type) for any distribution
# PYTHON (default .venv/bin/python) must have the project and the [dist] extra
# installed (`pip install -e '.[dist]'`); it is the Python that goes in the bundle.
# DEB_MAINTAINER sets the package's Maintainer field (a placeholder otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
PYTHON=${PYTHON:-.venv/bin/python}
bundle=dist/halltwin
stage=build/deb
log=build/pyinstaller.log

die() { echo "build_deb.sh: $*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

build_bundle=1
case "${1:-}" in
  "") ;;
  --no-bundle) build_bundle=0 ;;
  *) die "unknown option '$1' (allowed: --no-bundle)" ;;
esac

# --- tools -----------------------------------------------------------------------
# PyInstaller needs ldd and objdump; the spec needs strip and readelf (binutils).
missing=()
for tool in dpkg-deb dpkg-query ldd objdump readelf strip tar gzip; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "build_deb.sh: installing binutils (missing: ${missing[*]})"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils
  fi
  for tool in "${missing[@]}"; do
    command -v "$tool" >/dev/null || die "'$tool' is missing; on Debian: apt-get install binutils dpkg"
  done
fi
[ -x "$PYTHON" ] || die "no Python at $PYTHON; run 'make dist' (it creates .venv) or set PYTHON"

# PyInstaller puts libpython in the bundle; Debian's python3 has it in a separate package.
if ! "$PYTHON" - <<'EOF'
import ctypes, sys, sysconfig
name = sysconfig.get_config_var("INSTSONAME") or ""
try:
    ctypes.CDLL(name)
except OSError:
    sys.exit(1)
EOF
then
  pkg=libpython$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "build_deb.sh: installing $pkg (PyInstaller needs the shared libpython)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg"
  else
    die "PyInstaller needs the shared libpython of $PYTHON; on Debian: apt-get install $pkg"
  fi
fi

# --- bundle ----------------------------------------------------------------------
t_start=$(now)
if [ "$build_bundle" = 1 ]; then
  "$PYTHON" -m PyInstaller --version >/dev/null 2>&1 ||
    die "PyInstaller is not installed in $PYTHON; run: $PYTHON -m pip install -e '.[dist]'"
  # Icons first: the spec embeds the Windows/macOS ones; the .deb takes the PNGs and SVG.
  QT_QPA_PLATFORM=offscreen "$PYTHON" installer/make_icons.py build/icons
  rm -rf "$bundle"
  mkdir -p build
  echo "build_deb.sh: building the bundle with PyInstaller (log: $log)"
  if ! "$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
      --distpath dist --workpath build/pyinstaller installer/halltwin.spec >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "PyInstaller failed; the whole log is in $log"
  fi
fi
t_bundle=$(now)
[ -x "$bundle/halltwin" ] || die "no bundle at $bundle; run without --no-bundle first"
[ -f build/icons/halltwin-256.png ] || QT_QPA_PLATFORM=offscreen "$PYTHON" installer/make_icons.py build/icons

# The version is what the bundle itself says, so the package cannot disagree with it.
version=$(env -i HOME="$root/build" "$bundle/halltwin" --version | awk '{print $2}')
[ -n "$version" ] || die "the bundle did not print its version ($bundle/halltwin --version)"
arch=$(dpkg --print-architecture)
machine=$(uname -m)

# --- Depends: the system libraries the bundle loads from the machine --------------
# Every library the bundle's ELF files need and do not carry, mapped to its Debian
# package (what dpkg-shlibdeps does, without needing dpkg-dev).  libc6's minimum
# version is the newest GLIBC_ symbol version used.
depends() {
  local internal=$bundle/_internal
  local libpath="$internal:$internal/PySide6/Qt/lib"
  find "$bundle" -type f \( -name '*.so*' -o -path "$bundle/halltwin" \) -print0 |
    xargs -0 -n 50 env LD_LIBRARY_PATH="$libpath" ldd 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u |
    while read -r lib; do
      case "$(readlink -f "$lib")" in "$root/$bundle"/*) continue ;; esac
      dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null || dpkg-query -S "$lib" 2>/dev/null || true
    done | cut -d: -f1 | sort -u | grep -v '^libc6$' || true
}
# libwayland-cursor/-egl (Qt's Wayland plugin) are Recommends: without them Qt
# falls back to X11 (XWayland), and build machines often lack them.
glibc=$(find "$bundle" -type f -name '*.so*' -print0 | xargs -0 objdump -T 2>/dev/null |
        grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)
dep_list="libc6 (>= ${glibc:-2.28})"
for pkg in $(depends); do dep_list+=", $pkg"; done

# --- package tree ------------------------------------------------------------------
t_pkg=$(now)
rm -rf "$stage"
mkdir -p "$stage/root/DEBIAN" "$stage/root/opt" "$stage/root/usr/bin" \
         "$stage/root/usr/share/applications" "$stage/root/usr/share/mime/packages" \
         "$stage/root/usr/share/doc/halltwin" "$stage/root/usr/share/icons/hicolor/scalable/apps"
# Hard links: the bundle is ~400 MB and the staging tree is thrown away.
cp -al "$bundle" "$stage/root/opt/halltwin" 2>/dev/null || cp -a "$bundle" "$stage/root/opt/halltwin"
# Relative, so the link also works in a root unpacked elsewhere (dpkg -x, the smoke test).
ln -s ../../opt/halltwin/halltwin "$stage/root/usr/bin/halltwin"
install -m 644 installer/linux/halltwin.desktop "$stage/root/usr/share/applications/"
install -m 644 installer/linux/halltwin-mime.xml "$stage/root/usr/share/mime/packages/halltwin.xml"
install -m 644 installer/linux/copyright "$stage/root/usr/share/doc/halltwin/copyright"
install -m 644 installer/icons/halltwin.svg "$stage/root/usr/share/icons/hicolor/scalable/apps/"
for size in 16 24 32 48 64 128 256 512; do
  dir="$stage/root/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  install -m 644 "build/icons/halltwin-$size.png" "$dir/halltwin.png"
done
installed_kb=$(du -sk --exclude=DEBIAN "$stage/root" | cut -f1)
# No maintainer scripts: the menu, MIME and icon caches are refreshed by the
# dpkg triggers of desktop-file-utils, shared-mime-info and hicolor-icon-theme.
cat >"$stage/root/DEBIAN/control" <<EOF
Package: halltwin
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-HallTwin developers <packaging@halltwin.invalid>}
Installed-Size: $installed_kb
Depends: $dep_list
Recommends: fonts-dejavu-core | fonts-liberation2, libwayland-cursor0, libwayland-egl1, shared-mime-info, desktop-file-utils, hicolor-icon-theme
Section: science
Priority: optional
Description: digital twin of a liquid-cooled AI data hall
 HallTwin lays out racks, CDUs, air units and piping of a data hall and runs
 room air, coolant loops and controls together, on the CPU or (with a CuPy
 the user installs) the GPU.  Self-contained: Python and its libraries are
 bundled under /opt/halltwin.
EOF
deb=dist/halltwin_${version}_${arch}.deb
rm -f "$deb"
# zstd: seconds instead of minutes (xz took ~5 min on the bundle) for a package
# about as small; dpkg reads zstd since Debian 12 and Ubuntu 21.10.
dpkg-deb --root-owner-group -Zzstd --build "$stage/root" "$deb" >/dev/null
t_deb=$(now)

# --- tarball -----------------------------------------------------------------------
name=halltwin-$version
tarball=dist/$name-linux-$machine.tar.gz
rm -rf "build/tar" "$tarball"
mkdir -p "build/tar"
cp -al "$bundle" "build/tar/$name" 2>/dev/null || cp -a "$bundle" "build/tar/$name"
mkdir -p "build/tar/$name/share"
cp installer/linux/halltwin.desktop installer/linux/halltwin-mime.xml \
   installer/icons/halltwin.svg build/icons/halltwin-256.png "build/tar/$name/share/"
# gzip, not zstd: a tarball is for machines where nothing can be assumed.
tar -C build/tar --owner=0 --group=0 -czf "$tarball" "$name"
t_end=$(now)

# --- report ------------------------------------------------------------------------
size() { du -sh "$1" | cut -f1; }
echo
echo "build_deb.sh: halltwin $version ($arch)"
printf '  %-46s %6s\n' "$bundle/ (bundle)" "$(size "$bundle")"
printf '  %-46s %6s\n' "$deb" "$(size "$deb")"
printf '  %-46s %6s\n' "$tarball" "$(size "$tarball")"
if [ "$build_bundle" = 1 ]; then
  echo "  time: bundle $(secs "$t_start" "$t_bundle") s, .deb $(secs "$t_pkg" "$t_deb") s," \
       "tarball $(secs "$t_deb" "$t_end") s, total $(secs "$t_start" "$t_end") s"
else
  echo "  time: .deb $(secs "$t_pkg" "$t_deb") s, tarball $(secs "$t_deb" "$t_end") s"
fi
echo "  Depends: $dep_list"
