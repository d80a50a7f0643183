"""enhance.deblock: a built-in JPEG clean-up, no download.

It treats JPEG's quantisation error as noise whose level follows the quality
the file was saved with (6 % of the quality's distance from 100, in 0..1 units, fitted on
skimage photographs at qualities 10-90) and removes it with the DCT denoiser. It gains
0.1-0.7 dB PSNR against the JPEG itself; a network does far more.

The denoiser runs at its cheap setting: every second block, a pilot from every third,
no non-local-means refinement. Over JPEG qualities 10-90 the refinement added 0.03 dB on
the photos the noise level was fitted on (astronaut, coffee, chelsea, rocket) and lost
0.04 dB on nine others, at five times the time (``benchmarks/bench_enhance.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Int

from .common import rgb_pixels, with_alpha
from .dct_denoise import ALIGN, MARGIN, denoise_dct
from .padded_tiles import map_tiles

JPEG_NOISE_PER_QUALITY = 0.06
# Below quality 25 JPEG's quantisation steps grow as 5000/quality, faster than the line
# above: the noise level gains this share per quality step under 25 (fitted with the
# cheap setting on the same four photos: 1.45x at quality 10).
LOW_QUALITY_BOOST = 0.03
LOW_QUALITY = 25
# denoise_dct's block step and pilot block step (see the docstring); no refinement.
STEP, PILOT_STEP = 2, 3


def jpeg_noise(quality: int) -> float:
    """The noise level (0..1 units) of a JPEG saved at ``quality``."""
    boost = 1 + LOW_QUALITY_BOOST * max(0, LOW_QUALITY - quality)
    return (100 - quality) / 100 * JPEG_NOISE_PER_QUALITY * boost


class RestoreJpeg(Operation):
    id = "enhance.deblock"
    title = "Reduce JPEG artefacts (built-in)"
    family = "enhance"
    tier = "built-in"
    description = ("Soften JPEG blocking and ringing without a download, by DCT shrinkage tuned to "
                   "the quality the file was saved with. A modest, measured gain; for heavy "
                   "artefacts install a network and use enhance.restore.")
    params = (Int("jpeg_quality", 50, "the JPEG quality the photo was saved with (lower = stronger "
                                      "clean-up)", minimum=5, maximum=95),)
    install_hint = "better: packshot models download fbcnn-color (enhance.restore)"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        image = inputs.image
        sigma = jpeg_noise(params["jpeg_quality"])
        out = map_tiles(lambda b: np.clip(denoise_dct(b, sigma, STEP, False, PILOT_STEP), 0.0, 1.0),
                        rgb_pixels(image), tile=ctx.tile_size, margin=MARGIN, align=ALIGN,
                        progress=ctx.progress)
        return Result(with_alpha(image, out), report={"sigma_8bit": round(sigma * 255, 2)})
