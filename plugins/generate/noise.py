"""Seeded fractal noise, fast at any size: octaves of smoothly upsampled random grids."""

from __future__ import annotations

import numpy as np


def fractal_noise(height: int, width: int, rng: np.random.Generator, *, scale: float = 0.25,
                  octaves: int = 5, persistence: float = 0.5, anisotropy: float = 1.0) -> np.ndarray:
    """float32 noise with zero mean and unit standard deviation.

    ``scale`` is the size of the coarsest features as a share of the longer side;
    ``anisotropy`` > 1 stretches features horizontally (fibres, grain).
    """
    import cv2

    total = np.zeros((height, width), np.float32)
    amplitude = 1.0
    longest = max(height, width)
    for octave in range(octaves):
        cell = max(longest * scale / 2**octave, 1.0)
        gh = max(2, int(np.ceil(height / cell)) + 1)
        gw = max(2, int(np.ceil(width / (cell * anisotropy))) + 1)
        grid = rng.standard_normal((gh, gw)).astype(np.float32)
        total += amplitude * cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)
        amplitude *= persistence
    total -= total.mean()
    return total / max(float(total.std()), 1e-6)
