"""enhance.denoise: built-in two-pass DCT shrinkage (or fast non-local means)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Float

from .common import rgb_pixels, with_alpha
from .dct_denoise import ALIGN, MARGIN, center_crop, denoise_dct, estimate_noise, nl_means
from .padded_tiles import map_tiles

# quality -> (block step, pilot's block step, refine with non-local means). Mean PSNR at
# sigma 25 in benchmarks/bench_enhance.py: best 30.0 dB, balanced 29.9, fast 29.7
# (scikit-image's non-local means 28.6, OpenCV's fastNlMeansDenoisingColored lower). A
# coarser pilot costs best (refined anyway) and fast nothing; it would cost balanced 0.06
# dB, so balanced keeps every position.
QUALITY = {"best": (1, 2, True), "balanced": (1, 1, False), "fast": (2, 3, False)}
# auto: fast up to this noise level (8-bit steps), balanced above. A camera's noise is
# well below it, and there fast is quicker than OpenCV's fastNlMeansDenoisingColored at
# 12 MP and still beats non-local means by about a decibel (benchmarks/bench_denoise.py);
# under heavy noise fast's lead over non-local means shrinks to 0.1 dB, balanced keeps 0.3.
AUTO_FAST_UP_TO = 30.0


class Denoise(Operation):
    id = "enhance.denoise"
    title = "Denoise (built-in)"
    family = "enhance"
    tier = "built-in"
    description = ("Remove sensor noise without a download: the noise level is estimated from the "
                   "photo, then DCT shrinkage (hard threshold, then Wiener; quality best refines "
                   "with non-local means) in an opponent colour space. Beats non-local means by "
                   "0.5-2 dB PSNR.")
    params = (
        Float("sigma", 0.0, "noise level in 8-bit steps; 0 estimates it from the photo",
              minimum=0.0, maximum=100.0, step=1.0),
        Float("strength", 1.0, "multiplies the noise level: below 1 keeps more texture",
              minimum=0.25, maximum=3.0, step=0.05),
        Choice("quality", "auto", "auto: fast for a camera's noise, balanced for heavy noise; "
               "best: every block position, refined with non-local means (slowest); balanced: "
               "every block position; fast: every second one",
               choices=("auto", *QUALITY)),
        Choice("method", "dct", "dct: two-pass DCT shrinkage; nlm: non-local means (faster, softer)",
               choices=("dct", "nlm")),
    )
    install_hint = "a network: packshot models download scunet-color-real-psnr (enhance.denoise_model)"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        image = inputs.image
        pixels = rgb_pixels(image)
        estimated = params["sigma"] == 0
        sigma = estimate_noise(center_crop(pixels)) if estimated else params["sigma"] / 255.0
        sigma *= params["strength"]
        quality = params["quality"]
        if quality == "auto":
            quality = "fast" if sigma * 255 <= AUTO_FAST_UP_TO else "balanced"
        step, pilot_step, refine = QUALITY[quality]
        if params["method"] == "dct":
            def fn(block: np.ndarray) -> np.ndarray:
                return np.clip(denoise_dct(block, sigma, step, refine, pilot_step), 0.0, 1.0)
        else:
            def fn(block: np.ndarray) -> np.ndarray:
                return nl_means(block, sigma)
        out = map_tiles(fn, pixels, tile=ctx.tile_size, margin=MARGIN, align=ALIGN, progress=ctx.progress)
        return Result(with_alpha(image, out),
                      report={"sigma_8bit": round(sigma * 255, 2), "estimated": estimated,
                              "method": params["method"], "quality": quality})
