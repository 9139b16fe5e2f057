#!/usr/bin/env bash
# Build HallTwin.app and a .dmg on a Mac (what .github/workflows/installers.yml runs).
#
#   installer/macos/build_dmg.sh
#
# Needs: Python 3.11 with the project and the [dist] extra installed
# (`python3 -m pip install -e '.[dist]'`; PYTHON picks another interpreter),
# and the Xcode command-line tools (codesign, hdiutil come with macOS).
# Output: dist/HallTwin.app and dist/HallTwin-<version>-macos-<arch>.dmg, where
# <arch> is the build machine's (arm64 on Apple silicon runners; build on an
# Intel Mac for x86_64).  The app is signed ad hoc only: Gatekeeper asks
# users to confirm the first start (docs/installing.md) until a Developer ID
# signature and notarization are added (they need the project's Apple account).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}

die() { echo "build_dmg.sh: $*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || die "this recipe runs on macOS (hdiutil, codesign)"
"$PYTHON" -m PyInstaller --version >/dev/null 2>&1 ||
  die "PyInstaller is not installed in $PYTHON; run: $PYTHON -m pip install -e '.[dist]'"

start=$(date +%s)
QT_QPA_PLATFORM=offscreen "$PYTHON" installer/make_icons.py build/icons
rm -rf dist/halltwin dist/HallTwin.app
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/halltwin.spec
app=dist/HallTwin.app
exe=$app/Contents/MacOS/halltwin
[ -x "$exe" ] || die "PyInstaller made no $exe"

# Checks like the Linux smoke test, on the app itself, in an empty environment.
clean() { env -i HOME="$PWD/build/smoke-home" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen "$@"; }
version=$(clean "$exe" --version | awk '{print $2}')
[ -n "$version" ] || die "$exe --version printed nothing"
clean "$exe" --help | grep -q '^    gui ' || die "the app's --help does not list gui"
for layout in "$app"/Contents/Resources/layouts/*.json; do
  clean "$exe" validate "$layout" >/dev/null || die "validate $layout failed"
done
clean "$exe" demo >/dev/null || die "demo failed"
rm -f build/smoke-mac.png
clean "$exe" gui layouts/pod-1mw.json --screenshot build/smoke-mac.png || die "gui --screenshot failed"
[ -s build/smoke-mac.png ] || die "gui --screenshot wrote no PNG"

# PyInstaller signs ad hoc (Apple silicon refuses unsigned code); sign the whole
# app again so the seal covers everything, and check it.
codesign --force --deep --sign - "$app"
codesign --verify --deep --strict "$app"

arch=$(uname -m)
dmg=dist/HallTwin-$version-macos-$arch.dmg
staging=build/dmg
rm -rf "$staging" "$dmg"
mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"  # drag-to-install
hdiutil create -volname "HallTwin $version" -srcfolder "$staging" -fs HFS+ \
  -format UDZO -imagekey zlib-level=9 -ov "$dmg"

echo "build_dmg.sh: $dmg ($(du -sh "$dmg" | cut -f1); app $(du -sh "$app" | cut -f1))" \
     "in $(( $(date +%s) - start )) s"
