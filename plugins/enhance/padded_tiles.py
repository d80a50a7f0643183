"""Run a local filter tile by tile with exact results: each tile is read with a margin.

The built-in denoisers look at most a few block widths away from a pixel, so a tile read
with that margin (mirrored at the photo's edges, as if the whole photo had been padded)
gives the same centre as the whole photo would. Only the centre is kept: nothing is
blended and no tile is filtered twice, unlike ``packshot.core.models.tiling``, whose overlapping
ramps exist for networks that see further than any margin. Tiles start on multiples of
``align``, so a grid of blocks inside them lines up from one tile to the next.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from packshot.core.image import quantize, to_float
from packshot.core.models.tiling import Progress

# Most threads a tile map uses: each holds a tile's float copy and its filter's buffers.
WORKERS = 4


def map_tiles(fn: Callable[[np.ndarray], np.ndarray], pixels: np.ndarray, *, tile: int,
              margin: int, align: int = 1, progress: Progress | None = None,
              workers: int | None = None) -> np.ndarray:
    """``fn`` (float32 HxWxC 0..1 in, same shape out) over ``pixels``, in their dtype.

    Tiles run on ``workers`` threads (default: one per core, at most WORKERS): the
    filters spend their time in numpy, which releases the GIL. ``progress(fraction,
    message)`` is called on the calling thread after every tile; ``Context.progress``
    raises there when the job is cancelled, which drops the tiles not yet started.
    """
    from concurrent.futures import ThreadPoolExecutor

    height, width = pixels.shape[:2]
    tile = max(align, tile // align * align)
    out = np.empty_like(pixels)
    starts = [(y, x) for y in range(0, height, tile) for x in range(0, width, tile)]

    def run(start: tuple[int, int]) -> None:
        y, x = start
        bottom, right = min(y + tile, height), min(x + tile, width)
        top, left = max(0, y - margin), max(0, x - margin)
        below, beyond = min(height, bottom + margin), min(width, right + margin)
        piece = np.pad(to_float(pixels[top:below, left:beyond]),
                       ((margin - (y - top), margin - (below - bottom)),
                        (margin - (x - left), margin - (beyond - right)), (0, 0)), mode="reflect")
        centre = fn(piece)[margin:margin + bottom - y, margin:margin + right - x]
        out[y:bottom, x:right] = quantize(centre, out.dtype) if out.dtype.kind in "ui" else centre

    count = min(workers or min(os.cpu_count() or 1, WORKERS), len(starts))
    pool = ThreadPoolExecutor(max_workers=max(count, 1), thread_name_prefix="packshot-tile")
    try:
        for done, _ in enumerate(pool.map(run, starts), 1):
            if progress is not None:
                progress(done / len(starts), f"tile {done} of {len(starts)}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return out
