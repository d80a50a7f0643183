"""The look network: basis 3D LUTs and the tiny CNN that weighs them per picture.

After Zeng et al. (TPAMI 2020): the CNN sees a small square copy of the picture and
predicts one weight per basis table; the picture goes through the weighted sum of the
tables. Unlike the paper, which starts from the identity and zero tables and trains for
hundreds of thousands of steps, a look here learns from a few dozen pairs in a few
hundred steps, so it starts where the answer is likely to be: the first table is the
best single table for all the pairs (the global baseline), and the next ones are the
changes that base table would make to a shot a step brighter, redder or bluer (the
errors a studio evens out), so the CNN only has to learn how much of each a picture
needs. The CNN ends in global pooling, which generalises from few pairs where the
paper's fully connected head needs thousands.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .lut import apply_lut, identity_lut


@dataclass(frozen=True)
class LookConfig:
    """The network's shape; saved with every look so it can be rebuilt."""

    luts: int = 4
    lut_size: int = 17
    thumb: int = 32
    width: int = 16

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LookConfig:
        return cls(**{k: int(data[k]) for k in ("luts", "lut_size", "thumb", "width")})


def thumbnails(rgb: torch.Tensor, side: int) -> torch.Tensor:
    """(N, 3, H, W) pictures as the (N, 3, side, side) copies the CNN sees."""
    return F.interpolate(rgb, size=(side, side), mode="area")


# Linear-light gains: a third of a stop brighter, 10 % redder, 10 % bluer, then the opposites
# (with more tables, a blend follows the curvature of the correction, not only its slope).
SHOT_ERRORS = ((1.26, 1.26, 1.26), (1.1, 1.0, 1.0), (1.0, 1.0, 1.1),
               (0.79, 0.79, 0.79), (0.91, 1.0, 1.0), (1.0, 1.0, 0.91))


def directions(base: np.ndarray) -> list[np.ndarray]:
    """What ``base`` changes by for shots with each of the ``SHOT_ERRORS``."""
    grid = identity_lut(base.shape[1]).transpose(1, 2, 3, 0)
    lin = np.where(grid <= 0.04045, grid / 12.92, ((grid + 0.055) / 1.055) ** 2.4)
    out = []
    for gains in SHOT_ERRORS:
        shot = np.clip(lin * np.asarray(gains, np.float32), 0.0, 1.0)
        shot = np.where(shot <= 0.0031308, shot * 12.92, 1.055 * shot ** (1 / 2.4) - 0.055)
        moved = apply_lut(shot.astype(np.float32), base).transpose(3, 0, 1, 2)
        out.append((moved - base).astype(np.float32))
    return out


class LookNet(nn.Module):
    def __init__(self, config: LookConfig, base: np.ndarray | None = None) -> None:
        super().__init__()
        self.config = config
        w, s = config.width, config.lut_size
        layers: list[nn.Module] = []
        channels = 3
        for out in (w, 2 * w, 4 * w, 4 * w):
            layers += [nn.Conv2d(channels, out, 3, stride=2, padding=1), nn.LeakyReLU(0.2)]
            channels = out
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(2 * channels + 3, config.luts)
        luts = torch.zeros(config.luts, 3, s, s, s)
        start = identity_lut(s) if base is None else base
        for k, table in enumerate([start, *directions(start)][: config.luts]):
            luts[k] = torch.from_numpy(table)
        self.luts = nn.Parameter(luts)
        with torch.no_grad():
            self.head.weight.mul_(0.1)
            self.head.bias.zero_()
            self.head.bias[0] = 1.0

    def weights(self, thumbs: torch.Tensor) -> torch.Tensor:
        """(N, luts) blend weights for (N, 3, thumb, thumb) pictures."""
        logs = torch.log(thumbs + 1.0 / 64)  # exposure and casts become offsets
        f = self.features(logs)
        return self.head(torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3)), logs.mean(dim=(2, 3))], dim=1))

    def blended(self, thumbs: torch.Tensor) -> torch.Tensor:
        """One (3, S, S, S) table per picture: (N, 3, S, S, S)."""
        return torch.einsum("nk,kcdhw->ncdhw", self.weights(thumbs), self.luts)



def regularisers(tables: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Smoothness (squared steps between neighbouring nodes) and monotonicity (steps down)
    of the tables pictures actually go through (N, 3, S, S, S), not of the basis, whose
    later members are changes and may fall."""
    smooth = falling = torch.zeros((), device=tables.device)
    for axis, channel in ((4, 0), (3, 1), (2, 2)):  # red, green, blue input axes
        step = torch.diff(tables, dim=axis)
        smooth = smooth + step.pow(2).mean()
        falling = falling + F.relu(-step[:, channel]).mean()
    return smooth, falling
