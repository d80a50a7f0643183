"""The large-hole blend: convex weights from a hidden ring of known pixels."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.errors import Cancelled
from packshot.plugins.repair.ensemble import blend, convex_weights


def test_convex_weights_recover_a_mixture_and_stay_on_the_simplex():
    rng = np.random.default_rng(0)
    a, b, c = rng.random((3, 500))
    assert np.allclose(convex_weights(np.stack([a, b, c], 1), 0.3 * a + 0.7 * b), [0.3, 0.7, 0.0])
    # The unconstrained best blend would weigh c negatively; the convex one sits on a face.
    weights = convex_weights(np.stack([a, b, c], 1), 1.5 * a - 0.5 * c)
    assert (weights >= 0).all() and np.isclose(weights.sum(), 1.0)
    assert weights[2] == 0.0


def _fills():
    def mean_fill(rgb, hole, progress):
        progress(0.5, "mean")
        out = rgb.copy()
        out[hole] = rgb[~hole].mean(0)
        return out

    def black_fill(rgb, hole, progress):
        out = rgb.copy()
        out[hole] = 0.0
        return out

    return {"mean": mean_fill, "black": black_fill}


def test_the_ring_favours_the_fill_that_predicts_it_and_only_the_hole_changes():
    rgb = np.full((64, 64, 3), 0.6, np.float32)
    hole = np.zeros((64, 64), bool)
    hole[24:40, 24:40] = True
    fractions, checks = [], []
    filled, shares = blend(rgb, hole, _fills(), lambda f, m: fractions.append(f),
                           lambda: checks.append(1))
    # The ring's weights (all on the mean fill), pulled halfway to equal ones.
    assert shares == pytest.approx({"mean": 0.75, "black": 0.25}, abs=1e-3)
    assert np.allclose(filled[hole], 0.75 * 0.6, atol=1e-3)
    assert np.array_equal(filled[~hole], rgb[~hole])
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert len(checks) == 2  # the mean fill checks once in the trial and once at full size


def test_cancelling_inside_a_fill_stops_the_blend():
    rgb = np.full((64, 64, 3), 0.6, np.float32)
    hole = np.zeros((64, 64), bool)
    hole[24:40, 24:40] = True

    def cancel():
        raise Cancelled("stop")

    with pytest.raises(Cancelled):
        blend(rgb, hole, _fills(), lambda f, m: None, cancel)


def test_a_window_too_small_for_the_ring_weighs_fills_evenly():
    rgb = np.full((10, 10, 3), 0.5, np.float32)
    hole = np.ones((10, 10), bool)
    hole[0, 0] = False
    _, shares = blend(rgb, hole, _fills(), lambda f, m: None, lambda: None)
    assert shares == {"mean": 0.5, "black": 0.5}


def test_opencv_runs_one_thread_during_the_fills_and_gets_its_count_back():
    """The fills run side by side; nested OpenCV threads would only queue behind them. The
    count comes back afterwards, also when a fill is cancelled."""
    import cv2

    rgb = np.full((64, 64, 3), 0.6, np.float32)
    hole = np.zeros((64, 64), bool)
    hole[24:40, 24:40] = True
    seen = []

    def spy(rgb, hole, progress):
        seen.append(cv2.getNumThreads())
        return rgb.copy()

    def cancel():
        raise Cancelled("stop")

    before = cv2.getNumThreads()
    cv2.setNumThreads(3)
    try:
        blend(rgb, hole, {"spy": spy}, lambda f, m: None, lambda: None)
        assert seen and set(seen) == {1}
        assert cv2.getNumThreads() == 3
        with pytest.raises(Cancelled):
            blend(rgb, hole, _fills(), lambda f, m: None, cancel)
        assert cv2.getNumThreads() == 3
    finally:
        cv2.setNumThreads(before)
