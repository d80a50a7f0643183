"""The vintage film look: faded blacks, a warm cast, film grain and a vignette."""

from __future__ import annotations

import numpy as np

from packshot import Float, Inputs, Operation, Result

# Rec. 709 luma weights: grain and fade act on brightness, as on a print.
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)


class FilmLook(Operation):
    """Each effect is a parameter at 0 = off, so a person can dial in only what they want.

    The grain is drawn for the whole frame from the job's seeded RNG before the image is
    processed strip by strip, so the same seed gives the same grain whatever the tile size.
    """

    id = "vintage.film_look"
    title = "Vintage film look"
    family = "colour"
    description = "Faded blacks, a warm (or cool) cast, film grain and a vignette, like an old print."
    uses_seed = True  # the grain comes from the job's seeded RNG: the window shows a Seed field
    params = (
        Float("fade", 0.35, minimum=0.0, maximum=1.0, step=0.05,
              help="lift the blacks, soften the whites and mute the colours"),
        Float("warmth", 0.4, minimum=-1.0, maximum=1.0, step=0.05,
              help="orange cast (positive) or blue cast (negative)"),
        Float("grain", 0.3, minimum=0.0, maximum=1.0, step=0.05, help="film grain strength"),
        Float("grain_size", 1.2, minimum=0.5, maximum=4.0, step=0.1, unit="px",
              help="size of the grain clumps"),
        Float("vignette", 0.3, minimum=0.0, maximum=1.0, step=0.05, help="darken the corners"),
    )

    def run(self, inputs: Inputs, params, ctx) -> Result:
        image = inputs.image
        rgb = image.rgb()
        height, width = rgb.shape[:2]
        grain = _grain_field(height, width, params["grain_size"], ctx.rng) if params["grain"] > 0 else None
        ctx.progress(0.1, "grain")
        out = np.empty_like(rgb)
        rows = max(1, int(ctx.tile_size))
        starts = range(0, height, rows)
        for i, y0 in enumerate(starts):
            ctx.progress(0.1 + 0.9 * i / len(starts), "film look")
            y1 = min(y0 + rows, height)
            out[y0:y1] = _strip(rgb[y0:y1], y0, height, width, params,
                                None if grain is None else grain[y0:y1])
        return Result(image.with_float(out), report=_report(rgb, out))


def _grain_field(height: int, width: int, size: float, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance noise clumped to ``size`` pixels (a Gaussian blur, renormalised)."""
    from scipy.ndimage import gaussian_filter

    noise = rng.standard_normal((height, width), dtype=np.float32)
    clumped = gaussian_filter(noise, sigma=size, mode="reflect")
    return clumped / max(float(clumped.std()), 1e-6)


def _strip(rgb: np.ndarray, y0: int, height: int, width: int, params, grain) -> np.ndarray:
    w = params["warmth"]
    out = rgb * np.array([1 + 0.12 * w, 1 + 0.03 * w, 1 - 0.15 * w], np.float32)
    fade = params["fade"]
    if fade:
        luma = out @ LUMA
        out = luma[..., None] + (1 - 0.35 * fade) * (out - luma[..., None])
        out = 0.22 * fade + (1 - 0.22 * fade - 0.07 * fade) * out
    if params["vignette"]:
        out = out * _vignette(y0, out.shape[0], height, width, params["vignette"])[..., None]
    if grain is not None:
        luma = np.clip(out @ LUMA, 0, 1)
        amplitude = 0.08 * params["grain"] * (0.3 + 0.7 * 4 * luma * (1 - luma))
        out = out + (amplitude * grain)[..., None]
    return np.clip(out, 0, 1)


def _vignette(y0: int, rows: int, height: int, width: int, strength: float) -> np.ndarray:
    """Brightness factor: 1 in the middle, down to ``1 - 0.6 * strength`` in the corners."""
    y = (np.arange(y0, y0 + rows, dtype=np.float32) + 0.5) / height * 2 - 1
    x = (np.arange(width, dtype=np.float32) + 0.5) / width * 2 - 1
    r = np.sqrt(y[:, None] ** 2 + x[None, :] ** 2) / np.sqrt(2)
    t = np.clip((r - 0.35) / 0.65, 0, 1)
    return 1 - 0.6 * strength * t * t * (3 - 2 * t)


def _report(before: np.ndarray, after: np.ndarray) -> dict[str, float]:
    """Figures a person can check: how far the blacks were lifted and the cast added."""
    lb, la = before @ LUMA, after @ LUMA
    return {"black_point_before": round(float(np.percentile(lb, 1)), 4),
            "black_point_after": round(float(np.percentile(la, 1)), 4),
            "red_blue_ratio": round(float(after[..., 0].mean() / max(after[..., 2].mean(), 1e-6)), 4)}
