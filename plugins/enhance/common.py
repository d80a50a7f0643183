"""Helpers the enhance operations share: picking an installed model, alpha, resizing."""

from __future__ import annotations

from typing import Any

import numpy as np

from packshot.core.errors import MissingModel
from packshot.core.image import Image
from packshot.core.models import CatalogueEntry, ModelStore, store_for
from packshot.core.models.tiling import resize

AUTO = "auto"
# What to suggest when nothing is installed, per task: (model, why).
SUGGEST = {
    "upscale": ("realesr-general-x4v3", "or the light fsrcnn_x2 / espcn_x2 for a CPU"),
    "denoise": ("scunet-color-real-psnr", "or fdncnn-color"),
    "restore": ("fbcnn-color", "for JPEG artefacts"),
}


def choose_model(ctx: Any, task: str, requested: str = AUTO,
                 loaders: tuple[str, ...] = ("spandrel", "opencv-superres"),
                 scale: int | None = None) -> tuple[ModelStore, CatalogueEntry]:
    """The named model (checked), or the best installed one for ``task``.

    Auto prefers a spandrel network of the wanted scale, then any spandrel network, then
    the light OpenCV networks; with nothing installed the MissingModel error names what
    to download.
    """
    store = store_for(ctx)
    if requested and requested != AUTO:
        store.path(requested)
        return store, store.entry(requested)
    found = [e for e in store.installed(task=task) if e.loader in loaders]
    if not found:
        name, also = SUGGEST.get(task, ("", ""))
        hint = f"packshot models download {name} ({also})" if name else "packshot models list"
        raise MissingModel(f"no {task} model is installed; install one: {hint}")

    def rank(e: CatalogueEntry) -> tuple[int, int, str]:
        return (e.loader != "spandrel", scale is not None and e.scale != scale,
                -e.scale if scale is None else abs(e.scale - scale), e.name)

    return store, sorted(found, key=rank)[0]


def with_alpha(image: Image, rgb_pixels: np.ndarray) -> Image:
    """An Image from new RGB pixels (input dtype), carrying a resized alpha if there was one."""
    if not image.has_alpha:
        return image.with_pixels(rgb_pixels)
    from packshot.core.image import quantize

    h, w = rgb_pixels.shape[:2]
    alpha = np.clip(resize(image.alpha(), w, h), 0, 1)
    return image.with_pixels(np.concatenate([rgb_pixels, quantize(alpha[..., None], rgb_pixels.dtype)], axis=2))


def rgb_pixels(image: Image) -> np.ndarray:
    """The stored RGB pixels without a float copy of the whole image."""
    return np.ascontiguousarray(image.pixels[..., :3])
