"""repair.inpaint against the classical peers on known holes in real photographs."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.image import from_array
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins
from packshot.testing.holes import box

from .conftest import hole_psnr, peer_fills


def _run(rgb_u8: np.ndarray, hole: np.ndarray, **params):
    op = load_plugins().operation("repair.inpaint")
    inputs = Inputs(from_array(rgb_u8), hole.astype(np.float32))
    op.check_inputs(inputs)
    return op.run(inputs, op.validate(params), Context(seed=1))


def _blended(methods: list[str]) -> set[str]:
    """The fills named in a large-hole label such as 'exemplar 20% + fsr 80%'."""
    (label,) = methods
    return {part.split()[0] for part in label.split(" + ")}


def _coffee() -> np.ndarray:
    from skimage import data

    return data.coffee()[:192, 100:292]


@pytest.mark.parametrize("kind", ["scratches", "dust", "text"])
def test_small_holes_match_or_beat_every_classical_peer(kind, holes):
    rgb = _coffee()
    hole = holes[kind](*rgb.shape[:2])
    truth = rgb / 255.0
    holed = truth.copy()
    holed[hole] = 0.0
    result = _run(rgb, hole)
    ours = hole_psnr(result.image.pixels / 255.0, truth, hole)
    peers = {k: hole_psnr(v, truth, hole) for k, v in peer_fills(rgb, hole).items()}
    assert ours > hole_psnr(holed, truth, hole) + 15.0
    assert ours >= max(peers.values()), (ours, peers)


FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf")


def _font(name: str | None, size: int):
    """A DejaVu font when the system has one, else Pillow's built-in font at that size."""
    from pathlib import Path

    from PIL import ImageFont

    found = sorted(Path("/usr/share/fonts").rglob(name)) if name else []
    return ImageFont.truetype(str(found[0]), size) if found else ImageFont.load_default(size=size)


def _text_mask(shape: tuple[int, int], font, size: int, text: str) -> np.ndarray:
    from PIL import Image as PILImage
    from PIL import ImageDraw

    h, w = shape
    canvas = PILImage.new("L", (w, h), 0)
    ImageDraw.Draw(canvas).text((w // 12, h // 3), text, fill=255, font=font)
    return np.asarray(canvas) > 127


# Tuned on coffee and astronaut; tested on photographs the tuning never saw.
@pytest.mark.parametrize("font,size", [(FONTS[0], 40), (FONTS[1], 18), (FONTS[2], 28), (None, 24)])
def test_watermark_letters_at_least_match_fsr(font, size):
    """A word of a watermark, in several fonts and sizes (bold strokes thicker than the
    small-hole limit included): at least the hole PSNR of xphoto's FSR on the whole frame."""
    from skimage import data

    rgb = data.rocket()[120:300, 100:400]
    hole = _text_mask(rgb.shape[:2], _font(font, size), size, "© Shop 24")
    assert 0.003 < hole.mean() < 0.2
    truth = rgb / 255.0
    ours = hole_psnr(_run(rgb, hole).image.pixels / 255.0, truth, hole)
    fsr = hole_psnr(peer_fills(rgb, hole, ("fsr",))["fsr"], truth, hole)
    assert ours >= fsr, (ours, fsr)


@pytest.mark.parametrize("width", [2, 5])
def test_scratches_at_least_match_fsr(width, holes):
    from skimage import data

    rgb = data.stereo_motorcycle()[0][100:260, 200:440]
    hole = holes["scratches"](*rgb.shape[:2], seed=7, count=3, width=width)
    truth = rgb / 255.0
    ours = hole_psnr(_run(rgb, hole).image.pixels / 255.0, truth, hole)
    fsr = hole_psnr(peer_fills(rgb, hole, ("fsr",))["fsr"], truth, hole)
    assert ours >= fsr, (ours, fsr)


def test_large_box_beats_every_classical_peer_by_a_decibel():
    """A box over a patterned area (the flag's stripes and the suit beside it)."""
    from skimage import data

    rgb = data.astronaut()[:256, :200]
    hole = box(256, 200, 0.07, cy=0.45, cx=0.25)
    assert 0.05 <= hole.mean() <= 0.10
    truth = rgb / 255.0
    result = _run(rgb, hole)
    ours = hole_psnr(result.image.pixels / 255.0, truth, hole)
    peers = {k: hole_psnr(v, truth, hole) for k, v in peer_fills(rgb, hole).items()}
    assert _blended(result.report["methods"]) <= {"exemplar", "fsr", "biharmonic"}
    assert ours >= max(peers.values()) + 1.0, (ours, peers)


def test_large_box_over_a_face_beats_every_classical_peer_by_a_decibel():
    """A box over the astronaut's face: nothing around it predicts the features, and the
    ring-weighted blend (mostly biharmonic and FSR here) beats each fill alone."""
    from skimage import data

    rgb = data.astronaut()[::2, ::2]
    hole = box(256, 256, 0.07, cy=0.3, cx=0.5)
    truth = rgb / 255.0
    result = _run(rgb, hole)
    ours = hole_psnr(result.image.pixels / 255.0, truth, hole)
    peers = {k: hole_psnr(v, truth, hole) for k, v in peer_fills(rgb, hole).items()}
    assert ours >= max(peers.values()) + 1.0, (ours, peers)


def test_pixels_outside_the_mask_are_bit_identical_and_16_bit_stays_16_bit():
    from skimage import data

    rgb16 = (data.chelsea()[:160, :200].astype(np.uint16) * 257)
    hole = np.zeros(rgb16.shape[:2], bool)
    hole[40:46, 30:120] = True
    hole[100:130, 150:180] = True
    result = _run(rgb16, hole)
    out = result.image.pixels
    assert out.dtype == np.uint16
    assert np.array_equal(out[~hole], rgb16[~hole])
    assert not np.array_equal(out[hole], rgb16[hole])


def test_soft_mask_edges_paste_back_softly():
    rgb = _coffee()
    mask = np.zeros(rgb.shape[:2], np.float32)
    mask[50:60, 50:60] = 1.0
    mask[50:60, 60] = 0.5
    op = load_plugins().operation("repair.inpaint")
    out = op.run(Inputs(from_array(rgb), mask), op.validate({"method": "telea"}), Context()).image.pixels
    filled = op.run(Inputs(from_array(rgb), (mask > 0).astype(np.float32)), op.validate({"method": "telea"}),
                    Context()).image.pixels
    half = out[50:60, 60].astype(float)
    expected = 0.5 * rgb[50:60, 60] + 0.5 * filled[50:60, 60]
    assert np.abs(half - expected).max() <= 1.0


def test_feather_grows_the_fill_and_ramps_it_out():
    from scipy.ndimage import distance_transform_edt

    rgb = _coffee()
    hole = np.zeros(rgb.shape[:2], bool)
    hole[80:90, 80:120] = True
    out = _run(rgb, hole, method="telea", feather=3).image.pixels
    changed = np.abs(out.astype(int) - rgb).max(axis=2) > 0
    distance = distance_transform_edt(~hole)
    assert changed[hole].mean() > 0.9
    assert changed[(distance > 0) & (distance <= 2)].any()
    assert not changed[distance > 3].any()


def test_bad_mask_and_bad_method_are_clear_errors():
    op = load_plugins().operation("repair.inpaint")
    rgb = _coffee()
    with pytest.raises(BadInput, match="needs a mask"):
        op.check_inputs(Inputs(from_array(rgb)))
    with pytest.raises(BadInput, match="must match"):
        op.check_inputs(Inputs(from_array(rgb), np.zeros((10, 10), np.float32)))
    with pytest.raises(BadParameter, match="method"):
        op.validate({"method": "magic"})
    with pytest.raises(BadInput, match="whole picture"):
        _run(rgb, np.ones(rgb.shape[:2], bool))


def test_empty_mask_returns_the_image_untouched():
    rgb = _coffee()
    result = _run(rgb, np.zeros(rgb.shape[:2], bool))
    assert np.array_equal(result.image.pixels, rgb)
    assert result.report["pixels_processed"] == 0
