"""Using a trained look: read it safely, pick the picture's table, run the full picture through it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from ..errors import BadInput
from .lut import apply_lut
from .network import LookConfig, LookNet, thumbnails
from .pairs import TRAIN_SIDE, shrink


class Look:
    """A look network ready to apply; tables are chosen per picture."""

    def __init__(self, net: LookNet, device: str = "cpu") -> None:
        self.net = net.to(device).eval()
        self.device = device

    @classmethod
    def read(cls, weights: Path, config: LookConfig, device: str = "cpu") -> Look:
        """Load ``look.safetensors`` (tensors only, nothing unpickled) into a network of ``config``."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        net = LookNet(config)
        try:
            net.load_state_dict(load_file(str(weights)))
        except (OSError, SafetensorError, RuntimeError, ValueError) as exc:
            raise BadInput(f"{weights}: not a look of this shape ({' '.join(str(exc).split())[:200]})") from exc
        return cls(net, device)

    def table(self, pixels: np.ndarray) -> np.ndarray:
        """The (3, S, S, S) table for this picture (any size, uint or float, RGB or RGBA)."""
        small = shrink(np.ascontiguousarray(pixels[..., :3]), TRAIN_SIDE).astype(np.float32) / _top(pixels)
        with torch.inference_mode():
            batch = torch.from_numpy(small).permute(2, 0, 1)[None].to(self.device)
            return self.net.blended(thumbnails(batch, self.net.config.thumb))[0].cpu().numpy()

    def apply(self, pixels: np.ndarray, strength: float = 1.0,
              step: Callable[[float], None] | None = None) -> np.ndarray:
        """The picture through its table, at full size and in its own type."""
        return apply_lut(pixels, self.table(pixels), strength=strength, device=self.device, step=step)


def _top(pixels: np.ndarray) -> float:
    return 1.0 if pixels.dtype.kind == "f" else float(np.iinfo(pixels.dtype).max)
