"""Overlapping tiles with blended seams, for any image-to-image function.

The image is cut into ``tile``-sized pieces that overlap by ``overlap`` pixels; each
result is weighted by a linear ramp across its overlaps (the two ramps of a seam add up
to one), so no seam shows. Rows of output are finished and written into the result
array (same dtype as the input: 16-bit in, 16-bit out) as soon as no later tile touches
them, so the float working memory is one strip of tiles, whatever the image size.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import PackshotError
from ..image import quantize, to_float

TileFunction = Callable[[np.ndarray], np.ndarray]
Progress = Callable[[float, str], None]


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Start offsets covering ``length`` with tiles of ``tile`` overlapping by ``overlap``."""
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    return [*starts, length - tile]


def _ramp(length: int, rise: int, fall: int) -> np.ndarray:
    w = np.ones(length, np.float32)
    if rise > 0:
        w[:rise] = (np.arange(rise, dtype=np.float32) + 1) / (rise + 1)
    if fall > 0:
        w[length - fall:] = np.minimum(w[length - fall:], (np.arange(fall, 0, -1, dtype=np.float32)) / (fall + 1))
    return w


def _store(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return quantize(values, dtype) if dtype in (np.uint8, np.uint16) else values.astype(dtype)


def tiled_apply(fn: TileFunction, pixels: np.ndarray, *, scale: int = 1, tile: int = 512,
                overlap: int = 32, progress: Progress | None = None) -> np.ndarray:
    """Apply ``fn`` (float32 HxWxC 0..1 in, float32 (H*scale)x(W*scale)xC' out) tile by tile.

    ``pixels`` may be uint8, uint16 or float32; the result has the same dtype.
    ``progress(fraction, message)`` is called after every tile; a progress callback that
    raises (``Context.progress`` raises ``Cancelled``) stops between tiles.
    """
    if pixels.ndim != 3:
        raise PackshotError(f"tiled_apply needs an HxWxC array, got shape {pixels.shape}")
    tile = max(16, int(tile))
    overlap = max(0, min(int(overlap), tile // 2 - 1))
    height, width = pixels.shape[:2]
    ys, xs = tile_starts(height, tile, overlap), tile_starts(width, tile, overlap)
    total, done = len(ys) * len(xs), 0
    out: np.ndarray | None = None
    acc: np.ndarray  # the float accumulators (sum and weight), made with ``out`` at the first tile
    accw: np.ndarray
    top = 0  # output row where the float accumulators begin
    for iy, y0 in enumerate(ys):
        y1 = min(y0 + tile, height)
        rise_y = (min(ys[iy - 1] + tile, height) - y0) if iy else 0
        fall_y = (y1 - ys[iy + 1]) if iy + 1 < len(ys) else 0
        for ix, x0 in enumerate(xs):
            x1 = min(x0 + tile, width)
            result = np.asarray(fn(to_float(pixels[y0:y1, x0:x1])), dtype=np.float32)
            if result.ndim == 2:
                result = result[..., None]
            expect = ((y1 - y0) * scale, (x1 - x0) * scale)
            if result.shape[:2] != expect:
                raise PackshotError(f"a tile of {(y1 - y0, x1 - x0)} gave {result.shape[:2]}, "
                                    f"expected {expect} at scale {scale}")
            if out is None:
                channels = result.shape[2]
                out = np.empty((height * scale, width * scale, channels), pixels.dtype)
                acc = np.zeros((0, width * scale, channels), np.float32)
                accw = np.zeros((0, width * scale), np.float32)
            need = y1 * scale - top
            if acc.shape[0] < need:
                grow = need - acc.shape[0]
                acc = np.concatenate([acc, np.zeros((grow, *acc.shape[1:]), np.float32)])
                accw = np.concatenate([accw, np.zeros((grow, accw.shape[1]), np.float32)])
            rise_x = (min(xs[ix - 1] + tile, width) - x0) if ix else 0
            fall_x = (x1 - xs[ix + 1]) if ix + 1 < len(xs) else 0
            wy = _ramp(expect[0], rise_y * scale, fall_y * scale)
            wx = _ramp(expect[1], rise_x * scale, fall_x * scale)
            weight = wy[:, None] * wx[None, :]
            rows = slice(y0 * scale - top, y1 * scale - top)
            cols = slice(x0 * scale, x1 * scale)
            acc[rows, cols] += result * weight[..., None]
            accw[rows, cols] += weight
            done += 1
            if progress is not None:
                progress(done / total, f"tile {done} of {total}")
        end = ys[iy + 1] * scale if iy + 1 < len(ys) else height * scale
        n = end - top
        assert out is not None  # made at the row's first tile
        out[top:end] = _store(acc[:n] / accw[:n, :, None], out.dtype)
        acc, accw, top = acc[n:], accw[n:], end
    assert out is not None
    return out
