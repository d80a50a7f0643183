"""Match a whole image's colour to a reference shot, for a consistent catalogue.

``lab_statistics`` moves each Lab channel's mean and spread onto the reference's
(Reinhard et al. 2001), a global change that keeps the picture's own structure;
``histogram`` matches each Lab channel's full distribution by quantile mapping (what
scikit-image's ``match_histograms`` does, fitted once on samples here so that it can be
applied band by band to a large image), stronger but it can posterise a very different scene.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import Image
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Float

from .colour_math import delta_e2000, lab_to_rgb, rgb_to_lab
from .pixelwise import map_pixels

SAMPLE_PIXELS = 1 << 18


def lab_sample(image: Image) -> np.ndarray:
    """Lab of (an even subsample of) the image's visible pixels, N x 3."""
    rgb, alpha = image.rgb(), image.alpha()
    pixels = rgb[alpha >= 0.5] if alpha is not None else rgb.reshape(-1, 3)
    if len(pixels) == 0:
        raise BadInput("colour.match_reference: the image is fully transparent")
    return rgb_to_lab(pixels[:: max(1, len(pixels) // SAMPLE_PIXELS)])


def mean_colour_delta_e(a: np.ndarray, b: np.ndarray) -> float:
    return float(delta_e2000(a.mean(axis=0), b.mean(axis=0)))


class MatchReference(Operation):
    id = "colour.match_reference"
    title = "Match colour to a reference shot"
    family = "colour"
    description = "Give this image the colour balance, brightness and contrast of a reference image."
    inputs = frozenset({"image", "reference"})
    reference_required = True
    params = (
        Choice("method", "lab_statistics", choices=("lab_statistics", "histogram"),
               help="lab_statistics: match Lab means and spreads; histogram: match full Lab histograms"),
        Float("strength", 1.0, minimum=0.0, maximum=1.0, step=0.05, help="0 keeps the image, 1 matches fully"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "measuring both images")
        source = lab_sample(inputs.image)
        assert inputs.reference is not None  # reference_required: check_inputs refuses a run without one
        reference = lab_sample(inputs.reference)
        strength = params["strength"]
        if params["method"] == "histogram":
            transform = _histogram_transform(source, reference)
        else:
            transform = _statistics_transform(source, reference)

        def apply(rgb: np.ndarray, _: slice) -> np.ndarray:
            lab = rgb_to_lab(rgb)
            return lab_to_rgb(lab + strength * (transform(lab) - lab)).astype(np.float32)

        image = map_pixels(inputs.image, apply, ctx, "matching colour", 0.2)
        after = lab_sample(image)
        report = {"method": params["method"],
                  "mean_delta_e2000_before": round(mean_colour_delta_e(source, reference), 2),
                  "mean_delta_e2000_after": round(mean_colour_delta_e(after, reference), 2)}
        return Result(image, report=report, message=f"mean colour ΔE2000 {report['mean_delta_e2000_before']}"
                                                     f" -> {report['mean_delta_e2000_after']}")


def _statistics_transform(source: np.ndarray, reference: np.ndarray):
    mu_s, sd_s = source.mean(axis=0), np.maximum(source.std(axis=0), 1e-6)
    mu_r, sd_r = reference.mean(axis=0), reference.std(axis=0)
    return lambda lab: (lab - mu_s) / sd_s * sd_r + mu_r


def _histogram_transform(source: np.ndarray, reference: np.ndarray):
    """Per-channel quantile mapping, fitted on the samples and applied to any pixel."""
    qs = np.linspace(0, 100, 257)
    src_q = np.percentile(source, qs, axis=0)
    ref_q = np.percentile(reference, qs, axis=0)

    def transform(lab: np.ndarray) -> np.ndarray:
        out = np.empty_like(lab)
        for c in range(3):
            xp, idx = np.unique(src_q[:, c], return_index=True)
            out[..., c] = np.interp(lab[..., c], xp, ref_q[idx, c])
        return out

    return transform
