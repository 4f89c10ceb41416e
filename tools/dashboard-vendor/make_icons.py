"""Draw the dashboard's app icons as PNGs with the standard library only (no Pillow).

Why a script: the icons are generated, not downloaded, so their origin is clear and they
can be redrawn at any size. Run: python3 tools/dashboard-vendor/make_icons.py (writes into the static folder).
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "edge" / "today_feeling" / "web" / "static" / "icons"
BG = (16, 18, 24)
TOP = (255, 212, 90)
BOTTOM = (247, 139, 61)


def cover(distance: float, px: float) -> float:
    """Anti-aliased coverage of a shape from its signed distance (negative inside)."""
    return min(1.0, max(0.0, 0.5 - distance / px))


def rounded_square(u: float, v: float, radius: float) -> float:
    qx, qy = abs(u - 0.5) - (0.5 - radius), abs(v - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def smile(u: float, v: float, scale: float) -> float:
    """Distance to a thick lower arc (the mouth)."""
    cx, cy, r, half = 0.5, 0.5 - 0.06 * scale, 0.17 * scale, 0.028 * scale
    angle = math.atan2(v - cy, u - cx)
    if 0.55 < angle < math.pi - 0.55:
        return abs(math.hypot(u - cx, v - cy) - r) - half
    ends = [(cx + r * math.cos(a), cy + r * math.sin(a)) for a in (0.55, math.pi - 0.55)]
    return min(math.hypot(u - x, v - y) for x, y in ends) - half


def pixel(u: float, v: float, px: float, maskable: bool) -> tuple[int, int, int, int]:
    scale = 0.82 if maskable else 1.0  # keep the face inside the maskable safe zone
    bg_alpha = 1.0 if maskable else cover(rounded_square(u, v, 0.22), px)
    face = cover(math.hypot(u - 0.5, v - 0.5) - 0.34 * scale, px)
    t = min(1.0, max(0.0, (v - 0.16) / 0.68))
    face_rgb = [a + (b - a) * t for a, b in zip(TOP, BOTTOM, strict=True)]
    eye_y = 0.5 - 0.08 * scale
    eyes = max(cover(math.hypot(u - (0.5 + s * 0.115 * scale), v - eye_y) - 0.04 * scale, px)
               for s in (-1, 1))
    ink = max(eyes, cover(smile(u, v, scale), px)) * face
    rgb = [bg + (f - bg) * face for bg, f in zip(BG, face_rgb, strict=True)]
    rgb = [c + (d - c) * ink for c, d in zip(rgb, BG, strict=True)]
    alpha = max(bg_alpha, face)
    return (round(rgb[0]), round(rgb[1]), round(rgb[2]), round(alpha * 255))


def png(size: int, maskable: bool) -> bytes:
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type: none
        for x in range(size):
            rows.extend(pixel((x + 0.5) / size, (y + 0.5) / size, 1.0 / size, maskable))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (("icon-192.png", 192, False), ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True),
                                 ("apple-touch-icon.png", 180, True)):
        (OUT / name).write_bytes(png(size, maskable))
        print(name, size)


if __name__ == "__main__":
    main()
