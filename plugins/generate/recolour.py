"""Colourways: the same product in other colours, keeping its shading and highlights.

Works in CIELAB: the product's lightness and chroma variations around its mean are
kept and re-centred on the target colour. Because clipping to the sRGB gamut moves the
mean, the offset is corrected a few times until the result's mean product colour sits
on the target; ΔE2000 of that mean to the target is reported.
"""

from __future__ import annotations

import numpy as np


def mean_lab(lab: np.ndarray, weight: np.ndarray) -> np.ndarray:
    return (lab * weight[..., None]).sum(axis=(0, 1)) / max(float(weight.sum()), 1e-6)


def delta_e(lab1: np.ndarray, lab2: np.ndarray) -> float:
    from skimage.color import deltaE_ciede2000

    return float(deltaE_ciede2000(np.asarray(lab1, float), np.asarray(lab2, float)))


def recolour(rgb: np.ndarray, mask: np.ndarray, target_rgb: np.ndarray, rounds: int = 4,
             quantum: float = 1 / 255) -> tuple[np.ndarray, float]:
    """The image with the masked product recoloured to ``target_rgb``, and ΔE2000 of its mean."""
    from skimage.color import lab2rgb, rgb2lab

    lab = rgb2lab(rgb.astype(np.float64))
    solid = (mask > 0.5).astype(np.float64)
    target = rgb2lab(np.asarray(target_rgb, np.float64).reshape(1, 1, 3))[0, 0]
    source = mean_lab(lab, solid)
    offset = target - source
    m = mask[..., None].astype(np.float64)
    out = rgb
    de = float("inf")
    for _ in range(rounds):
        shifted = lab + offset
        shifted[..., 0] = np.clip(shifted[..., 0], 0, 100)
        new_rgb = np.clip(lab2rgb(shifted), 0, 1)
        out = rgb * (1 - m) + new_rgb * m
        achieved = mean_lab(rgb2lab(np.round(out / quantum) * quantum), solid)
        de = delta_e(achieved, target)
        if de < 0.5:
            break
        offset += target - achieved
    return out.astype(np.float32), de
