"""LaMa and MAT through spandrel's masked-image models: the context a network needs around a
hole, and one window filled at the model's working resolution (for repair.inpaint_model)."""

from __future__ import annotations

from typing import Any

import numpy as np

from packshot.core.resample import fit_within, shrink_with_mask

WORKING_SIZE = 512


def model_pad(extent: int) -> int:
    """Context for a network: at least 64 px, else one hole-width on each side."""
    return max(64, extent)


def model_fill(descriptor: Any, rgb: np.ndarray, hole: np.ndarray, working: int, device: str) -> np.ndarray:
    """Fill ``hole`` of one float RGB window with a spandrel MaskedImageModelDescriptor."""
    import cv2
    import torch

    h, w = hole.shape
    small, small_hole = shrink_with_mask(rgb, hole, fit_within(hole.shape, working))
    dtype = next(descriptor.model.parameters()).dtype
    image = torch.from_numpy(np.ascontiguousarray(small.transpose(2, 0, 1)))[None]
    mask = torch.from_numpy(small_hole.astype(np.float32))[None, None]
    image = image * (1.0 - mask)
    with torch.inference_mode():
        out = descriptor(image.to(device, dtype), mask.to(device, dtype))
    filled = out[0].float().cpu().numpy().transpose(1, 2, 0)
    if small_hole.shape != hole.shape:
        filled = cv2.resize(filled, (w, h), interpolation=cv2.INTER_CUBIC)
    result = rgb.astype(np.float32, copy=True)
    result[hole] = np.clip(filled[hole], 0.0, 1.0)
    return result
