"""Pictures of a frame without Qt or matplotlib: a fixed colour map and a PNG encoder.

The colour map is viridis (perceptually uniform, readable in grey and by
colour-blind people), sampled at nine points and interpolated linearly;
cells without a value (NaN: solid equipment) are drawn mid-grey.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

#: Viridis at 0, 1/8, ..., 1 (sRGB, 0-255).
VIRIDIS = np.array([
    [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
], dtype=float)
#: Colour of cells with no value.
NO_VALUE = (128, 128, 128)


def colourize(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map a 2-D array to RGB through the colour map, ``low`` to ``high`` clipped.

    Parameters
    ----------
    values : ndarray, shape (rows, columns)
        Values in any unit; NaN where there is none.
    low, high : float
        Values drawn with the first and the last colour (``low < high``).

    Returns
    -------
    ndarray of uint8, shape (rows, columns, 3)
    """
    if not high > low:
        raise ValueError(f"colour range must have low < high, got {low} and {high}")
    missing = ~np.isfinite(values)
    position = np.clip((np.where(missing, low, values) - low) / (high - low), 0.0, 1.0)
    scaled = position * (len(VIRIDIS) - 1)
    index = np.minimum(scaled.astype(int), len(VIRIDIS) - 2)
    weight = (scaled - index)[..., None]
    rgb = VIRIDIS[index] * (1.0 - weight) + VIRIDIS[index + 1] * weight
    image = np.rint(rgb).astype(np.uint8)
    image[missing] = NO_VALUE
    return image


def upscale(image: np.ndarray, factor: int) -> np.ndarray:
    """Repeat every pixel ``factor`` times along both axes (crisp cells, no smoothing)."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(image: np.ndarray) -> bytes:
    """Encode an RGB image (rows, columns, 3) of uint8 as a PNG file's bytes.

    Eight bits per channel, no interlace, filter type 0 on every row; zlib
    does the compression.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an RGB uint8 image (rows, columns, 3), got {image.dtype} "
                         f"{image.shape}")
    height, width, _ = image.shape
    rows = np.concatenate([np.zeros((height, 1), np.uint8), image.reshape(height, width * 3)],
                          axis=1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))

