"""enhance.restore: JPEG artefacts and blur, through spandrel restoration networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Text

from .common import AUTO
from .restoration import run_restoration


class RestoreModel(Operation):
    id = "enhance.restore"
    title = "Restore JPEG artefacts / blur (model)"
    family = "enhance"
    tier = "model"
    uses_gpu = True
    description = ("Remove JPEG blocking and ringing, or deblur, with an installed restoration "
                   "network (FBCNN for JPEG, NAFNet/SCUNet and others spandrel recognises).")
    params = (Text("model", AUTO, "model name from 'packshot models list', or auto"),)
    models = ("fbcnn-color",)
    install_hint = "packshot models download fbcnn-color"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        return run_restoration(self, inputs, params, ctx, "restore")
