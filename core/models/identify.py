"""What a model file is: architecture, scale and channels as spandrel detects them, or an
ONNX graph's inputs and outputs, and the task it was trained for.

spandrel's ``purpose`` is too coarse to file a network under a task: a Gaussian denoiser
(DnCNN) is "Restoration", like a JPEG clean-up network. The task comes from the
architecture and what it is trained for; ``packshot models install --task`` overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadInput

# spandrel architectures trained for noise removal (DnCNN/FDnCNN, DRUNet, SCUNet).
DENOISERS = frozenset({"DnCNN", "DRUNet", "SCUNet"})
NOUNS = {"upscale": "super-resolution network", "denoise": "denoiser",
         "restore": "restoration network", "inpaint": "inpainting network",
         "cutout": "background-removal network", "text": "text detector"}
FAMILIES = {"upscale": "enhance", "denoise": "enhance", "restore": "enhance",
            "inpaint": "repair", "text": "repair", "cutout": "cutout"}
Shape = tuple[Any, ...]


@dataclass(frozen=True)
class Identity:
    """A model file as its contents show it (``loader`` says which reader understood it)."""

    loader: str
    architecture: str = ""
    title: str = ""
    purpose: str = ""
    scale: int = 1
    channels: int = 0
    tags: tuple[str, ...] = ()
    inputs: tuple[Shape, ...] = ()
    outputs: tuple[Shape, ...] = ()

    @property
    def task(self) -> str:
        """The task it was trained for; empty where the file cannot tell (ONNX)."""
        if self.loader != "spandrel":
            return ""
        if self.purpose == "Inpainting":
            return "inpaint"
        if self.scale > 1:
            return "upscale"
        return "denoise" if self.architecture in DENOISERS else "restore"

    def describe(self, task: str | None = None) -> str:
        """``a 4x RealESRGAN Compact super-resolution network``: for messages."""
        if self.loader == "onnx":
            ins = ", ".join(_shape(s) for s in self.inputs) or "none"
            outs = ", ".join(_shape(s) for s in self.outputs) or "none"
            return f"an ONNX graph (input {ins}; output {outs})"
        task = task or self.task
        size = f"{self.scale}x " if self.scale > 1 else ""
        grey = "one-channel (grey) " if self.channels == 1 else ""
        return f"a {grey}{size}{self.title or self.architecture} {NOUNS.get(task, 'network')}"


def declared(architecture: str, task: str, scale: int = 1) -> str:
    """What a catalogue entry declares, phrased like :meth:`Identity.describe`."""
    size = f"{scale}x " if scale > 1 else ""
    return f"a {size}{architecture} {NOUNS.get(task, 'network')}"


def identify(path: str | Path) -> Identity:
    """Read the file (safely) and say what it is; BadInput where no reader understands it."""
    path = Path(path)
    if path.suffix.lower() == ".onnx":
        return identify_onnx(path)
    from .safe_load import WEIGHT_SUFFIXES, load_spandrel

    if path.suffix.lower() not in WEIGHT_SUFFIXES:
        raise BadInput(f"{path.name}: only {', '.join((*WEIGHT_SUFFIXES, '.onnx'))} files can be "
                       "recognised")
    return from_descriptor(load_spandrel(path))


def from_descriptor(descriptor: Any) -> Identity:
    return Identity("spandrel", descriptor.architecture.id, descriptor.architecture.name,
                    descriptor.purpose, int(descriptor.scale), int(descriptor.input_channels),
                    tuple(descriptor.tags))


def identify_onnx(path: Path) -> Identity:
    """Open the graph with onnxruntime (no session is kept) and read its shapes."""
    from .onnx import open_onnx_session

    session = open_onnx_session(path, "cpu")
    return Identity("onnx", "onnx", inputs=tuple(tuple(i.shape) for i in session.get_inputs()),
                    outputs=tuple(tuple(o.shape) for o in session.get_outputs()))


def image_graph_problem(identity: Identity, task: str) -> str:
    """Why an ONNX graph cannot be a ``task`` (cutout, text) network; empty if it can.

    Both tasks take one RGB batch (N x 3 x H x W) and give a one-channel map (N x 1 x H x W,
    or N x H x W).
    """
    if not identity.inputs or not identity.outputs:
        return "it has no inputs or outputs"
    first = identity.inputs[0]
    if len(first) != 4 or not _fits(first[1], 3):
        return f"its input is {_shape(first)}, not an RGB batch (N x 3 x H x W)"
    out = identity.outputs[0]
    if not (len(out) == 3 or (len(out) == 4 and _fits(out[1], 1))):
        return f"its output is {_shape(out)}, not a one-channel map (N x 1 x H x W)"
    return ""


def fixed_side(identity: Identity) -> int:
    """The input height an ONNX graph fixes, 0 if it is dynamic."""
    side = identity.inputs[0][2] if identity.inputs and len(identity.inputs[0]) == 4 else None
    return side if isinstance(side, int) and side > 0 else 0


def _fits(dim: Any, want: int) -> bool:
    return not isinstance(dim, int) or dim in (want, -1, 0)


def _shape(shape: Shape) -> str:
    return "x".join(str(d) if isinstance(d, int) and d > 0 else "?" for d in shape)
