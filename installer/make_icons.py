"""Render the app icon (installer/icons/halltwin.svg) into the formats each OS wants.

    python installer/make_icons.py [OUT_DIR]        (default: build/icons)

Writes ``halltwin-<N>.png`` (16 to 1024 px, for the Linux hicolor theme),
``halltwin.ico`` (Windows) and ``halltwin.icns`` (macOS).  Only the SVG is
kept in git; the rest is build output.  The SVG is drawn with Qt's own SVG
renderer (PySide6 is already a dependency), and the ICO and ICNS containers
are written here with PNG payloads, which both OSes accept - so no extra
tool (Pillow, iconutil, ImageMagick) is needed on any build machine.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
#: ICNS element types holding PNG data, by pixel size.
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08",
              512: b"ic09", 1024: b"ic10"}
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(svg: Path, size: int) -> bytes:
    """Return the SVG drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6 import QtCore, QtGui, QtSvg

    image = QtGui.QImage(size, size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.transparent)
    painter = QtGui.QPainter(image)
    painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    renderer = QtSvg.QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons.py: {svg} is not a valid SVG")
    renderer.render(painter)
    painter.end()
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"make_icons.py: could not encode the {size} px icon as PNG")
    return bytes(buffer.data())


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding the PNGs of ICO_SIZES (Windows Vista and later read PNG entries)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, data = b"", b""
    for size in sizes:
        png = pngs[size]
        # Width and height 0 mean 256 in the ICO directory.
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png),
                               offset + len(data))
        data += png
    return header + entries + data


def icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS file with PNG elements (macOS 10.7 and later)."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for size, kind in ICNS_TYPES.items())
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main(argv: list[str]) -> int:
    """Write every icon file into the folder given (default build/icons)."""
    root = Path(__file__).resolve().parent.parent
    out = Path(argv[0]) if argv else root / "build" / "icons"
    svg = root / "installer" / "icons" / "halltwin.svg"
    # No display is needed to draw into an image.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtGui

    app = QtGui.QGuiApplication.instance() or QtGui.QGuiApplication([])  # noqa: F841
    out.mkdir(parents=True, exist_ok=True)
    pngs = {size: render(svg, size) for size in SIZES}
    for size, png in pngs.items():
        (out / f"halltwin-{size}.png").write_bytes(png)
    (out / "halltwin.png").write_bytes(pngs[256])
    (out / "halltwin.ico").write_bytes(ico(pngs))
    (out / "halltwin.icns").write_bytes(icns(pngs))
    (out / "halltwin.svg").write_bytes(svg.read_bytes())
    print(f"make_icons.py: wrote {len(SIZES)} PNGs, halltwin.ico and halltwin.icns to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
