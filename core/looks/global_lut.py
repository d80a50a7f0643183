"""The best single 3D LUT for a set of pairs: the baseline a learned look must beat.

Trilinear lookup is linear in the table's values, so the table that fits the pairs best
in the least-squares sense is one sparse linear solve (conjugate gradients). A curvature penalty fills the
nodes no pixel reaches by extending their neighbours, and a faint pull to the identity
keeps the system well posed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import cg

from .lut import identity_lut

SAMPLES_PER_PAIR = 20_000


def fit_global_lut(pairs: Sequence[tuple[np.ndarray, np.ndarray]], size: int, *, seed: int = 0,
                   curvature: float = 1.0, anchor: float = 1e-4) -> np.ndarray:
    """The (3, S, S, S) table that maps every ``before`` closest to its ``after``."""
    rng = np.random.default_rng(seed)
    src, dst = [], []
    for before, after in pairs:
        flat_b, flat_a = before.reshape(-1, 3), after.reshape(-1, 3)
        pick = rng.choice(flat_b.shape[0], min(SAMPLES_PER_PAIR, flat_b.shape[0]), replace=False)
        src.append(flat_b[pick])
        dst.append(flat_a[pick])
    x, y = np.concatenate(src), np.concatenate(dst)
    a = _interpolation_matrix(x, size)
    nodes = size**3
    scale = x.shape[0] / nodes  # penalties per node, independent of the number of samples
    normal = (a.T @ a + scale * (curvature * _curvature(size) + anchor * sp.identity(nodes))).tocsr()
    jacobi = sp.diags(1.0 / normal.diagonal())
    ident = identity_lut(size).reshape(3, -1)
    table = np.empty((3, nodes), np.float32)
    for c in range(3):  # symmetric positive definite: conjugate gradients from the identity
        rhs = a.T @ y[:, c] + scale * anchor * ident[c]
        table[c], _ = cg(normal, rhs, x0=ident[c], M=jacobi, atol=1e-8 * float(np.linalg.norm(rhs)), maxiter=5000)
    return np.clip(table, 0.0, 1.0).reshape(3, size, size, size)


def _interpolation_matrix(rgb: np.ndarray, size: int) -> sp.csr_matrix:
    """Rows: colours; columns: table nodes (blue, green, red order); values: trilinear weights."""
    f = np.clip(rgb, 0.0, 1.0) * (size - 1)
    low = np.minimum(f.astype(np.int64), size - 2)
    frac = f - low
    rows, cols, vals = [], [], []
    index = np.arange(rgb.shape[0])
    for corner in range(8):
        bits = np.array([(corner >> k) & 1 for k in range(3)])  # red, green, blue
        node = low + bits
        weight = np.prod(np.where(bits, frac, 1.0 - frac), axis=1)
        rows.append(index)
        cols.append((node[:, 2] * size + node[:, 1]) * size + node[:, 0])
        vals.append(weight)
    shape = (rgb.shape[0], size**3)
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=shape)


def _curvature(size: int) -> sp.csr_matrix:
    """Sum over the three axes of squared second differences, as a quadratic form."""
    second = sp.diags([1.0, -2.0, 1.0], [0, 1, 2], shape=(size - 2, size))
    eye = sp.identity(size)
    form = sp.csr_matrix((size**3, size**3))
    for axis in range(3):
        parts = [eye, eye, eye]
        parts[axis] = second
        d = sp.kron(sp.kron(parts[0], parts[1]), parts[2])
        form = form + d.T @ d
    return form.tocsr()
