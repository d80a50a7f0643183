"""The 8x8 DCT of every ``step``-th overlapping block, and its inverse added back in place.

A block's 2-D DCT is separable: a 1-D DCT down its columns, then one along its rows.
Overlapping blocks share their columns, so the vertical DCT is taken once per block row
and image column (eight strided slices times the 8x8 matrix, in BLAS), and only
the horizontal one per block: about a sixth of the arithmetic of a 64x64 product per
block. The inverse mirrors it and adds each block into the image as it goes (the
denoiser's aggregation), so no array of per-block pixels is ever formed. Arrays are
laid out coefficient-first, so the slices the loops copy and add are long runs of memory.

Shapes: an image is ``(C, H, W)``; its coefficients are ``(8, 8, C, rows, cols)``,
indexed ``[horizontal frequency, vertical frequency, channel, block row, block column]``.
"""

from __future__ import annotations

import numpy as np

BLOCK = 8
# Each 8x8 product is cut into pieces of this many columns, which OpenBLAS runs on the
# calling thread (m*n*k up to 4 * 65536, its default threshold). Left whole, it hands the
# thin products to its thread pool, whose workers then spin between calls and starve the
# rest of the pass: 17 s instead of 3 s per megapixel on a busy two-core machine.
PRODUCT_COLUMNS = 4096


def _dct_matrix(n: int = BLOCK) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    d = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    d[0] /= np.sqrt(2.0)
    return d.astype(np.float32)


DCT = _dct_matrix()
IDCT = np.ascontiguousarray(DCT.T)


def blocks(length: int, step: int) -> int:
    """How many blocks of side 8, ``step`` apart, fit in ``length`` pixels."""
    return (length - BLOCK) // step + 1


def _span(offset: int, count: int, step: int) -> slice:
    return slice(offset, offset + (count - 1) * step + 1, step)


def _transform(matrix: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """``matrix`` applied along the first axis of ``parts`` (8 x anything)."""
    flat = parts.reshape(BLOCK, -1)
    out = np.empty_like(flat)
    for start in range(0, flat.shape[1], PRODUCT_COLUMNS):
        columns = slice(start, start + PRODUCT_COLUMNS)
        np.matmul(matrix, flat[:, columns], out=out[:, columns])
    return out.reshape(parts.shape)


def _gather(x: np.ndarray, axis: int, count: int, step: int) -> np.ndarray:
    """The 8 pixels of every block along ``axis``, stacked on a new first axis."""
    index = [slice(None)] * x.ndim
    shape = list(x.shape)
    shape[axis] = count
    parts = np.empty((BLOCK, *shape), np.float32)
    for i in range(BLOCK):
        index[axis] = _span(i, count, step)
        parts[i] = x[tuple(index)]
    return parts


def _scatter_add(out: np.ndarray, parts: np.ndarray, axis: int, step: int) -> None:
    """Add ``parts[i]`` (blocks along ``axis``) to the i-th pixel of every block in ``out``."""
    index = [slice(None)] * out.ndim
    for i in range(BLOCK):
        index[axis] = _span(i, parts.shape[axis + 1], step)
        out[tuple(index)] += parts[i]


def forward(x: np.ndarray, step: int) -> np.ndarray:
    """``(C, H, W)`` float32 -> the DCT coefficients of every ``step``-th block."""
    _, h, w = x.shape
    vertical = _transform(DCT, _gather(x, 1, blocks(h, step), step))
    return _transform(DCT, _gather(vertical, 3, blocks(w, step), step))


def add_inverse(total: np.ndarray, coeffs: np.ndarray, step: int) -> None:
    """Add the inverse DCT of every block in ``coeffs`` to ``total`` ``(C, H, W)`` in place."""
    rows = np.zeros((BLOCK, *total.shape[:1], coeffs.shape[3], total.shape[2]), np.float32)
    _scatter_add(rows, _transform(IDCT, coeffs), 3, step)
    _scatter_add(total, _transform(IDCT, rows), 1, step)


def add_coverage(total: np.ndarray, weight: np.ndarray, step: int) -> None:
    """Add each block's ``weight`` ``(C, rows, cols)`` to the 64 pixels it covers in ``total``."""
    rows = np.zeros((*weight.shape[:2], total.shape[2]), np.float32)
    _scatter_add(rows, np.broadcast_to(weight, (BLOCK, *weight.shape)), 2, step)
    _scatter_add(total, np.broadcast_to(rows, (BLOCK, *rows.shape)), 1, step)
