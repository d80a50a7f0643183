"""Full-resolution work confined to a matte's edge band, cell by cell.

Between a product and its backdrop alpha is exactly 1 or 0; only the thin band where it
is fractional needs the full-size image (the guided refinement, the clean edge colours).
The frame is cut into a grid and only the cells the band touches are read, each with a
margin so that a filter of that reach sees what it would see in the whole frame; at 12
megapixels that is a few per cent of the pixels. The band itself is found at the working
size, so no full-size pass is spent looking for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

CELL = 128  # px: a cell's float copy and its filter's buffers stay in the processor's caches


@dataclass(frozen=True)
class Cell:
    read: tuple[slice, slice]   # the window read from the frame (the cell plus its margin)
    inner: tuple[slice, slice]  # the cell itself, relative to ``read``
    frame: tuple[slice, slice]  # the cell itself, in the frame


def cells(band: np.ndarray, shape: tuple[int, int], margin: int, cell: int = CELL) -> Iterator[Cell]:
    """The grid cells of a frame of ``shape`` that overlap a pixel of ``band`` (bool, the frame
    at its own size or shrunk, as the working size sees it), each with ``margin`` around it."""
    h, w = shape
    hs, ws = band.shape
    ys, xs = np.nonzero(band)
    touched = np.zeros((-(-h // cell), -(-w // cell)), bool)
    # A band pixel covers the frame's rows from ys * h / hs to (ys + 1) * h / hs (and
    # columns likewise): at most two cells each way while it is smaller than a cell.
    for y in (ys * h // hs, ((ys + 1) * h - 1) // hs):
        for x in (xs * w // ws, ((xs + 1) * w - 1) // ws):
            touched[y // cell, x // cell] = True
    for r, c in zip(*np.nonzero(touched)):
        y0, x0 = r * cell, c * cell
        y1, x1 = min(y0 + cell, h), min(x0 + cell, w)
        ry0, rx0 = max(y0 - margin, 0), max(x0 - margin, 0)
        ry1, rx1 = min(y1 + margin, h), min(x1 + margin, w)
        yield Cell(read=(slice(ry0, ry1), slice(rx0, rx1)),
                   inner=(slice(y0 - ry0, y1 - ry0), slice(x0 - rx0, x1 - rx0)),
                   frame=(slice(y0, y1), slice(x0, x1)))


def bounds(band: list[Cell], margin: int, shape: tuple[int, int]) -> tuple[slice, slice]:
    """The box around ``band``'s cells, widened by ``margin`` and kept inside ``shape``."""
    y0 = max(min(c.frame[0].start for c in band) - margin, 0)
    y1 = min(max(c.frame[0].stop for c in band) + margin, shape[0])
    x0 = max(min(c.frame[1].start for c in band) - margin, 0)
    x1 = min(max(c.frame[1].stop for c in band) + margin, shape[1])
    return slice(y0, y1), slice(x0, x1)
