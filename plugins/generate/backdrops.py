"""Procedural studio backdrops: solid, gradients, a lit seamless sweep, and textures.

Everything is float32 RGB 0..1, any size, and seeded: the same parameters and seed give
the same backdrop, so a catalogue shot next week matches this week's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .noise import fractal_noise

STYLES = ("solid", "linear", "radial", "sweep", "paper", "concrete", "linen", "marble", "wood")


@dataclass(frozen=True)
class BackdropSpec:
    style: str = "sweep"
    colour: tuple[float, float, float] = (0.94, 0.94, 0.94)
    colour2: tuple[float, float, float] = (0.75, 0.75, 0.77)
    angle: float = 90.0  # gradient direction in degrees, 90 = top to bottom
    falloff: float = 0.25  # sweep: how much the light drops away from its centre
    vignette: float = 0.15
    horizon: float = 0.55  # sweep: where the wall curves into the floor (share of height)
    scale: float = 1.0  # texture feature size
    contrast: float = 1.0  # texture strength


def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    return y, x


def _mix(a, b, t: np.ndarray) -> np.ndarray:
    """a + (b - a) * t per channel (one channel at a time: numpy is slow on 3-wide inner loops)."""
    out = np.empty((*t.shape, 3), np.float32)
    t = t.astype(np.float32, copy=False)
    for c in range(3):
        out[..., c] = np.float32(a[c]) + np.float32(b[c] - a[c]) * t
    return out


def _vignette(height: int, width: int, amount: float) -> np.ndarray:
    y, x = _grid(height, width)
    r2 = ((x - 0.5) * 2) ** 2 + ((y - 0.5) * 2) ** 2
    return (1 - amount * np.clip(r2 / 2, 0, 1) ** 1.5).astype(np.float32)


def render_backdrop(height: int, width: int, spec: BackdropSpec, rng: np.random.Generator) -> np.ndarray:
    style = spec.style
    y, x = _grid(height, width)
    if style == "solid":
        out = np.broadcast_to(np.asarray(spec.colour, np.float32), (height, width, 3)).copy()
    elif style == "linear":
        a = float(np.deg2rad(spec.angle))
        t = (x - 0.5) * np.float32(np.cos(a)) + (y - 0.5) * np.float32(np.sin(a))
        span = float(abs(np.cos(a)) + abs(np.sin(a))) / 2
        out = _mix(spec.colour, spec.colour2, np.clip(t / span * 0.5 + 0.5, 0, 1))
    elif style == "radial":
        r = np.sqrt(((x - 0.5) * 2) ** 2 + ((y - 0.45) * 2) ** 2) / float(np.sqrt(2))
        out = _mix(spec.colour, spec.colour2, np.clip(r, 0, 1) ** 1.2)
    elif style == "sweep":
        out = _sweep(height, width, spec)
    else:
        out = _texture(height, width, spec, rng)
    if spec.vignette > 0 and style != "solid":
        out *= _vignette(height, width, spec.vignette)[..., None]
    out = out.astype(np.float32, copy=False)
    return np.clip(out, 0, 1, out=out)


def _sweep(height: int, width: int, spec: BackdropSpec) -> np.ndarray:
    """A paper sweep: a wall lit from above that curves into the floor, light falling off."""
    y, x = _grid(height, width)
    h = spec.horizon
    # Brightness along the sweep: the wall darkens upwards, the curve catches the light.
    wall = 1 - spec.falloff * np.clip((h - y) / max(h, 1e-3), 0, 1) ** 2
    floor = 1 - 0.5 * spec.falloff * np.clip((y - h) / max(1 - h, 1e-3), 0, 1)
    light = np.where(y < h, wall, floor) * (1 - spec.falloff * ((x - 0.5) * 2) ** 2 * 0.6)
    tone = _mix(spec.colour, spec.colour2, np.clip((y - h) / max(1 - h, 1e-3), 0, 1) * 0.35)
    return tone * light[..., None]


def _texture(height: int, width: int, spec: BackdropSpec, rng: np.random.Generator) -> np.ndarray:
    s, c = spec.scale, spec.contrast
    y, x = _grid(height, width)
    aspect = width / height
    if spec.style == "paper":
        t = 0.025 * fractal_noise(height, width, rng, scale=0.02 * s, octaves=3) + \
            0.015 * fractal_noise(height, width, rng, scale=0.3 * s, octaves=3)
    elif spec.style == "concrete":
        t = 0.07 * fractal_noise(height, width, rng, scale=0.4 * s, octaves=7, persistence=0.6)
        t += 0.04 * (rng.random((height, width), dtype=np.float32) > 0.997)
        t -= 0.03 * np.clip(fractal_noise(height, width, rng, scale=0.01 * s, octaves=2) - 2.0, 0, None)
    elif spec.style == "linen":
        period = 5.0 * s  # pixels per thread
        warp = 0.1 * fractal_noise(height, width, rng, scale=0.3 * s, octaves=2)
        yy, xx = y * (height - 1), x * (width - 1)
        weave = np.sin(2 * np.pi * (xx / period + warp)) * np.sin(2 * np.pi * (yy / period - warp))
        slubs = fractal_noise(height, width, rng, scale=0.15 * s, octaves=4, anisotropy=6)
        t = 0.05 * weave + 0.035 * slubs
    elif spec.style == "marble":
        turb = fractal_noise(height, width, rng, scale=0.5 * s, octaves=6, persistence=0.55)
        veins = np.abs(np.sin(np.pi * ((x * aspect * 0.6 + y) * 2.5 / s + 0.3 * turb)))
        clouds = fractal_noise(height, width, rng, scale=0.3 * s, octaves=4)
        t = -0.3 * (1 - veins) ** 12 - 0.12 * (1 - veins) ** 3 * np.clip(clouds, 0, None) + 0.025 * clouds
    else:  # wood
        turb = fractal_noise(height, width, rng, scale=0.6 * s, octaves=4)
        stretch = fractal_noise(height, width, rng, scale=0.15 * s, octaves=3, anisotropy=8)
        rings = np.sin(2 * np.pi * (y * 12 / s + 0.5 * turb + 0.15 * stretch))
        t = 0.12 * rings + 0.05 * stretch
        return np.clip(_mix(spec.colour2, spec.colour, np.clip(0.5 + c * t * 3, 0, 1)), 0, 1)
    return _mix((0.0, 0.0, 0.0), spec.colour, (1 + c * t).astype(np.float32, copy=False))
