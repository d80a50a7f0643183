"""3D lookup tables: the identity table and trilinear lookup, for training and full resolution.

A table has shape (3, S, S, S): output channel, then the blue, green and red input axes,
the layout ``torch.nn.functional.grid_sample`` reads (its x, y, z are red, green, blue).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

BAND_PIXELS = 1 << 22  # about four megapixels per band: bounded memory, a cancel point each


def identity_lut(size: int) -> np.ndarray:
    """The table that changes nothing."""
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)
    b, g, r = np.meshgrid(ramp, ramp, ramp, indexing="ij")
    return np.stack([r, g, b])


def lookup(luts: torch.Tensor, rgb: torch.Tensor) -> torch.Tensor:
    """Trilinear lookup of N colour lists (N, P, 3) in 0..1 through N tables (N, 3, S, S, S).

    Differentiable in both the tables and the colours; colours outside 0..1 take the edge.
    """
    grid = (rgb * 2.0 - 1.0).view(rgb.shape[0], 1, 1, rgb.shape[1], 3)
    out = F.grid_sample(luts, grid, mode="bilinear", padding_mode="border", align_corners=True)
    return out.view(luts.shape[0], 3, rgb.shape[1]).transpose(1, 2)


def apply_lut(pixels: np.ndarray, lut: np.ndarray | torch.Tensor, *, strength: float = 1.0,
              device: str = "cpu", step: Callable[[float], None] | None = None) -> np.ndarray:
    """Pixels (H, W, 3 or 4) through one table, band by band, in their own type.

    uint8 and uint16 come back at the same depth (rounded once, at the end), float stays
    float 0..1; alpha is copied. ``strength`` blends from the input (0) to the table (1);
    ``step(fraction)`` is called before each band, for progress and cancellation.
    """
    table = torch.as_tensor(lut, dtype=torch.float32, device=device)[None]
    top = 1.0 if pixels.dtype.kind == "f" else float(np.iinfo(pixels.dtype).max)
    h, w = pixels.shape[:2]
    out = pixels.copy()
    rows = max(1, BAND_PIXELS // max(w, 1))
    with torch.inference_mode():
        for first in range(0, h, rows):
            if step is not None:
                step(first / h)
            band = np.ascontiguousarray(pixels[first:first + rows, :, :3])
            src = torch.from_numpy(band.astype(np.float32) if top != 1.0 else band).to(device)
            src = src.reshape(1, -1, 3) / top
            res = lookup(table, src).clamp_(0.0, 1.0)
            if strength != 1.0:
                res = src + strength * (res - src)
            res = res.reshape(band.shape)
            if top == 1.0:
                out[first:first + rows, :, :3] = res.cpu().numpy()
            else:
                res = res.mul_(top).add_(0.5).to(torch.int32)
                out[first:first + rows, :, :3] = res.cpu().numpy()
    return out
