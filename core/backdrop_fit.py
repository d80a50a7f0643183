"""A studio backdrop as a smooth colour field fitted to the frame's border.

A seamless sweep is one colour with a gentle light fall-off, so a low-order polynomial
in x and y, fitted robustly to the border band (where the product rarely is), predicts
the backdrop behind every pixel. The residual spread measures sensor noise and tells
whether the border really was a seamless backdrop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Median of the length of a 3-vector of unit normal noise: turns RGB residuals into sigma.
CHI3_MEDIAN = 1.5382
# Values per chunk of rows while rendering: the float64 buffer stays at 8 MB whatever the size.
RENDER_BUFFER = 1 << 20


@dataclass(frozen=True)
class BackdropFit:
    """Per-channel polynomial coefficients, the noise level and how well the border fitted."""

    coeffs: np.ndarray  # (terms, 3)
    degree: int
    noise: float  # robust residual sigma, 0..1 units
    inlier_fraction: float  # share of border pixels explained by the fit

    def render(self, height: int, width: int) -> np.ndarray:
        """The fitted backdrop as float32 RGB over a ``height`` x ``width`` frame.

        Row by row: along a row the y-powers are fixed, so the field there is a 1-D
        polynomial in x whose coefficients are computed once per row. No (pixels x terms)
        basis is built, so a 12 MP frame costs its float32 output and a small buffer.
        """
        return self.grid(height, width, np.arange(height), np.arange(width))

    def grid(self, height: int, width: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """The field on the grid of rows ``ys`` x columns ``xs`` (pixel coordinates, outside the
        frame too) of a ``height`` x ``width`` frame, as float32 (len(ys), len(xs), 3): a strip,
        a patch or a larger canvas costs only its own pixels."""
        rows = self._row_polynomials(_unit(np.asarray(ys), height))
        powers = _powers(_unit(np.asarray(xs), width), self.degree)
        out = np.empty((len(rows), len(powers), 3), np.float32)
        step = max(1, RENDER_BUFFER // max(3 * len(powers), 1))
        for top in range(0, len(rows), step):
            out[top:top + step] = np.matmul(powers, rows[top:top + step])  # float64, then stored as float32
        return out

    def _row_polynomials(self, v: np.ndarray) -> np.ndarray:
        """(len(v), degree + 1, 3): per y, the coefficients of the field's polynomial in x."""
        grid = np.zeros((self.degree + 1, self.degree + 1, 3))
        for (i, j), coeff in zip(_exponents(self.degree), self.coeffs):
            grid[i, j] = coeff
        return np.einsum("nj,ijc->nic", _powers(v, self.degree), grid)

    @property
    def mean_colour(self) -> np.ndarray:
        """The backdrop colour at the frame's centre."""
        return self.render(3, 3)[1, 1]


def _exponents(degree: int) -> list[tuple[int, int]]:
    """The (x, y) exponents of the fit's terms, in the order of its coefficients."""
    return [(i, j) for i in range(degree + 1) for j in range(degree + 1 - i)]


def _unit(coords: np.ndarray, size: int) -> np.ndarray:
    """Pixel coordinates along a side of ``size`` pixels, mapped to -1..1."""
    return 2 * (coords / max(size - 1, 1)) - 1


def _powers(t: np.ndarray, degree: int) -> np.ndarray:
    """(len(t), degree + 1): t^0 .. t^degree."""
    return np.stack([t**k for k in range(degree + 1)], axis=1).astype(np.float64)


def _basis(v: np.ndarray, u: np.ndarray, degree: int) -> np.ndarray:
    """Monomials u^i v^j with i + j <= degree (coordinates already mapped to -1..1): the fit's design matrix."""
    terms = [u**i * v**j for i, j in _exponents(degree)]
    return np.stack(terms, axis=1).astype(np.float64)


def border_band(height: int, width: int, fraction: float = 0.04) -> np.ndarray:
    """A boolean mask of the frame's outer band, ``fraction`` of the short side wide."""
    b = max(2, int(round(min(height, width) * fraction)))
    band = np.zeros((height, width), bool)
    band[:b], band[-b:], band[:, :b], band[:, -b:] = True, True, True, True
    return band


def fit_backdrop(rgb: np.ndarray, sample: np.ndarray | None = None, degree: int = 2,
                 max_samples: int = 20000, seed: int = 0) -> BackdropFit:
    """Fit the backdrop to the pixels in ``sample`` (default: the border band).

    Iteratively reweighted: pixels far from the current fit (the product touching the
    edge, a stray shadow) are dropped before refitting, so they do not bend the field.
    """
    h, w = rgb.shape[:2]
    sample = border_band(h, w) if sample is None else sample
    ys, xs = np.nonzero(sample)
    if ys.size > max_samples:
        pick = np.random.default_rng(seed).choice(ys.size, max_samples, replace=False)
        ys, xs = ys[pick], xs[pick]
    values = rgb[ys, xs, :3].astype(np.float64)
    basis = _basis(_unit(ys, h), _unit(xs, w), degree)
    # Start from the half of the samples closest to their median colour, so a product
    # covering much of one edge cannot bend the first fit.
    start = np.linalg.norm(values - np.median(values, axis=0), axis=1)
    keep = start <= np.median(start)
    coeffs = np.zeros((basis.shape[1], 3))
    sigma = 0.0
    for _ in range(6):
        coeffs, *_ = np.linalg.lstsq(basis[keep], values[keep], rcond=None)
        resid = np.linalg.norm(values - basis @ coeffs, axis=1)
        sigma = float(np.median(resid)) / CHI3_MEDIAN + 1e-4
        new_keep = resid < max(6 * sigma * np.sqrt(3), 0.02)
        if new_keep.sum() < basis.shape[1] * 4 or np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return BackdropFit(coeffs=coeffs, degree=degree, noise=sigma, inlier_fraction=float(keep.mean()))
