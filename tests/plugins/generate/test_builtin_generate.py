"""Backdrops, staging, canvas extension and colourways, measured against simple peers."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.synthetic import backdrop, shape_alpha, studio_shot
from packshot.plugins.generate.backdrops import STYLES

BLANK = np.zeros((8, 8, 3), np.uint8)


@pytest.mark.parametrize("style", STYLES)
def test_every_backdrop_style_renders_seeded_at_any_size(run_op, style):
    params = {"style": style, "width": 300, "height": 200}
    a = run_op("generate.backdrop", BLANK, params, ctx=Context(seed=5)).image.pixels
    b = run_op("generate.backdrop", BLANK, params, ctx=Context(seed=5)).image.pixels
    assert a.shape == (200, 300, 3) and np.array_equal(a, b)
    if style not in ("solid", "linear", "radial", "sweep"):
        c = run_op("generate.backdrop", BLANK, params, ctx=Context(seed=6)).image.pixels
        assert not np.array_equal(a, c)
        assert a.std() > 1.0  # a texture, not a flat fill


def test_sweep_falls_off_and_gradient_runs_between_its_colours(run_op):
    sweep = run_op("generate.backdrop", BLANK, {"style": "sweep", "width": 200, "height": 200}).image.rgb()
    assert sweep[:5, 90:110].mean() < sweep[100:110, 90:110].mean()  # the wall darkens upwards
    assert sweep[100, :10].mean() < sweep[100, 95:105].mean()  # and towards the sides
    grad = run_op("generate.backdrop", BLANK, {"style": "linear", "colour": "#ffffff", "colour2": "#000000",
                                                "vignette": 0, "width": 50, "height": 100}).image.pixels
    assert grad[0].min() >= 250 and grad[-1].max() <= 5


def _cutout(h=160, w=120):
    alpha = shape_alpha(h, w, "bottle")
    rgb = np.zeros((h, w, 3), np.float32)
    rgb[..., 0] = np.linspace(0.2, 0.9, w)[None, :]
    rgb[..., 1] = 0.3
    rgb[..., 2] = np.linspace(0.8, 0.1, h)[:, None]
    return from_array(np.concatenate([rgb, alpha[..., None]], axis=2))


def test_staging_keeps_product_pixels_and_casts_shadows(run_op):
    cut = _cutout()
    bg = from_array(backdrop(300, 400))
    result = run_op("generate.stage_product", cut, {"product_height": 0, "reflection": 0.3}, reference=bg)
    out = result.image.pixels
    solid = cut.pixels[..., 3] == 255
    rows, cols = np.nonzero(cut.pixels[..., 3] > 2)
    crop = cut.pixels[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
    placed = result.mask > 0.999
    assert placed.sum() == (crop[..., 3] == 255).sum() == solid.sum()
    assert np.array_equal(out[placed], crop[crop[..., 3] == 255][:, :3])
    # Contact shadow darkens the floor just below the base; far corners are untouched.
    base = np.nonzero(result.mask.max(axis=1) > 0.5)[0].max()
    cx = int(np.nonzero(result.mask[base] > 0.5)[0].mean())
    below = out[base + 2:base + 5, cx - 3:cx + 3].mean()
    assert below < 0.8 * bg.pixels[base + 2:base + 5, cx - 3:cx + 3].mean()
    assert np.array_equal(out[:5, :5], bg.pixels[:5, :5])


def test_staging_scales_product_to_requested_height(run_op):
    result = run_op("generate.stage_product", _cutout(), {"product_height": 0.5, "width": 600, "height": 400})
    rows = np.nonzero(result.mask.max(axis=1) > 0.5)[0]
    assert abs((rows.max() - rows.min() + 1) / 400 - 0.5) < 0.02


def test_extend_canvas_continues_the_backdrop_better_than_simple_fills(run_op):
    import cv2

    truth, _ = studio_shot(300, 400, shape="box", seed=4, noise=0.01)
    crop = truth[30:285, 60:340]  # the product and its shadow, with backdrop all round
    result = run_op("generate.extend_canvas", crop, {"width": 400, "height": 300, "anchor_y": 2 / 3})
    out = result.image.rgb()
    assert np.array_equal(result.image.pixels[30:285, 60:340], from_array(crop).pixels)
    added = result.mask > 0.5

    def shading_error(fill):  # the light fall-off, compared without the random grain
        blur = lambda a: cv2.GaussianBlur(np.asarray(a, np.float32), (0, 0), 4)  # noqa: E731
        return float(np.abs(blur(fill) - blur(truth))[added].mean())

    replicate = cv2.copyMakeBorder(crop, 30, 15, 60, 60, cv2.BORDER_REPLICATE)
    constant = np.broadcast_to(crop.reshape(-1, 3).mean(axis=0), truth.shape)
    assert shading_error(out) < 0.5 * shading_error(replicate)
    assert shading_error(out) < 0.5 * shading_error(constant)
    grain = lambda a: float((a - cv2.GaussianBlur(a, (0, 0), 2))[added].std())  # noqa: E731
    assert 0.7 < grain(out) / grain(truth) < 1.4
    # No seam: the step across the original's edge is like a step inside the backdrop.
    seam = np.abs(out[29] - out[30]).mean()
    inside = np.abs(out[100, :] - out[101, :]).mean()
    assert seam < 1.5 * inside


def test_extend_canvas_to_aspect(run_op):
    result = run_op("generate.extend_canvas", np.full((100, 300, 3), 200, np.uint8), {"aspect": "4:5"})
    assert result.image.size == (300, 375)


def _delta_e(rgb, mask, target_hex):
    from skimage.color import deltaE_ciede2000, rgb2lab

    lab = rgb2lab(rgb)
    mean = lab[mask > 0.5].mean(axis=0)
    target = rgb2lab(np.asarray([[[int(target_hex[i:i + 2], 16) / 255 for i in (1, 3, 5)]]]))[0, 0]
    return float(deltaE_ciede2000(mean, target))


def test_colourways_hit_each_target_and_keep_shading(run_op):
    rgb, alpha = studio_shot(200, 260, shape="mug", colour=(0.75, 0.18, 0.12))
    targets = ["#1f4e79", "#2e8b57", "#f2d22e"]
    shading_before = rgb[alpha > 0.99].mean(axis=1).std()
    for i, target in enumerate(targets):
        result = run_op("generate.colourways", rgb, {"targets": ",".join(targets), "show": i,
                                                     "keep_highlights": False}, mask=alpha)
        out = result.image.rgb()
        assert _delta_e(out, alpha, target) < 3
        assert result.report["delta_e2000"][target] < 3
        assert np.abs(out[alpha == 0] - from_array(rgb).rgb()[alpha == 0]).max() == 0  # backdrop untouched
        assert out[alpha > 0.99].mean(axis=1).std() > 0.3 * shading_before  # shading survives


def test_extend_canvas_above_a_product_cut_by_the_frame(run_op):
    """The product covers much of the bottom edge; the backdrop above and beside still continues."""
    import cv2

    truth, _ = studio_shot(300, 400, shape="box", seed=4, noise=0.01)
    crop = truth[60:240, 80:320]
    out = run_op("generate.extend_canvas", crop, {"width": 400, "height": 300, "anchor_y": 0.5}).image.rgb()
    blur = lambda a: cv2.GaussianBlur(np.asarray(a, np.float32), (0, 0), 4)  # noqa: E731
    top_error = np.abs(blur(out) - blur(truth))[:55].mean()
    assert top_error < 0.02  # the light fall-off above, within a few grey levels


@pytest.mark.parametrize(("angle", "darker_side"), [(0.0, "right"), (180.0, "left")])
def test_drop_shadow_falls_away_from_the_light(run_op, angle, darker_side):
    bg = from_array(np.full((300, 400, 3), 0.85, np.float32))
    result = run_op("generate.stage_product", _cutout(), {
        "product_height": 0, "contact_shadow": 0, "drop_shadow": 0.6, "light_angle": angle,
        "shadow_distance": 0.1, "shadow_softness": 0.02}, reference=bg)
    rows = np.nonzero(result.mask.max(axis=1) > 0.5)[0]
    cols = np.nonzero(result.mask.max(axis=0) > 0.5)[0]
    mid = (rows.min() + rows.max()) // 2
    right = result.image.rgb()[mid - 10:mid + 10, cols.max() + 3:cols.max() + 8].mean()
    left = result.image.rgb()[mid - 10:mid + 10, cols.min() - 8:cols.min() - 3].mean()
    assert (right < left - 0.05) if darker_side == "right" else (left < right - 0.05)


class _NoGrain:
    """A generator whose grain is zero, so the smooth continuation can be compared exactly."""

    @staticmethod
    def standard_normal(shape, dtype=np.float64):
        return np.zeros(shape, dtype)


@pytest.mark.parametrize(("size", "anchor"), [((400, 300), (0.5, 2 / 3)), ((420, 330), (0.3, 0.8))])
def test_extend_canvas_computes_only_the_new_area_as_the_whole_frame_formula_would(size, anchor):
    """The continuation equals the whole-canvas recipe (field + blurred edge residual carried
    outward and faded with the distance): the new area is filled piece by piece instead."""
    import cv2

    from packshot.core.backdrop_fit import fit_backdrop
    from packshot.plugins.generate.extend import extend_backdrop, plan_canvas

    truth, _ = studio_shot(300, 400, shape="box", seed=4, noise=0.01)
    rgb = truth[40:250, 70:330]
    h, w = rgb.shape[:2]
    place = plan_canvas(w, h, *size, 1.0, *anchor)
    out, added = extend_backdrop(rgb, place, _NoGrain())

    fit = fit_backdrop(rgb, seed=0)
    field = np.clip(fit.grid(h, w, np.arange(place.height) - place.top, np.arange(place.width) - place.left), 0, 1)
    inner = field[place.top:place.top + h, place.left:place.left + w]
    residual = cv2.GaussianBlur(rgb - inner, (0, 0), max(2.0, 0.01 * max(h, w)))
    carried = cv2.copyMakeBorder(residual, place.top, place.height - h - place.top, place.left,
                                 place.width - w - place.left, cv2.BORDER_REPLICATE)
    distance = cv2.distanceTransform((added > 0).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    expected = np.clip(field + carried * np.exp(-distance / (0.15 * max(h, w)))[..., None], 0, 1)
    new = added > 0.5
    assert new.sum() == place.width * place.height - w * h
    assert np.abs(out[new] - expected[new]).max() < 1e-4  # 1/40 of an 8-bit step
    assert np.array_equal(out[~new].reshape(h, w, 3), rgb)


def _whole_canvas_stage(backdrop_rgb, product, s):
    """The staging recipe over the whole canvas: every layer placed, shifted and blurred full size."""
    import cv2

    from packshot.plugins.generate.staging import _place

    h, w = backdrop_rgb.shape[:2]
    ph, pw = product.shape[:2]
    top, left = int(round(s.floor * h)) - ph, int(round(s.x * w - pw / 2))
    alpha = _place(product[..., 3], (h, w), top, left)
    fade = np.clip(1 - np.arange(ph, dtype=np.float32) / max(s.reflection_fade * ph, 1), 0, 1)
    ra = _place(product[::-1, :, 3] * fade[:, None] * s.reflection, (h, w), top + ph, left)[..., None]
    out = backdrop_rgb * (1 - ra) + _place(product[::-1, :, :3], (h, w), top + ph, left) * ra
    angle = np.deg2rad(s.light_angle)
    move = np.array([[1, 0, s.distance * ph * np.cos(angle)], [0, 1, s.distance * ph * np.sin(angle)]], np.float32)
    drop = cv2.GaussianBlur(cv2.warpAffine(alpha, move, (w, h)), (0, 0), max(s.softness * ph, 0.5))
    y0 = top + ph - max(2, int(round(0.02 * ph)))
    reach = alpha[y0:top + ph + 1].max(axis=0)
    foot = np.zeros((h, w), np.float32)
    foot[y0:top + ph + 1] = reach * (reach > 0.5)
    soft = cv2.GaussianBlur(foot, (0, 0), sigmaX=max(0.01 * ph, 1.0), sigmaY=max(0.006 * ph, 1.0))
    out = out * ((1 - s.drop * drop) * (1 - s.contact * soft / soft.max()))[..., None]
    colour, a = _place(product[..., :3], (h, w), top, left), alpha[..., None]
    return np.where(a >= 1, colour, out * (1 - a) + colour * a)


@pytest.mark.parametrize("softness", [0.03, 0.12])  # the drop shadow's blur: 7 px, and 29 px (working resolution)
def test_staging_touches_only_what_the_layers_reach_and_matches_the_whole_canvas_recipe(softness):
    from packshot.plugins.generate.staging import Staging, scaled_product, stage

    cut = _cutout().as_float()
    bg = backdrop(300, 400)
    product = scaled_product(cut, 300, 0.8)
    s = Staging(x=0.45, floor=0.9, reflection=0.3, softness=softness, distance=0.06, light_angle=60)
    rgb, alpha = stage(bg, product, s)
    expected = _whole_canvas_stage(bg, product, s)
    psnr = 10 * np.log10(1 / np.mean((rgb - expected) ** 2))
    assert psnr > 80 and np.abs(rgb - expected).max() < 0.1 / 255
    import cv2

    untouched = cv2.erode((expected == bg).all(axis=2).astype(np.uint8), np.ones((9, 9))) > 0  # beyond every reach
    assert untouched.mean() > 0.15 and np.array_equal(rgb[untouched], bg[untouched])
