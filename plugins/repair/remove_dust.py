"""repair.remove_dust: small spots on smooth areas found and healed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result

from .dust import DETECT_PARAMS, detect_and_heal


class RemoveDust(Operation):
    id = "repair.remove_dust"
    title = "Remove dust and spots"
    family = "repair"
    description = ("Find small spots on smooth areas and heal them (the mask comes back for review); "
                   "with a mask, only spots inside it (the window's spot-heal click).")
    params = DETECT_PARAMS
    inputs = frozenset({"image", "mask"})

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        return detect_and_heal(inputs, params, ctx, heal=True)
