#!/usr/bin/env python3
"""Draw the field app's icons (pwa/icons/*.png) with the standard library only.

The motif is a white clipboard with a check mark on the app's blue. Shapes are signed-distance
functions sampled 3x3 per pixel for smooth edges. Run it again after changing the design:
`python3 scripts/make-icons.py`.
"""

import math
import struct
import zlib
from pathlib import Path

BLUE = (0x00, 0x31, 0xD8)
WHITE = (0xFF, 0xFF, 0xFF)
OUT = Path(__file__).resolve().parent.parent / "pwa" / "icons"
SAMPLES = 3


def rounded_box(x, y, x0, y0, x1, y1, r):
    """Signed distance from (x, y) to a rounded rectangle (negative inside)."""
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(qx, 0), max(qy, 0))
    return outside + min(max(qx, qy), 0) - r


def segment(x, y, ax, ay, bx, by):
    px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
    t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - dx * t, py - dy * t)


def colour_at(x, y, maskable):
    """RGBA of the point (x, y) in the unit square, or None where the icon is transparent."""
    if not maskable and rounded_box(x, y, 0, 0, 1, 1, 0.2) > 0:
        return None
    if maskable:  # keep the motif inside the 80 % safe zone
        x, y = 0.5 + (x - 0.5) / 0.8, 0.5 + (y - 0.5) / 0.8
    check = min(segment(x, y, 0.37, 0.54, 0.47, 0.64), segment(x, y, 0.47, 0.64, 0.64, 0.43))
    if check < 0.04:
        return BLUE
    if (
        rounded_box(x, y, 0.27, 0.25, 0.73, 0.81, 0.06) < 0
        or rounded_box(x, y, 0.39, 0.18, 0.61, 0.30, 0.04) < 0
    ):
        return WHITE
    return BLUE


def render(size, maskable=False):
    rows = []
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    colour = colour_at(
                        (px + (sx + 0.5) / SAMPLES) / size, (py + (sy + 0.5) / SAMPLES) / size, maskable
                    )
                    if colour is not None:
                        r, g, b, a = r + colour[0], g + colour[1], b + colour[2], a + 1
            n = SAMPLES * SAMPLES
            row += bytes([r // a, g // a, b // a, 255 * a // n] if a else [0, 0, 0, 0])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width, height, raw):
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ]:
        (OUT / name).write_bytes(render(size, maskable))
        print(f"wrote pwa/icons/{name} ({size}x{size})")


if __name__ == "__main__":
    main()
