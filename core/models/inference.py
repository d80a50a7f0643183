"""Running an image-to-image network (a spandrel descriptor) over a whole image.

Tiles keep memory bounded; progress is reported and cancellation checked per tile;
out-of-memory on the GPU retries with smaller tiles, then on the CPU, with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..resample import resize
from .devices import resolve_device, run_with_fallback, use_half
from .tiling import tiled_apply

if TYPE_CHECKING:
    from ..context import Context

DEFAULT_OVERLAP = 16


class ImageNetwork(Protocol):
    """What runs here: a spandrel ``ImageModelDescriptor`` (or any model that behaves as one)."""

    scale: int
    input_channels: int

    def __call__(self, image: Any) -> Any: ...

    def to(self, device: Any) -> Any: ...

    def half(self) -> Any: ...

    def float(self) -> Any: ...


@dataclass
class InferenceRun:
    """The output pixels (the input's dtype) and how they were made."""

    pixels: np.ndarray
    device: str
    tile: int
    notes: list[str] = field(default_factory=list)


def run_image_model(descriptor: ImageNetwork, pixels: np.ndarray, ctx: Context, *, tile: int | None = None,
                    overlap: int = DEFAULT_OVERLAP, scale: int | None = None,
                    call: Callable[[Any], Any] | None = None) -> InferenceRun:
    """Run ``descriptor`` on RGB ``pixels`` (HxWx3 uint8/uint16/float32), tile by tile.

    ``scale`` other than the network's own resizes each tile's result (area when
    shrinking, Lanczos when enlarging), so a 4x network asked for 2x never holds a 4x
    image. A one-channel network runs on each colour channel in turn. ``call(tensor)``
    replaces ``descriptor(tensor)`` where an operation feeds the network more than the
    image (FDnCNN's noise-level map); it receives a 1xCxHxW tensor on the model's device.
    """
    import torch

    device = resolve_device(ctx.device)
    tile = int(tile or ctx.tile_size)
    progress = ctx.progress
    native = int(descriptor.scale)
    scale = int(scale or native)
    per_channel = int(descriptor.input_channels) == 1
    forward = call or descriptor
    notes: list[str] = []
    used: dict[str, Any] = {}

    def run(dev: str, size: int) -> np.ndarray:
        used.update(device=dev, tile=size)
        descriptor.to(dev)
        descriptor.half() if use_half(descriptor, dev) else descriptor.float()
        dtype = torch.float16 if use_half(descriptor, dev) else torch.float32

        def infer(block: np.ndarray) -> np.ndarray:
            planes = [block[..., c:c + 1] for c in range(block.shape[2])] if per_channel else [block]
            outs = []
            for plane in planes:
                t = torch.from_numpy(np.ascontiguousarray(plane.transpose(2, 0, 1)))[None]
                with torch.inference_mode():
                    out = forward(t.to(device=dev, dtype=dtype))[0].float().clamp(0, 1)
                outs.append(out.cpu().numpy().transpose(1, 2, 0))
            result = np.concatenate(outs, axis=2)
            if scale != native:
                result = resize(result, (block.shape[1] * scale, block.shape[0] * scale))
            return result

        return tiled_apply(infer, pixels, scale=scale, tile=size, overlap=overlap, progress=progress)

    def notify(message: str) -> None:
        notes.append(message)
        if progress is not None:
            progress(0.0, message)

    out = run_with_fallback(run, device, tile, notify)
    return InferenceRun(out, used["device"], used["tile"], notes)

