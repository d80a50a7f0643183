"""enhance.denoise_model: denoise with an installed restoration network."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float, Text

from .common import AUTO
from .restoration import run_restoration


class DenoiseModel(Operation):
    id = "enhance.denoise_model"
    title = "Denoise (model)"
    family = "enhance"
    tier = "model"
    uses_gpu = True
    description = ("Denoise with an installed restoration network (SCUNet, DnCNN, FDnCNN, NAFNet, "
                   "...). FDnCNN takes the noise level as an input: set noise_level, or 0 to "
                   "estimate it from the photo.")
    params = (
        Text("model", AUTO, "model name from 'packshot models list', or auto"),
        Float("noise_level", 0.0, "FDnCNN only: noise level in 8-bit steps; 0 estimates it",
              minimum=0.0, maximum=100.0, step=1.0),
    )
    models = ("scunet-color-real-psnr", "fdncnn-color", "dncnn-color-blind", "dncnn-25")
    install_hint = "packshot models download scunet-color-real-psnr"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        return run_restoration(self, inputs, params, ctx, "denoise")
