"""Generate family at camera resolution: extend canvas and stage product on a 12 MP studio shot.

Both run through ``packshot.core.jobs.execute`` with default parameters, next to the
cheapest classical way to get a similar picture, measured in the same run: OpenCV's
replicated border for the canvas, and Pillow's drop shadow (the whole alpha blurred with
``ImageFilter.GaussianBlur``, then composited) for the staging.

Before the new area and the shadows' reach were computed alone (commit f1aee77), run
back to back with the new code on this machine under the usual load: extend_canvas
11.9 s (now 0.52 s), stage_product 2.9 s (0.56 s), with softness 0.1 and a reflection
17.2 s (0.57 s).
"""

from __future__ import annotations

import numpy as np

from benchmarks.table import best_time, print_table
from packshot.core.context import Context
from packshot.core.image import Image
from packshot.core.operation import Inputs


def _shot(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """A studio shot (uint8 RGB) and its cut-out (uint8 RGBA), drawn at a quarter size and enlarged."""
    import cv2

    from packshot.core.synthetic import studio_shot

    rgb, alpha = studio_shot(height // 4, width // 4, shape="bottle", seed=1, noise=0.0)
    rgb = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC)
    alpha = cv2.resize(alpha, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(1).normal(0, 0.01, rgb.shape).astype(np.float32)
    shot = (np.clip(rgb + grain, 0, 1) * 255 + 0.5).astype(np.uint8)
    cut = np.concatenate([shot, (np.clip(alpha, 0, 1)[..., None] * 255 + 0.5).astype(np.uint8)], axis=2)
    return shot, cut


def _pillow_drop_shadow(cut: np.ndarray, sigma: float, shift: tuple[int, int]) -> np.ndarray:
    """The cut-out on a light grey backdrop with a whole-frame blurred, shifted shadow (Pillow)."""
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageFilter

    product = PILImage.fromarray(cut)
    shadow = ImageChops.offset(product.getchannel("A"), *shift).filter(ImageFilter.GaussianBlur(sigma))
    canvas = PILImage.new("RGBA", product.size, (240, 240, 240, 255))
    canvas.paste((0, 0, 0, 255), mask=shadow.point(lambda v: int(v * 0.35)))
    return np.asarray(PILImage.alpha_composite(canvas, product))


def run(quick: bool) -> None:
    import cv2

    from packshot.core.jobs import execute
    from packshot.plugins.generate.extend_canvas import ExtendCanvas
    from packshot.plugins.generate.stage_product import StageProduct

    width, height = (1000, 750) if quick else (4000, 3000)
    repeat = 1 if quick else 2
    shot, cut = _shot(width, height)
    mp = width * height / 1e6
    ctx = Context(seed=0)
    side = max(width, height)
    product_h = 0.6 * height
    extend, stage = Inputs(Image(shot)), Inputs(Image(cut))
    shift = int(0.03 * product_h)
    rows = [
        ("generate.extend_canvas (1:1)", best_time(lambda: execute(ExtendCanvas(), extend, {}, ctx), repeat)),
        ("peer: OpenCV copyMakeBorder replicate (1:1)", best_time(lambda: cv2.copyMakeBorder(
            shot, (side - height) // 2, side - height - (side - height) // 2, 0, 0, cv2.BORDER_REPLICATE), repeat)),
        ("generate.stage_product (default)", best_time(lambda: execute(StageProduct(), stage, {}, ctx), repeat)),
        ("generate.stage_product (softness 0.1, reflection 0.3)", best_time(lambda: execute(
            StageProduct(), stage, {"shadow_softness": 0.1, "reflection": 0.3}, ctx), repeat)),
        ("peer: Pillow drop shadow (whole-frame GaussianBlur)", best_time(
            lambda: _pillow_drop_shadow(cut, 0.03 * product_h, (shift, shift)), repeat)),
    ]
    print_table(f"Generate at {width}x{height} ({mp:.0f} MP), seconds (best of {repeat})",
                ("operation", "seconds", "MP/s"), [(label, s, mp / s) for label, s in rows])
