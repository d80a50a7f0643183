"""Masks: single-channel float32 arrays 0..1, the same size as their image.

Masks are files a person can make anywhere (a painted PNG, a cut-out's alpha) and reuse,
so loading accepts greyscale, RGB (luminance) and RGBA (alpha when it varies).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import BadInput


def as_mask(values: np.ndarray, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Validate and normalise an array into a float32 HxW mask 0..1."""
    m = np.asarray(values)
    top = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(m.dtype)  # before a mean makes floats
    if m.ndim == 3:
        if m.shape[2] == 4 and m[..., 3].min() != m[..., 3].max():
            m = m[..., 3]
        else:
            m = m[..., :3].mean(axis=2) if m.shape[2] >= 3 else m[..., 0]
    if m.ndim != 2:
        raise BadInput(f"a mask must be a single-channel image, got shape {np.shape(values)}")
    if top is not None:
        m = m.astype(np.float32) / np.float32(top)
    elif m.dtype == np.bool_:
        m = m.astype(np.float32)
    else:
        m = np.clip(m.astype(np.float32), 0.0, 1.0)
    if shape is not None and m.shape != tuple(shape):
        raise BadInput(
            f"mask is {m.shape[1]}x{m.shape[0]} but the image is {shape[1]}x{shape[0]}; "
            "a mask must be the same size as its image"
        )
    return np.ascontiguousarray(m, dtype=np.float32)


def load_mask(path: str | Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Read a mask file (any format Packshot reads) as a float32 HxW mask."""
    from .imageio import load_image

    image = load_image(path)
    return as_mask(image.pixels, shape)


def save_mask(mask: np.ndarray, path: str | Path) -> Path:
    """Write a mask as an 8-bit greyscale PNG (atomically)."""
    from .image import from_array
    from .imageio import save_image

    m = as_mask(mask)
    return save_image(from_array(m), path)


def is_empty(mask: np.ndarray | None, threshold: float = 0.5) -> bool:
    """True when no pixel of the mask is selected."""
    return mask is None or not bool((mask > threshold).any())
