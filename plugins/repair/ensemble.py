"""Blend several hole fills with weights learned from known pixels (a held-out ring).

No single fill wins on every large hole: exemplar copying wins on texture and repeating
structure, FSR on smooth periodic content, biharmonic on unpredictable content (a face),
where its blur is close to the mean of what could be there. PSNR rewards that mean, so a
weighted average of the fills scores higher than any one of them when the weights suit
the picture. The weights are chosen without looking inside the hole: a ring of known
pixels around it is hidden as well, every fill runs on the grown hole, and the convex
weights that best predict the hidden ring are the ones applied to the real fills. The
ring tells how each fill continues the picture from the hole's edge, not how it fares
deep inside, so the weights are a noisy estimate and are pulled halfway towards equal
weights (on large boxes in tuning photographs that blend erred less than either the
ring's weights or equal ones). The trial runs at half resolution, beside the real fills:
with every fill weighted, none waits for the weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import combinations

import numpy as np

from packshot.core.resample import shrink_with_mask

from .threads import one_opencv_thread

Progress = Callable[[float, str], None]
# fill(rgb, hole, progress) -> rgb with the hole filled; progress may raise to cancel
Fill = Callable[[np.ndarray, np.ndarray, Progress], np.ndarray]
# Width of the hidden ring, in pixels of the half-resolution trial.
RING = 3
# How far the ring's weights are pulled towards equal weights (0: not at all, 1: equal).
SHRINK = 0.5


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


def _trial(rgb: np.ndarray, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The half-resolution window, its hole grown by the RING-pixel band, and the band;
    None when the window is too small to spare the ring."""
    from scipy.ndimage import distance_transform_edt

    size = (max(rgb.shape[1] // 2, 1), max(rgb.shape[0] // 2, 1))
    small, small_hole = shrink_with_mask(rgb, hole, size)
    grown = distance_transform_edt(~small_hole) <= RING
    ring = grown & ~small_hole
    if not ring.any() or (~grown).sum() < ring.sum():
        return None
    return small, grown, ring


def _ring_fit(trial: tuple[np.ndarray, np.ndarray, np.ndarray], results: list[np.ndarray]) -> np.ndarray:
    """The convex weights whose blend of the trial fills best predicts the hidden ring."""
    small, _, ring = trial
    predictions = np.stack([result[ring].ravel() for result in results], axis=1).astype(np.float64)
    return convex_weights(predictions, small[ring].ravel().astype(np.float64))


def blend(rgb: np.ndarray, hole: np.ndarray, fills: Mapping[str, Fill], progress: Progress,
          check: Callable[[], None]) -> tuple[np.ndarray, dict[str, float]]:
    """The blend of ``fills`` over ``hole`` (pixels outside it unchanged), weighted by the
    ring trial pulled SHRINK of the way to equal, and the weight each fill got.

    The trial and the real fills are independent jobs run on two threads (OpenCV and
    numpy release the GIL, so they overlap where a core is free), full-size fills first.
    Equal weights when the window is too small to spare the ring. The fills only check
    for cancellation (``check`` raises); ``progress`` is called from this thread as the
    jobs finish.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    trial = _trial(rgb, hole)
    jobs = [(fill, rgb, hole) for fill in fills.values()]
    if trial is not None:
        jobs += [(fill, trial[0], trial[1]) for fill in fills.values()]

    def run(job: tuple[Fill, np.ndarray, np.ndarray]) -> np.ndarray:
        fill, image, mask = job
        return fill(image, mask, lambda fraction, message: check())

    progress(0.0, "fills")
    with one_opencv_thread(), ThreadPoolExecutor(max_workers=2, thread_name_prefix="packshot-fill") as pool:
        futures = [pool.submit(run, job) for job in jobs]
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()
                progress((len(futures) - len(pending)) / len(futures), "fills")
        finally:
            for future in pending:
                future.cancel()
    results = [future.result() for future in futures]
    k = len(fills)
    equal = np.full(k, 1.0 / k)
    weights = equal if trial is None else (1.0 - SHRINK) * _ring_fit(trial, results[k:]) + SHRINK * equal
    shares = {name: float(weight) for name, weight in zip(fills, weights)}
    out = rgb.astype(np.float32, copy=True)
    out[hole] = 0.0
    for weight, filled in zip(weights, results[:k]):
        out[hole] += np.float32(weight) * filled[hole]
    progress(1.0, "blended")
    return out, shares
