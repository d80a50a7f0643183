"""Tiny random-weight networks of real architectures, for tests and benchmarks.

Weights cannot be downloaded on build machines, so the real loading path (file -> safe
read -> spandrel detection -> device -> tiled inference) is exercised with small
networks of the same architectures that spandrel re-detects from their state dicts.
"""

from __future__ import annotations

from pathlib import Path

TINY = ("compact", "esrgan", "dncnn")


def tiny_network(kind: str, seed: int = 0):
    """A small torch module: ``compact`` (2x), ``esrgan`` (RRDBNet, 4x) or ``dncnn`` (1x)."""
    import torch

    torch.manual_seed(seed)
    if kind == "compact":
        from spandrel.architectures.Compact import Compact

        return Compact(num_feat=8, num_conv=2, upscale=2, act_type="prelu")
    if kind == "esrgan":
        from spandrel.architectures.ESRGAN import ESRGAN

        return ESRGAN(num_filters=8, num_blocks=1, scale=4)
    if kind == "dncnn":
        from spandrel.architectures.DnCNN import DnCNN

        return DnCNN(in_nc=3, out_nc=3, nc=8, nb=9, act_mode="R")
    raise ValueError(f"unknown tiny network {kind!r}; one of {', '.join(TINY)}")


def save_tiny(kind: str, path: str | Path, seed: int = 0) -> Path:
    """Write a tiny network's state dict as ``.safetensors`` or ``.pth`` (by suffix)."""
    import torch

    path = Path(path)
    state = {k: v.contiguous() for k, v in tiny_network(kind, seed).state_dict().items()}
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(path))
    else:
        torch.save(state, path)
    return path
