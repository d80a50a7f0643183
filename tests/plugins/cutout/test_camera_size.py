"""The built-in cut-out above its working size: full-size work only in the edge band, and
quality held against the truth and against the figures of the whole-frame passes it replaced.

The scenes here are held out: no shot the cut-out or its benchmarks were tuned on.
"""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.synthetic import photo_product_shot, studio_shot

skdata = pytest.importorskip("skimage.data")

CAMERA = (1200, 1600)  # above the 1024 px working size, small enough for the suite

# IoU and edge-band |alpha error| of the same shots before the full-size passes were
# confined to cells found at the working size and GrabCut to the product's box.
PREVIOUS = {"ball/green": (0.99915, 0.0767), "chelsea/blue": (0.99929, 0.0724)}


def _scene(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "ball/green":
        return studio_shot(450, 600, shape="ball", colour=(0.2, 0.55, 0.25), seed=11, noise=0.0)
    return photo_product_shot(skdata.chelsea(), 450, 600, seed=14, backdrop_rgb=(0.55, 0.7, 0.85), noise=0.0)


@pytest.mark.parametrize("name", sorted(PREVIOUS))
def test_camera_size_cut_out_keeps_its_iou_and_edge(run_op, iou, edge_error, enlarged, name):
    pixels, truth = enlarged(*_scene(name), *CAMERA, seed=1)
    alpha = run_op("cutout.remove_background", pixels).mask
    before_iou, before_edge = PREVIOUS[name]
    assert iou(alpha, truth) >= before_iou - 0.0005
    assert edge_error(alpha, truth) <= before_edge * 1.03
    # Away from the edge (40 px, a tenth of it at the working size) alpha is exactly 0 or 1.
    import cv2

    edge = ((truth > 0) & (truth < 1)).astype(np.uint8)
    far = cv2.dilate(edge, np.ones((81, 81), np.uint8)) == 0
    assert np.isin(alpha[far], (0.0, 1.0)).mean() > 0.999


def test_camera_size_clean_edges_bring_the_product_colour_back(run_op, enlarged):
    """Colours in the edge band against the photograph's own colours (the truth foreground):
    cleaning removes most of the backdrop's share, as well as the whole-frame estimate did
    (0.058 on this shot)."""
    import cv2

    photo = skdata.coffee()
    rgb, truth_small = photo_product_shot(photo, 450, 600, seed=15, backdrop_rgb=(0.95, 0.95, 0.95), noise=0.0)
    pixels, truth = enlarged(rgb, truth_small, *CAMERA, seed=1)
    ys = np.linspace(0, photo.shape[0] - 1, 450).astype(int)
    xs = np.linspace(0, photo.shape[1] - 1, 600).astype(int)
    product = cv2.resize(photo[ys][:, xs].astype(np.float32) / 255, CAMERA[::-1], interpolation=cv2.INTER_CUBIC)
    soft = (truth > 0.05) & (truth < 0.95)

    def colour_error(clean: bool) -> float:
        out = run_op("cutout.remove_background", pixels, {"clean_edges": clean}).image.pixels
        return float(np.abs(out[..., :3][soft] / 255.0 - product[soft]).mean())

    raw, cleaned = colour_error(False), colour_error(True)
    assert cleaned < 0.4 * raw
    assert cleaned <= 0.059 * 1.05


def test_band_cells_found_at_the_working_size_hold_every_soft_pixel():
    from packshot.core.resample import fit_within, shrink
    from packshot.plugins.cutout.edge_cells import cells

    alpha = studio_shot(900, 1200, shape="mug", seed=4)[1]
    # Stray soft pixels on both sides of the grid's lines, where a shrunk pixel straddles two cells.
    lines = np.array([127, 128, 255, 256, 511, 512])
    ys, xs = np.meshgrid(lines, lines)
    alpha[ys, xs] = 0.3
    soft = (alpha > 0.002) & (alpha < 0.998)
    seen = shrink(alpha, fit_within(alpha.shape, 280))  # not a whole number of pixels per cell
    found = list(cells((seen > 0) & (seen < 1), alpha.shape, margin=0))
    covered = np.zeros(alpha.shape, bool)
    for cell in found:
        covered[cell.frame] = True
    assert covered[soft].all()
    assert covered.mean() < 0.6  # still a part of the frame, not all of it


def test_upsample_alpha_refines_like_a_whole_frame_guided_filter(enlarged):
    """The band's cells are found at the working size; the refined alpha must be the one a
    guided filter over the whole frame gives inside the dilated band, and the plain
    enlargement elsewhere."""
    import cv2

    from packshot.core.image import to_float
    from packshot.plugins.cutout.matting import GUIDE_EPS, upsample_alpha

    pixels, truth = enlarged(*studio_shot(300, 400, shape="ball", seed=6, noise=0.0), 1000, 1300, seed=2)
    small = cv2.resize(truth, (390, 300), interpolation=cv2.INTER_AREA)  # 3.33x: cells and pixels misalign
    got = upsample_alpha(small, pixels)

    up = cv2.resize(small, (1300, 1000), interpolation=cv2.INTER_LINEAR)
    radius = 7  # upsample_alpha's: twice the enlargement
    soft = ((up > 0.002) & (up < 0.998)).astype(np.uint8)
    band = cv2.dilate(soft, np.ones((2 * radius + 1,) * 2, np.uint8)) > 0
    whole = np.clip(cv2.ximgproc.guidedFilter(to_float(pixels), up, radius, GUIDE_EPS), 0, 1)
    expected = np.where(band, whole, np.clip(up, 0, 1))
    assert np.array_equal(got[~band], expected[~band])
    assert np.abs(got - expected).max() < 1e-4


def test_full_size_refinement_sharpens_the_enlarged_alpha(iou, edge_error):
    """On a shot rendered at full size (true sharp edges, sensor noise), the guided refinement
    must bring the alpha found at a third of the size closer to the truth than enlarging it
    does, at the edge and in area."""
    import cv2

    from packshot.core.image import from_array
    from packshot.plugins.cutout.matting import upsample_alpha

    rgb, truth = studio_shot(900, 1200, shape="mug", colour=(0.2, 0.55, 0.25), seed=8, noise=0.01)
    small = cv2.resize(truth, (480, 360), interpolation=cv2.INTER_AREA)
    enlarged = cv2.resize(small, (1200, 900), interpolation=cv2.INTER_LINEAR)
    refined = upsample_alpha(small, from_array(rgb).pixels)
    assert edge_error(refined, truth) < 0.5 * edge_error(enlarged, truth)  # 0.066 against 0.177
    assert iou(refined, truth) >= iou(enlarged, truth)
