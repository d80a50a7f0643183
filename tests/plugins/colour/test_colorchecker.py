"""ColorChecker calibration on a rendered chart: found, corrected, and recorded for replay."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.plugins.colour.colour_math import linear_to_srgb, srgb_to_linear
from packshot.testing.colour import chart_scene

# A camera that sees the world through a crosstalk matrix and a warm light.
CAMERA = np.array([[0.85, 0.12, 0.03], [0.08, 0.80, 0.12], [0.02, 0.15, 0.83]]) * [1.0, 0.9, 0.65]


def shoot(scene: np.ndarray) -> np.ndarray:
    lin = srgb_to_linear(scene) @ CAMERA.T
    return (linear_to_srgb(np.clip(lin, 0, 1)) * 255 + 0.5).astype(np.uint8)


@pytest.mark.parametrize("tilt", [0.0, 8.0])
def test_detector_finds_the_chart_and_the_fit_lowers_delta_e(run_op, tilt):
    shot = shoot(chart_scene(tilt=tilt))
    result = run_op("colour.calibrate_chart", shot)
    report = result.report
    assert report["found_by"] == "detector (cv2.mcc)"
    assert report["patches_used"] >= 20
    assert report["mean_delta_e2000_before"] > 5
    assert report["mean_delta_e2000_after"] < 2.0
    assert result.replay == {"op": "colour.apply_matrix", "params": {"matrix": report["matrix"]}}


def test_the_recorded_step_replays_the_same_correction_on_another_shot(run_op):
    from packshot.core.synthetic import studio_shot

    matrix = run_op("colour.calibrate_chart", shoot(chart_scene())).replay["params"]["matrix"]
    truth, _ = studio_shot(120, 160, shape="mug", colour=(0.15, 0.35, 0.62), seed=1)
    same_light = shoot(truth)
    replayed = run_op("colour.apply_matrix", same_light, matrix=matrix).image.rgb()
    before = np.abs(same_light / 255.0 - truth).mean()
    after = np.abs(replayed - truth).mean()
    assert after < before / 4, (before, after)


def test_corners_given_by_hand_work_where_detection_is_not_used(run_op):
    height, width, patch = 480, 640, 44
    gap = patch // 5
    grid_w, grid_h = 6 * patch + 5 * gap, 4 * patch + 3 * gap
    x0, y0 = (width - grid_w) / 2, (height - grid_h) / 2
    corners = (x0, y0, x0 + grid_w, y0, x0 + grid_w, y0 + grid_h, x0, y0 + grid_h)
    result = run_op("colour.calibrate_chart", shoot(chart_scene(height, width, patch)), corners=corners)
    assert result.report["found_by"] == "corners given"
    assert result.report["mean_delta_e2000_after"] < 2.0 < result.report["mean_delta_e2000_before"]


def test_no_chart_is_a_clear_error(run_op):
    from packshot.core.errors import BadInput

    with pytest.raises(BadInput, match="no 24-patch ColorChecker"):
        run_op("colour.calibrate_chart", np.full((120, 160, 3), 0.5, np.float32))
