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


def apply_lut(pixels: np.ndarray, lut: np.ndarray, *, strength: float = 1.0, device: str = "cpu",
              step: Callable[[float], None] | None = None) -> np.ndarray:
    """Pixels (H, W, 3 or 4) through one table, band by band, in their own type.

    uint8 and uint16 come back at the same depth (rounded once), float stays float 0..1;
    alpha is copied. ``strength`` blends from the input (0) to the table (1): trilinear
    lookup is linear in the table, so the blend is made once, on the table. 8-bit pictures
    on the CPU go through Pillow's ``Color3DLUT`` (trilinear, in C, several times faster);
    the others through torch. ``step(fraction)`` runs before each band, for progress and
    cancellation.
    """
    table = np.clip(np.asarray(lut, np.float32), 0.0, 1.0)
    if strength != 1.0:
        table = identity_lut(table.shape[1]) + np.float32(strength) * (table - identity_lut(table.shape[1]))
    through = _pillow(table) if pixels.dtype == np.uint8 and device == "cpu" else _torch(table, pixels.dtype, device)
    h, w = pixels.shape[:2]
    out = pixels.copy()
    rows = max(1, BAND_PIXELS // max(w, 1))
    for first in range(0, h, rows):
        if step is not None:
            step(first / h)
        out[first:first + rows, :, :3] = through(np.ascontiguousarray(pixels[first:first + rows, :, :3]))
    return out


def _pillow(table: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    from PIL import Image, ImageFilter

    size = table.shape[1]
    lut = ImageFilter.Color3DLUT(size, table.transpose(1, 2, 3, 0).reshape(-1).tolist())  # red fastest
    return lambda band: np.asarray(Image.fromarray(band).filter(lut))


def _torch(table: np.ndarray, dtype: np.dtype, device: str) -> Callable[[np.ndarray], np.ndarray]:
    luts = torch.from_numpy(table).to(device)[None]
    top = 1.0 if dtype.kind == "f" else float(np.iinfo(dtype).max)

    def through(band: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            src = torch.from_numpy(band.astype(np.float32, copy=False)).to(device).reshape(1, -1, 3)
            res = lookup(luts, src / top if top != 1.0 else src).reshape(band.shape)
            if top != 1.0:
                res = res.mul_(top).add_(0.5).to(torch.int32)
            return res.cpu().numpy().astype(dtype, copy=False)

    return through
