"""How close a look gets to the person's own edits: PSNR and CIEDE2000 on held-out pairs.

Every figure comes with two baselines on the same pairs: leaving the picture as it is,
and the best single 3D LUT fitted on the training pairs. A look is only worth having
where it beats both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .pairs import Pair

Mapper = Callable[[Pair], np.ndarray]


def psnr(result: np.ndarray, truth: np.ndarray) -> float:
    mse = float(np.mean((np.clip(result, 0, 1) - truth) ** 2, dtype=np.float64))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def delta_e(result: np.ndarray, truth: np.ndarray) -> float:
    """Mean CIEDE2000 difference between two sRGB pictures."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    return float(np.mean(deltaE_ciede2000(rgb2lab(np.clip(result, 0, 1)), rgb2lab(truth))))


def score(pairs: Sequence[Pair], mapper: Mapper) -> dict[str, float]:
    """Mean PSNR (dB) and ΔE2000 of ``mapper(pair)`` against each pair's after."""
    results = [mapper(p) for p in pairs]
    return {"psnr": round(float(np.mean([psnr(r, p.after) for r, p in zip(results, pairs)])), 3),
            "delta_e": round(float(np.mean([delta_e(r, p.after) for r, p in zip(results, pairs)])), 3)}


def compare(pairs: Sequence[Pair], look: Mapper, global_lut: Mapper) -> dict[str, dict[str, float]]:
    """The look and both baselines on the same pairs."""
    return {"look": score(pairs, look), "global_lut": score(pairs, global_lut),
            "no_change": score(pairs, lambda p: p.before)}
