"""Blend several hole fills with weights learned from known pixels (a held-out ring).

No single fill wins on every large hole: exemplar copying wins on texture and repeating
structure, FSR on smooth periodic content, biharmonic on unpredictable content (a face),
where its blur is close to the mean of what could be there. PSNR rewards that mean, so a
weighted average of the fills scores higher than any one of them when the weights suit
the picture. The weights are chosen without looking inside the hole: a ring of known
pixels around it is hidden as well, every fill runs on the grown hole, and the convex
weights that best predict the hidden ring are the ones applied to the real fills. The
ring tells how each fill continues the picture from the hole's edge, not how it fares
deep inside, so the weights are an estimate: on bench_repair's boxes the blend beats the
best single fill on most pictures, not all. The trial runs at half resolution; with it a
large hole takes about 1.5 times as long as exemplar and FSR alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import combinations

import numpy as np

from packshot.core.resample import shrink_with_mask

Progress = Callable[[float, str], None]
# fill(rgb, hole, progress) -> rgb with the hole filled; progress may raise to cancel
Fill = Callable[[np.ndarray, np.ndarray, Progress], np.ndarray]
# Width of the hidden ring, in pixels of the half-resolution trial.
RING = 3
# Share of the progress bar the trial takes.
TRIAL = 0.25
# A fill weighted less than this is dropped (and the rest renormalised): not worth its run.
MIN_SHARE = 0.01


def convex_weights(predictions: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The non-negative weights summing to one whose blend of ``predictions`` (N x k)
    is closest to ``target`` (N) in least squares: the best blend on every face of the
    simplex is solved exactly and the feasible one with the smallest error kept."""
    k = predictions.shape[1]
    best, best_err = np.full(k, 1.0 / k), np.inf
    for size in range(1, k + 1):
        for subset in combinations(range(k), size):
            x = predictions[:, subset]
            gram = np.zeros((size + 1, size + 1))
            gram[:size, :size] = x.T @ x
            gram[:size, size] = gram[size, :size] = 1.0
            rhs = np.append(x.T @ target, 1.0)
            solution = np.linalg.lstsq(gram, rhs, rcond=None)[0][:size]
            if (solution < -1e-9).any():
                continue
            err = float(((x @ solution - target) ** 2).sum())
            if err < best_err:
                best_err = err
                best = np.zeros(k)
                best[list(subset)] = solution
    return best


def _run_all(rgb: np.ndarray, hole: np.ndarray, fills: Mapping[str, Fill],
             check: Callable[[], None]) -> list[np.ndarray]:
    """Run ``fills`` side by side: they are independent, and OpenCV and numpy release
    the GIL, so where cores are free they overlap instead of queueing. The fills only
    check for cancellation; progress is reported from the caller's thread alone."""
    from concurrent.futures import ThreadPoolExecutor

    def run(fill: Fill) -> np.ndarray:
        return fill(rgb, hole, lambda fraction, message: check())

    with ThreadPoolExecutor(max_workers=len(fills), thread_name_prefix="packshot-fill") as pool:
        return list(pool.map(run, fills.values()))


def ring_weights(rgb: np.ndarray, hole: np.ndarray, fills: Mapping[str, Fill],
                 check: Callable[[], None]) -> np.ndarray:
    """Weights for ``fills`` from a half-resolution trial that hides a RING-pixel band
    of known pixels around ``hole`` and scores each fill on it. Equal weights when the
    window is too small to spare the ring."""
    from scipy.ndimage import distance_transform_edt

    size = (max(rgb.shape[1] // 2, 1), max(rgb.shape[0] // 2, 1))
    small, small_hole = shrink_with_mask(rgb, hole, size)
    grown = distance_transform_edt(~small_hole) <= RING
    ring = grown & ~small_hole
    if not ring.any() or (~grown).sum() < ring.sum():
        return np.full(len(fills), 1.0 / len(fills))
    trials = _run_all(small, grown, fills, check)
    predictions = np.stack([trial[ring].ravel() for trial in trials], axis=1).astype(np.float64)
    return convex_weights(predictions, small[ring].ravel().astype(np.float64))


def blend(rgb: np.ndarray, hole: np.ndarray, fills: Mapping[str, Fill], progress: Progress,
          check: Callable[[], None]) -> tuple[np.ndarray, dict[str, float]]:
    """The ring-weighted blend of ``fills`` over ``hole`` (pixels outside it unchanged)
    and the weight each fill got; fills weighted under MIN_SHARE are not run at full size.
    ``progress`` is called between the stages, ``check`` (raises to cancel) within them."""
    progress(0.0, "trial fills")
    weights = ring_weights(rgb, hole, fills, check)
    progress(TRIAL, "fills")
    weights = np.where(weights < MIN_SHARE, 0.0, weights)
    weights /= weights.sum()
    used = {name: fill for (name, fill), weight in zip(fills.items(), weights) if weight > 0}
    shares = {name: float(weight) for name, weight in zip(fills, weights) if weight > 0}
    out = rgb.astype(np.float32, copy=True)
    out[hole] = 0.0
    for name, filled in zip(used, _run_all(rgb, hole, used, check)):
        out[hole] += np.float32(shares[name]) * filled[hole]
    progress(1.0, "blended")
    return out, shares
