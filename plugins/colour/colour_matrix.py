"""A 3x3 colour-correction matrix in linear light: fitting it to chart patches, applying it."""

from __future__ import annotations

import numpy as np

from .colour_math import delta_e2000, linear_to_srgb, rgb_to_lab, srgb_to_linear


def apply_matrix(rgb: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """sRGB-encoded float RGB through ``matrix`` (3x3, acting on linear RGB column vectors)."""
    lin = srgb_to_linear(rgb)
    return linear_to_srgb(np.clip(lin @ np.asarray(matrix, np.float32).T, 0.0, 1.0))


def mean_delta_e(measured_rgb: np.ndarray, reference_rgb: np.ndarray) -> float:
    return float(np.mean(delta_e2000(rgb_to_lab(measured_rgb), rgb_to_lab(reference_rgb))))


def fit_matrix(measured_rgb: np.ndarray, reference_rgb: np.ndarray) -> np.ndarray:
    """The 3x3 matrix taking measured patches to their reference colours (both sRGB 0..1, N x 3).

    A least-squares fit in linear light starts a refinement that minimises the patches'
    ΔE2000, the figure a person judges the calibration by.
    """
    from scipy.optimize import least_squares

    src = srgb_to_linear(measured_rgb).astype(np.float64)
    dst = srgb_to_linear(reference_rgb).astype(np.float64)
    start = np.linalg.lstsq(src, dst, rcond=None)[0].T
    target_lab = rgb_to_lab(reference_rgb)

    def residuals(m: np.ndarray) -> np.ndarray:
        out = linear_to_srgb(np.clip(src @ m.reshape(3, 3).T, 0.0, 1.0))
        return delta_e2000(rgb_to_lab(out), target_lab)

    refined = least_squares(residuals, start.ravel(), method="trf", max_nfev=400).x.reshape(3, 3)
    return refined
