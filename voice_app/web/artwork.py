"""The cover and icons, drawn in code: a warm centre with calm rings on a deep teal square.

No image files in the repository and no imaging library: numpy draws anti-aliased circles and
`png_bytes` writes the PNG with zlib. Images are cached per size once drawn.
"""

from __future__ import annotations

import functools
import struct
import zlib

import numpy as np

COVER_PX = 1400
"""Apple Podcasts asks for a square between 1400 and 3000 pixels."""
ICON_SIZES = (180, 192, 512)
"""Apple touch icon, and the two sizes a web app manifest needs."""

_TOP = np.array([0x12, 0x3a, 0x48], dtype=np.float32)
_BOTTOM = np.array([0x1d, 0x5c, 0x66], dtype=np.float32)
_RING = np.array([0xe6, 0xf2, 0xef], dtype=np.float32)
_WARM = np.array([0xf4, 0xc1, 0x5d], dtype=np.float32)


def png_bytes(pixels: np.ndarray) -> bytes:
    """Encode an (height, width, 3) uint8 RGB array as a PNG."""
    height, width, _ = pixels.shape
    rows = np.zeros((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 1:] = pixels.reshape(height, width * 3)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def draw(size: int) -> np.ndarray:
    """The artwork at `size` x `size` pixels; everything stays inside the central 80 % so the
    same picture works as a maskable icon."""
    axis = (np.arange(size, dtype=np.float32) + 0.5) / size - 0.5
    x, y = np.meshgrid(axis, axis)
    distance = np.sqrt(x * x + y * y) * size
    shade = (axis[:, None, None] + 0.5)
    image = _TOP * (1 - shade) + _BOTTOM * shade
    image = np.broadcast_to(image, (size, size, 3)).copy()
    for radius, width, alpha in ((0.36, 0.012, 0.35), (0.27, 0.014, 0.6), (0.185, 0.016, 0.9)):
        ring = _coverage(np.abs(distance - radius * size), width * size / 2)
        image = _blend(image, _RING, ring * alpha)
    image = _blend(image, _WARM, _coverage(distance, 0.1 * size))
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def _coverage(distance: np.ndarray, half_width: float) -> np.ndarray:
    """1 inside, 0 outside, with a one-pixel soft edge (anti-aliasing)."""
    return np.clip(half_width - distance + 0.5, 0.0, 1.0)[..., None]


def _blend(image: np.ndarray, colour: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    return image * (1 - alpha) + colour * alpha


@functools.lru_cache(maxsize=8)
def image_png(size: int) -> bytes:
    """The PNG at one size (the cover or an icon), drawn once per process."""
    if not 16 <= size <= 3000:
        raise ValueError(f"artwork size {size} out of range")
    return png_bytes(draw(size))
