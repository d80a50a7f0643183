"""Colour arithmetic shared by the colour family: sRGB transfer, Lab, ΔE2000, angles.

Lab conversion and ΔE2000 come from scikit-image (imported on first use); only the sRGB
transfer curve (IEC 61966-2-1) is written out here, because estimating and removing an
illuminant is done in linear light.
"""

from __future__ import annotations

import numpy as np


def srgb_to_linear(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((np.maximum(v, 0.04045) + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(values: np.ndarray) -> np.ndarray:
    v = np.clip(np.asarray(values, np.float32), 0.0, None)
    return np.where(v <= 0.0031308, v * 12.92,
                    1.055 * np.maximum(v, 0.0031308) ** (1 / 2.4) - 0.055).astype(np.float32)


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0..1 (any leading shape, last axis 3) to CIE Lab (D65)."""
    from skimage.color import rgb2lab

    a = np.asarray(rgb, np.float64)
    return rgb2lab(np.clip(a.reshape(-1, 1, 3), 0, 1)).reshape(a.shape)


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    """CIE Lab (D65) to sRGB 0..1, clipped to the gamut."""
    import warnings

    from skimage.color import lab2rgb

    a = np.asarray(lab, np.float64)
    with warnings.catch_warnings():  # out-of-gamut colours are clipped, which is what we want
        warnings.simplefilter("ignore")
        return lab2rgb(a.reshape(-1, 1, 3)).reshape(a.shape)


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    from skimage.color import deltaE_ciede2000

    return deltaE_ciede2000(np.asarray(lab1, np.float64), np.asarray(lab2, np.float64))


def hex_to_rgb(value: str) -> np.ndarray:
    """``#rrggbb`` to sRGB floats 0..1."""
    h = value.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], np.float64) / 255.0


def angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between two RGB vectors, in degrees (the colour-constancy error measure)."""
    a = np.asarray(a, np.float64).ravel()
    b = np.asarray(b, np.float64).ravel()
    cos = float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
