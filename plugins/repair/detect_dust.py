"""repair.detect_dust: small spots on smooth areas, as a mask to review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool

from .dust import DETECT_PARAMS, detect_and_heal


class DetectDust(Operation):
    id = "repair.detect_dust"
    title = "Find dust and spots"
    family = "repair"
    description = ("Find small dark or bright spots on smooth areas (backdrop, glossy "
                   "product) and return them as a mask to review; optionally heal them.")
    params = (*DETECT_PARAMS, Bool("heal", False, help="also remove the spots found"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        return detect_and_heal(inputs, params, ctx, heal=params["heal"])
