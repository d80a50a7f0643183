"""Built-in cut-out on synthetic studio shots with exact alpha truth."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.image import from_array
from packshot.core.synthetic import photo_product_shot, studio_shot

skdata = pytest.importorskip("skimage.data")

# Real photographs' objects (skimage.data) on grey, white and blue seamless backdrops.
PHOTO_SHOTS = [("chelsea", 0, (0.86, 0.87, 0.9)), ("coffee", 1, (0.95, 0.95, 0.95)),
               ("rocket", 2, (0.55, 0.7, 0.85)), ("astronaut", 3, (0.55, 0.7, 0.85)),
               ("rocket", 4, (0.86, 0.87, 0.9))]


@pytest.mark.parametrize(("photo", "seed", "backdrop"), PHOTO_SHOTS)
def test_photo_objects_cut_out_accurately(run_op, iou, photo, seed, backdrop):
    rgb, truth = photo_product_shot(getattr(skdata, photo)(), seed=seed, backdrop_rgb=backdrop)
    result = run_op("cutout.remove_background", rgb)
    assert iou(result.mask, truth) >= 0.95
    assert np.abs(result.mask - truth).mean() < 0.01
    assert result.report["unsure"] is False


@pytest.mark.parametrize("shape", ["bottle", "mug", "box"])
def test_studio_products_separated_from_their_contact_shadow(run_op, iou, shape):
    rgb, truth = studio_shot(360, 480, shape=shape, colour=(0.2, 0.3, 0.6), seed=1)
    result = run_op("cutout.remove_background", rgb)
    assert iou(result.mask, truth) >= 0.95
    # The contact shadow below the product stays out of the cut-out.
    bottom = np.nonzero(truth.max(axis=1) > 0.5)[0].max()
    assert result.mask[bottom + 4:bottom + 20].max() < 0.5


def test_black_product_is_not_mistaken_for_shadow(run_op, iou):
    rgb, truth = studio_shot(360, 480, shape="box", colour=(0.08, 0.08, 0.08), seed=2)
    assert iou(run_op("cutout.remove_background", rgb).mask, truth) >= 0.95


@pytest.mark.parametrize("shape", ["bottle", "ball"])
def test_white_on_white_is_handled_or_reported(run_op, iou, shape):
    rgb, truth = studio_shot(360, 480, shape=shape, colour=(0.93, 0.93, 0.91), seed=3)
    result = run_op("cutout.remove_background", rgb)
    good = iou(result.mask, truth) >= 0.95
    assert good or (result.report["unsure"] and "light product on a light backdrop" in result.message)
    assert iou(result.mask, truth) >= 0.85  # the second look recovers most of the product


def test_outputs_transparent_mask_and_composite(run_op, iou):
    rgb, truth = studio_shot(240, 320, shape="ball", colour=(0.75, 0.18, 0.12))
    rgba = run_op("cutout.remove_background", rgb).image
    assert rgba.pixels.shape == (240, 320, 4) and rgba.pixels.dtype == np.uint8
    assert iou(rgba.alpha(), truth) >= 0.95
    inside = rgba.pixels[..., 3] == 255
    assert inside[truth > 0.999].mean() > 0.97
    # Solid product pixels keep their colour exactly.
    assert np.array_equal(rgba.pixels[inside][:, :3], from_array(rgb).pixels[inside])
    mask_img = run_op("cutout.remove_background", rgb, {"output": "mask"}).image
    assert mask_img.pixels.shape == (240, 320, 3)
    assert iou(mask_img.rgb()[..., 0], truth) >= 0.95
    comp = run_op("cutout.remove_background", rgb, {"output": "composite", "background": "#00ff00"}).image
    far = truth == 0
    assert (comp.pixels[far] == [0, 255, 0]).all(axis=1).mean() > 0.99


def test_sixteen_bit_stays_sixteen_bit(run_op, iou):
    rgb, truth = studio_shot(200, 260, shape="box")
    image = from_array((rgb * 65535).astype(np.uint16))
    result = run_op("cutout.remove_background", image)
    assert result.image.pixels.dtype == np.uint16 and result.image.has_alpha
    assert iou(result.mask, truth) >= 0.95


def test_clean_edges_remove_the_backdrop_halo(run_op):
    """On black, soft edges of a cut from a light backdrop should not glow."""
    rgb, truth = studio_shot(240, 320, shape="ball", colour=(0.1, 0.1, 0.5), noise=0.0)
    product = np.array([0.1, 0.1, 0.5])
    edge = (truth > 0.05) & (truth < 0.95)

    def halo(clean):
        comp = run_op("cutout.remove_background", rgb,
                      {"output": "composite", "background": "#000000", "clean_edges": clean}).image.rgb()
        expected = truth[..., None] * product  # shading varies, so compare brightness only
        return float(np.abs(comp[edge].mean(axis=1) - expected[edge].mean(axis=1)).mean())

    assert halo(True) < 0.8 * halo(False)


def test_cancel_stops_the_cutout(run_op):
    from packshot.core.context import CancelToken, Context
    from packshot.core.errors import Cancelled

    token = CancelToken()

    def progress(fraction, message):
        if message == "segmenting":
            token.cancel()

    rgb, _ = studio_shot(120, 160)
    with pytest.raises(Cancelled):
        run_op("cutout.remove_background", rgb, ctx=Context(on_progress=progress, cancel_token=token))


def test_light_area_of_a_photo_object_recovered_on_a_second_look(run_op, iou):
    """The astronaut photo's white sky beside her, on a light grey backdrop: found and reported."""
    rgb, truth = photo_product_shot(skdata.astronaut(), seed=0, backdrop_rgb=(0.86, 0.87, 0.9))
    result = run_op("cutout.remove_background", rgb)
    assert iou(result.mask, truth) >= 0.95
    assert result.report["second_look"] and result.report["unsure"]


def test_same_shot_gives_the_same_cut_out_whatever_ran_before(run_op):
    """GrabCut's initial clustering draws from OpenCV's thread-wide random state, which any
    earlier OpenCV call may have moved: the operation must still be pure."""
    import cv2

    rgb, _ = photo_product_shot(skdata.rocket(), seed=2, backdrop_rgb=(0.95, 0.95, 0.95))
    masks = []
    for state in (1, 2, 3):
        cv2.setRNGSeed(state)
        masks.append(run_op("cutout.remove_background", rgb).mask)
    assert np.array_equal(masks[0], masks[1]) and np.array_equal(masks[0], masks[2])
