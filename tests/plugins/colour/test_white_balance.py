"""White balance: casts of known illuminant removed, measured against classical peers."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.image import from_array
from packshot.core.synthetic import SHAPES, apply_cast, studio_shot
from packshot.testing.colour import residual_cast_deg

# Warm tungsten, cool shade, green-ish LED, magenta-ish fluorescent, mild warm.
CASTS = [(1.0, 0.86, 0.62), (0.78, 0.9, 1.0), (0.92, 1.0, 0.86), (1.0, 0.88, 0.98), (1.0, 0.94, 0.84)]
PRODUCT_COLOURS = [(0.75, 0.18, 0.12), (0.15, 0.35, 0.62), (0.85, 0.7, 0.2), (0.2, 0.6, 0.25)]


def q8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def opencv_balance(kind: str, pixels: np.ndarray) -> np.ndarray:
    import cv2

    make = {"SimpleWB": cv2.xphoto.createSimpleWB, "GrayworldWB": cv2.xphoto.createGrayworldWB,
            "LearningBasedWB": cv2.xphoto.createLearningBasedWB}[kind]
    out = make().balanceWhite(np.ascontiguousarray(pixels[..., ::-1]))
    return out[..., ::-1].astype(np.float32) / 255


def test_auto_leaves_under_one_degree_on_studio_shots(run_op):
    errors, gray_world, untouched = [], [], []
    for i, shape in enumerate(SHAPES):
        truth, _ = studio_shot(180, 240, shape=shape, colour=PRODUCT_COLOURS[i], seed=i)
        truth = 0.1 + 0.8 * truth  # exposed as a studio would: the backdrop is not blown
        for cast in CASTS:
            shot = q8(apply_cast(truth, cast))
            auto = run_op("colour.auto_white_balance", shot)
            assert auto.report["method"] == "auto: neutral backdrop"
            errors.append(residual_cast_deg(auto.image.rgb(), truth))
            gw = run_op("colour.auto_white_balance", shot, method="gray_world").image.rgb()
            gray_world.append(residual_cast_deg(gw, truth))
            untouched.append(residual_cast_deg(shot.astype(np.float32) / 255, truth))
    assert np.median(errors) < 1.0, errors
    assert np.median(errors) < np.median(gray_world) / 2, (np.median(errors), np.median(gray_world))
    assert max(errors) < min(untouched), "auto made some studio shot no better than the input"


def cast_of_hue(hue_deg: float, strength: float) -> tuple[float, float, float]:
    """An illuminant whose log-chromaticity points at ``hue_deg`` on the opponent circle."""
    t = np.radians(hue_deg)
    gains = np.exp(strength * np.cos([t, t - 2 * np.pi / 3, t + 2 * np.pi / 3]))
    return tuple(gains / gains.max())


# Tuned on hues 0, 30, ..., 330 with seeds 0-3; tested half-way between, on other seeds and colours.
@pytest.mark.parametrize("hue", np.arange(8) * 45.0 + 15.0)
def test_auto_finds_the_backdrop_under_a_cast_of_any_hue_and_exposure(run_op, hue):
    """Warm, cool, green and magenta casts, on a dim and a bright exposure: a strong cast clips
    one channel of the bright backdrop, which must still be recognised from its darker parts."""
    colours = [(0.55, 0.25, 0.6), (0.3, 0.5, 0.45), (0.9, 0.45, 0.1), (0.25, 0.25, 0.3)]
    errors, untouched = [], []
    for (floor, span), strength in (((0.05, 0.55), 0.3), ((0.1, 0.8), 0.15), ((0.08, 0.85), 0.1)):
        for i, shape in enumerate(SHAPES):
            truth, _ = studio_shot(150, 200, shape=shape, colour=colours[i], seed=20 + i)
            truth = floor + span * truth
            shot = q8(apply_cast(truth, cast_of_hue(hue, strength)))
            auto = run_op("colour.auto_white_balance", shot)
            assert auto.report["method"] == "auto: neutral backdrop", (floor, span, shape)
            errors.append(residual_cast_deg(auto.image.rgb(), truth))
            untouched.append(residual_cast_deg(shot / 255.0, truth))
    assert max(errors) < 1.0, errors
    assert min(untouched) > 3.0, "the casts must be strong enough to matter"


@pytest.fixture(scope="module")
def photographs():
    import skimage.data as data

    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(), data.stereo_motorcycle()[0]]
    return [p.astype(np.float32) / 255 for p in photos]


def test_auto_no_worse_than_the_best_classical_peer_on_photographs(run_op, photographs):
    """Colourful scenes fool grey-world; auto must not be fooled worse than the best peer."""
    errors: dict[str, list[float]] = {}
    for truth in photographs:
        for cast in CASTS:
            shot = q8(apply_cast(truth, cast))
            outputs = {m: run_op("colour.auto_white_balance", shot, method=m).image.rgb()
                       for m in ("auto", "gray_world", "white_patch")}
            for kind in ("SimpleWB", "GrayworldWB", "LearningBasedWB"):
                outputs[f"OpenCV {kind}"] = opencv_balance(kind, shot)
            outputs["input"] = shot.astype(np.float32) / 255
            for name, out in outputs.items():
                errors.setdefault(name, []).append(residual_cast_deg(out, truth))
    medians = {name: float(np.median(v)) for name, v in errors.items()}
    means = {name: float(np.mean(v)) for name, v in errors.items()}
    peers = [n for n in medians if n not in ("auto", "input")]
    assert medians["auto"] <= min(medians[p] for p in peers), medians
    assert means["auto"] <= min(means[p] for p in peers), means
    assert medians["auto"] < medians["input"], medians


@pytest.mark.parametrize("method", ["gray_world", "white_patch", "shades_of_gray", "gray_edge", "learning_based"])
def test_every_method_reduces_a_strong_cast_on_a_studio_shot(run_op, method):
    truth, _ = studio_shot(120, 160, shape="box", colour=(0.2, 0.6, 0.25), seed=2)
    truth = 0.1 + 0.8 * truth
    shot = q8(apply_cast(truth, (1.0, 0.86, 0.62)))
    result = run_op("colour.auto_white_balance", shot, method=method)
    assert result.report["method"] == method
    assert residual_cast_deg(result.image.rgb(), truth) < residual_cast_deg(shot / 255.0, truth)


def test_eyedropper_on_the_backdrop_neutralises_the_cast(run_op):
    truth, _ = studio_shot(120, 160, shape="mug", seed=1)
    truth = 0.1 + 0.8 * truth
    shot = q8(apply_cast(truth, (0.78, 0.9, 1.0)))
    result = run_op("colour.white_balance_pick", shot, point=(10, 10), radius=6)
    corner = result.image.rgb()[4:16, 4:16].reshape(-1, 3).mean(axis=0)
    assert np.ptp(corner) < 0.01, corner  # the picked backdrop is grey again
    assert residual_cast_deg(result.image.rgb(), truth) < 1.0


def test_eyedropper_takes_a_mask_and_refuses_bad_points(run_op):
    from packshot.core.errors import BadParameter

    truth, alpha = studio_shot(120, 160, shape="ball", seed=2)
    shot = q8(apply_cast(0.1 + 0.8 * truth, (1.0, 0.9, 0.7)))
    backdrop = (alpha < 0.01).astype(np.float32)
    result = run_op("colour.white_balance_pick", shot, mask=backdrop)
    assert residual_cast_deg(result.image.rgb(), 0.1 + 0.8 * truth) < 1.0
    with pytest.raises(BadParameter, match="outside"):
        run_op("colour.white_balance_pick", shot, point=(500, 10))
    with pytest.raises(BadParameter, match="point"):
        run_op("colour.white_balance_pick", shot)


def test_white_balance_keeps_sixteen_bit_and_alpha(run_op):
    truth, alpha = studio_shot(60, 80, seed=0)
    rgba = np.concatenate([apply_cast(0.1 + 0.8 * truth, (1.0, 0.86, 0.62)), alpha[..., None]], axis=2)
    image = from_array((rgba * 65535 + 0.5).astype(np.uint16))
    out = run_op("colour.auto_white_balance", image).image
    assert out.pixels.dtype == np.uint16
    assert np.array_equal(out.pixels[..., 3], image.pixels[..., 3])
