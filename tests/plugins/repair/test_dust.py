"""Dust detection on a synthetic studio backdrop with planted spots of known position."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins
from packshot.core.synthetic import plant_spots, studio_shot


def _components(mask: np.ndarray) -> tuple[int, np.ndarray]:
    import cv2

    n, labels = cv2.connectedComponents((mask > 0).astype(np.uint8), connectivity=8)
    return n - 1, labels


def _scores(found: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """Spot-level recall (planted spots touched by a detection) and precision
    (detections touching a planted spot)."""
    n_found, found_labels = _components(found)
    n_truth, truth_labels = _components(truth)
    hits = sum(1 for j in range(1, n_truth + 1) if found[truth_labels == j].max() > 0)
    true = sum(1 for i in range(1, n_found + 1) if truth[found_labels == i].max() > 0)
    return hits / n_truth, true / max(n_found, 1)


def _edge_band(alpha: np.ndarray, width: int = 7) -> np.ndarray:
    import cv2

    solid = (alpha > 0.5).astype(np.uint8)
    kernel = np.ones((width, width), np.uint8)
    return (cv2.dilate(solid, kernel) > 0) & ~(cv2.erode(solid, kernel) > 0)


def _dusty_shot(shape: str, seed: int):
    import cv2

    rgb, alpha = studio_shot(360, 480, shape=shape, seed=seed)
    avoid = cv2.dilate((alpha > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8))
    dusty, truth = plant_spots(rgb, 25, seed=seed, avoid=avoid)
    return rgb, dusty, truth, alpha


@pytest.mark.parametrize("shape,seed", [("bottle", 0), ("mug", 1), ("box", 2)])
def test_planted_spots_are_found_without_flagging_product_edges(shape, seed):
    clean, dusty, truth, alpha = _dusty_shot(shape, seed)
    image = from_array(dusty)
    op = load_plugins().operation("repair.detect_dust")
    result = op.run(Inputs(image), op.validate({}), Context())
    recall, precision = _scores(result.mask, truth)
    assert recall > 0.9 and precision > 0.9, (recall, precision)
    assert not (result.mask > 0)[_edge_band(alpha)].any()
    assert result.report["spots"] == _components(result.mask)[0]
    assert np.array_equal(result.image.pixels, image.pixels)


def test_a_clean_shot_has_no_dust():
    rgb, _ = studio_shot(360, 480, shape="mug", seed=3)
    op = load_plugins().operation("repair.detect_dust")
    result = op.run(Inputs(from_array(rgb)), op.validate({}), Context())
    assert result.report["spots"] == 0


def test_sensitivity_and_max_size_change_what_is_found():
    import cv2

    rgb, alpha = studio_shot(360, 480, shape="ball", seed=4)
    avoid = cv2.dilate((alpha > 0.01).astype(np.uint8), np.ones((5, 5), np.uint8))
    faint, faint_truth = plant_spots(rgb, 25, seed=4, avoid=avoid, contrast=0.05)  # 5 noise sigmas
    op = load_plugins().operation("repair.detect_dust")
    strict = op.run(Inputs(from_array(faint)), op.validate({"sensitivity": 0.0}), Context())
    loose = op.run(Inputs(from_array(faint)), op.validate({"sensitivity": 1.0}), Context())
    assert strict.report["spots"] == 0
    recall, precision = _scores(loose.mask, faint_truth)
    assert recall > 0.9 and precision > 0.9, (recall, precision)

    _, dusty, truth, _ = _dusty_shot("ball", 4)
    small_only = op.run(Inputs(from_array(dusty)), op.validate({"max_size": 5}), Context())
    assert small_only.report["spots"] < _components(truth)[0] * 0.5


def test_remove_dust_heals_the_spots():
    clean, dusty, truth, _ = _dusty_shot("bottle", 5)
    op = load_plugins().operation("repair.remove_dust")
    result = op.run(Inputs(from_array(dusty)), op.validate({}), Context())
    spots = truth > 0
    before = np.abs(from_array(dusty).as_float() - clean)[spots].mean()
    after = np.abs(result.image.as_float() - clean)[spots].mean()
    assert after < before * 0.25, (before, after)
    untouched = result.mask == 0
    assert np.array_equal(result.image.pixels[untouched], from_array(dusty).pixels[untouched])
    assert result.report["spots"] > 20 and result.report["pixels_processed"] > 0


def test_remove_dust_with_a_mask_heals_only_the_spot_it_touches():
    """The window's spot-heal click: a disc around one spot heals that spot, whole, and nothing else."""
    clean, dusty, truth, _ = _dusty_shot("bottle", 5)
    n, labels = _components(truth)
    found = load_plugins().operation("repair.detect_dust")
    detected = found.run(Inputs(from_array(dusty)), found.validate({}), Context()).mask
    target = next(j for j in range(1, n + 1) if detected[labels == j].max() > 0)
    ys, xs = np.nonzero(labels == target)
    cy, cx = int(ys.mean()), int(xs.mean())
    yy, xx = np.mgrid[0:truth.shape[0], 0:truth.shape[1]]
    disc = (((yy - cy) ** 2 + (xx - cx) ** 2) <= 6 ** 2).astype(np.float32)
    op = load_plugins().operation("repair.remove_dust")
    result = op.run(Inputs(from_array(dusty), disc), op.validate({}), Context())
    assert result.report["spots"] == 1
    spot = labels == target
    before = np.abs(from_array(dusty).as_float() - clean)[spot].mean()
    after = np.abs(result.image.as_float() - clean)[spot].mean()
    assert after < before * 0.25, (before, after)
    others = (truth > 0) & ~spot
    assert np.array_equal(result.image.pixels[others], from_array(dusty).pixels[others])
