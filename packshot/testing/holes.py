"""Known hole shapes for measuring inpainting: thin scratches, dust spots, a text
overlay and a box, as the repair tests and bench_repair lay them over real photographs,
and camera frames to lay them on: a photograph enlarged to the frame (smooth at pixel
level), or one at most doubled amid a mosaic of others at their own size (full detail)."""

from __future__ import annotations

import numpy as np


def scratches(h: int, w: int, seed: int = 0, count: int = 6, width: int = 2) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    for _ in range(count):
        pts = np.stack([rng.integers(0, w, 4), rng.integers(0, h, 4)], 1).astype(np.int32)
        cv2.polylines(m, [pts], False, 255, width)
    return m > 0


def dust(h: int, w: int, seed: int = 0, count: int = 20) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    for _ in range(count):
        cv2.circle(m, (int(rng.integers(5, w - 5)), int(rng.integers(5, h - 5))),
                   int(rng.integers(2, 6)), 255, -1)
    return m > 0


def text(h: int, w: int) -> np.ndarray:
    import cv2

    m = np.zeros((h, w), np.uint8)
    for y in range(h // 5, h, h // 4):
        cv2.putText(m, "SAMPLE (c) 2024", (w // 20, y), cv2.FONT_HERSHEY_SIMPLEX, w / 400, 255,
                    max(1, w // 250))
    return m > 0


def box(h: int, w: int, fraction: float = 0.07, cy: float = 0.5, cx: float = 0.5) -> np.ndarray:
    side = int(np.sqrt(fraction * h * w))
    y0, x0 = int(cy * h - side / 2), int(cx * w - side / 2)
    m = np.zeros((h, w), bool)
    m[y0:y0 + side, x0:x0 + side] = True
    return m


def camera_frame(rgb: np.ndarray, height: int, width: int, grain: float = 3.0, seed: int = 0) -> np.ndarray:
    """``rgb`` (uint8) enlarged to ``height`` x ``width`` with sensor-like grain (Gaussian,
    ``grain`` levels of 255): a large hole at camera resolution, measured on a photograph
    small enough to ship with scikit-image."""
    import cv2

    big = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    noisy = big + np.random.default_rng(seed).normal(0, grain, big.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _rgb(photo: np.ndarray) -> np.ndarray:
    return np.repeat(photo[..., None], 3, 2) if photo.ndim == 2 else photo[..., :3]


def mosaic(photos: list[np.ndarray], height: int, width: int) -> np.ndarray:
    """``height`` x ``width`` tiled with ``photos`` (uint8, grey or RGB) at their own
    resolution, in turn: each cropped about its centre to the smallest one's size."""
    tiles = [_rgb(photo) for photo in photos]
    th, tw = min(t.shape[0] for t in tiles), min(t.shape[1] for t in tiles)
    frame = np.empty((height, width, 3), np.uint8)
    for i, y in enumerate(range(0, height, th)):
        for j, x in enumerate(range(0, width, tw)):
            tile = tiles[(i * 7 + j) % len(tiles)]
            y0, x0 = (tile.shape[0] - th) // 2, (tile.shape[1] - tw) // 2
            part = frame[y:y + th, x:x + tw]
            part[...] = tile[y0:y0 + part.shape[0], x0:x0 + part.shape[1]]
    return frame


def detail_frame(photo: np.ndarray, others: list[np.ndarray], height: int, width: int,
                 scale: int = 1) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """``photo`` enlarged ``scale`` (1 or 2) times at the centre of a ``height`` x ``width``
    mosaic of ``others``: a camera frame with detail down to the pixel (what
    camera_frame's enlargement smooths away). Also where ``photo`` lies: y0, x0, h, w."""
    import cv2

    if scale not in (1, 2):
        raise ValueError("scale must be 1 or 2: more enlargement leaves no fine detail")
    frame = mosaic(others, height, width)
    rgb = _rgb(photo)
    if scale == 2:
        rgb = cv2.resize(rgb, (rgb.shape[1] * 2, rgb.shape[0] * 2), interpolation=cv2.INTER_CUBIC)
    h, w = min(rgb.shape[0], height), min(rgb.shape[1], width)
    y0, x0 = (height - h) // 2, (width - w) // 2
    frame[y0:y0 + h, x0:x0 + w] = rgb[(rgb.shape[0] - h) // 2:][:h, (rgb.shape[1] - w) // 2:][:, :w]
    return frame, (y0, x0, h, w)


def box_in(place: tuple[int, int, int, int], size: tuple[int, int], cy: float, cx: float,
           shape: tuple[int, int], margin: int = 32) -> np.ndarray:
    """A ``size`` (rows, columns) box centred at (cy, cx) fractions of ``place`` (y0, x0,
    h, w, as detail_frame returns it), moved to lie ``margin`` pixels inside it (or midway
    where it does not fit): with the mosaic's seam at the box's edge, a fill would draw on
    an unrelated photograph, as no real hole's surroundings do."""
    y0, x0, h, w = place
    bh, bw = size
    gy, gx = min(margin, (h - bh) // 2), min(margin, (w - bw) // 2)
    top = y0 + int(np.clip(cy * h - bh / 2, gy, h - bh - gy))
    left = x0 + int(np.clip(cx * w - bw / 2, gx, w - bw - gx))
    m = np.zeros(shape, bool)
    m[top:top + bh, left:left + bw] = True
    return m
