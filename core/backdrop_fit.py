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


@dataclass(frozen=True)
class BackdropFit:
    """Per-channel polynomial coefficients, the noise level and how well the border fitted."""

    coeffs: np.ndarray  # (terms, 3)
    degree: int
    noise: float  # robust residual sigma, 0..1 units
    inlier_fraction: float  # share of border pixels explained by the fit

    def render(self, height: int, width: int, *, ys: np.ndarray | None = None,
               xs: np.ndarray | None = None) -> np.ndarray:
        """The fitted backdrop as float32 RGB at the given size (or sample coordinates)."""
        if ys is None or xs is None:
            yy, xx = np.mgrid[0:height, 0:width]
            ys, xs = yy.ravel(), xx.ravel()
            shape = (height, width, 3)
        else:
            shape = (*np.shape(ys), 3)
        basis = _basis(np.ravel(ys) / max(height - 1, 1), np.ravel(xs) / max(width - 1, 1), self.degree)
        return (basis @ self.coeffs).reshape(shape).astype(np.float32)

    @property
    def mean_colour(self) -> np.ndarray:
        """The backdrop colour at the frame's centre."""
        return self.render(3, 3)[1, 1]


def _basis(y: np.ndarray, x: np.ndarray, degree: int) -> np.ndarray:
    """Monomials x^i y^j with i + j <= degree, on coordinates mapped to -1..1."""
    u, v = 2 * x - 1, 2 * y - 1
    terms = [u**i * v**j for i in range(degree + 1) for j in range(degree + 1 - i)]
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
    basis = _basis(ys / max(h - 1, 1), xs / max(w - 1, 1), degree)
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
