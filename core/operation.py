"""What a plugin contributes: an Operation, its Inputs and its Result.

Operations are pure: the same inputs, params and seed give the same output. They touch
no files, no Qt and no global state; everything they may use arrives in the Context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import numpy as np

from .errors import BadInput
from .image import Image
from .params import Param, validate

if TYPE_CHECKING:
    from .context import Context

FAMILIES = ("generate", "repair", "enhance", "colour", "cutout", "other")
TIERS = ("built-in", "model")
INPUT_KINDS = ("image", "mask", "reference", "prompt")


@dataclass(frozen=True)
class Inputs:
    """Everything an operation reads besides its params."""

    image: Image
    mask: np.ndarray | None = None
    reference: Image | None = None
    prompt: str | None = None


class ReplayStep(TypedDict):
    """The recipe step (operation id and its parameters) recorded in place of the one that ran."""

    op: str
    params: dict[str, Any]


@dataclass
class Result:
    """What an operation returns.

    ``image`` is the edited picture. ``mask`` is a mask the operation produced (a
    cut-out's alpha, detected dust) that a person can reuse. ``report`` holds figures
    worth showing (ΔE before/after, spots found). ``replay`` is a recipe step the
    operation wants recorded instead of itself: a calibration that measured a chart
    once records the correction it fitted, so a batch replays the correction.
    """

    image: Image
    mask: np.ndarray | None = None
    report: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    replay: ReplayStep | None = None


class Operation:
    """Base class for operations. Subclasses set the class attributes and ``run``.

    ``family`` groups it in the desktop; ``tier`` says whether it needs model weights;
    ``inputs`` lists what it reads beyond the image ("mask", "reference", "prompt");
    ``mask_required`` says a mask is mandatory rather than optional; ``uses_gpu`` sends it
    through the single GPU queue; ``uses_seed`` says its result depends on ``ctx.seed`` /
    ``ctx.rng`` (the desktop shows a Seed field only then); ``models`` names catalogue
    entries it can use, and ``install_hint`` tells a person what to install for the better tier.
    ``cheap`` declares that it runs in a few milliseconds on a screen-sized picture (a
    per-pixel colour change, not a model or a search): the window then previews it live
    while a slider moves, on a proxy of the step's input, and heavy ones wait for Run.
    """

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    family: ClassVar[str] = "other"
    tier: ClassVar[str] = "built-in"
    description: ClassVar[str] = ""
    params: ClassVar[Sequence[Param]] = ()
    inputs: ClassVar[frozenset[str]] = frozenset({"image"})
    mask_required: ClassVar[bool] = False
    reference_required: ClassVar[bool] = False
    prompt_required: ClassVar[bool] = False
    uses_gpu: ClassVar[bool] = False
    cheap: ClassVar[bool] = False
    uses_seed: ClassVar[bool] = False
    models: ClassVar[Sequence[str]] = ()
    install_hint: ClassVar[str] = ""

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers

    def validate(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        return validate(self.params, params, where=self.id)

    def check_inputs(self, inputs: Inputs) -> None:
        """Clear errors for missing or mismatched inputs, before any work starts."""
        shape = inputs.image.pixels.shape[:2]
        if self.mask_required and inputs.mask is None:
            raise BadInput(f"{self.id} needs a mask (paint one, or pass --mask FILE)")
        if inputs.mask is not None:
            if "mask" not in self.inputs:
                raise BadInput(f"{self.id} does not take a mask")
            if inputs.mask.shape != shape:
                raise BadInput(
                    f"{self.id}: mask is {inputs.mask.shape[1]}x{inputs.mask.shape[0]}, "
                    f"image is {shape[1]}x{shape[0]}; they must match"
                )
        if self.reference_required and inputs.reference is None:
            raise BadInput(f"{self.id} needs a reference image (--reference FILE)")
        if self.prompt_required and not (inputs.prompt or "").strip():
            raise BadInput(f"{self.id} needs a prompt (--prompt TEXT)")

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description for ``packshot ops --json`` and the docs."""
        return {
            "id": self.id, "title": self.title, "family": self.family, "tier": self.tier,
            "description": self.description, "inputs": sorted(self.inputs),
            "mask_required": self.mask_required, "uses_gpu": self.uses_gpu, "cheap": self.cheap,
            "uses_seed": self.uses_seed,
            "models": list(self.models), "install_hint": self.install_hint,
            "params": [p.describe() for p in self.params],
        }

    def __repr__(self) -> str:
        return f"<Operation {self.id}>"
