"""Helpers the enhance operations share: picking an installed model, alpha, resizing, the scale parameter."""

from __future__ import annotations

from typing import Any

import numpy as np

from packshot.core.image import Image
from packshot.core.models import CatalogueEntry, ModelStore, store_for
from packshot.core.models.choice import AUTO, choose
from packshot.core.params import Int
from packshot.core.resample import resize

SCALE = Int("scale", 2, "enlargement factor", minimum=2, maximum=4)


def choose_model(ctx: Any, task: str, requested: str = AUTO,
                 loaders: tuple[str, ...] = ("spandrel", "opencv-superres"),
                 scale: int | None = None) -> tuple[ModelStore, CatalogueEntry]:
    """The named model (checked, of this task), or the best installed one by the
    catalogue's quality rank; with nothing installed the MissingModel error recommends
    the best model to download."""
    store = store_for(ctx)
    return store, choose(store, task, requested, loaders, scale)


def with_alpha(image: Image, rgb_pixels: np.ndarray) -> Image:
    """An Image from new RGB pixels (input dtype), carrying a resized alpha if there was one."""
    if not image.has_alpha:
        return image.with_pixels(rgb_pixels)
    from packshot.core.image import quantize

    h, w = rgb_pixels.shape[:2]
    alpha = image.alpha()
    assert alpha is not None  # has_alpha, checked above
    alpha = np.clip(resize(alpha, (w, h)), 0, 1)
    return image.with_pixels(np.concatenate([rgb_pixels, quantize(alpha[..., None], rgb_pixels.dtype)], axis=2))


def rgb_pixels(image: Image) -> np.ndarray:
    """The stored RGB pixels without a float copy of the whole image."""
    return np.ascontiguousarray(image.pixels[..., :3])
