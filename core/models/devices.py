"""Choosing the torch device and precision, and surviving out-of-memory.

``auto`` takes CUDA, then Apple's MPS, then the CPU. fp16 is used on CUDA only where
spandrel says the architecture supports it. Running out of GPU memory retries with
smaller tiles, then on the CPU, and says so instead of crashing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..errors import BadParameter

T = TypeVar("T")
MIN_TILE = 128


def resolve_device(preference: str = "auto") -> str:
    """``cuda``, ``mps`` or ``cpu`` for a preference (``auto`` or one of them)."""
    import torch

    pref = (preference or "auto").lower()
    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if pref == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if pref == "cpu" or (pref == "cuda" and cuda) or (pref == "mps" and mps):
        return pref
    if pref in ("cuda", "mps"):
        raise BadParameter(f"device {pref!r} is not available on this machine; "
                           "set the device to auto or cpu")
    raise BadParameter(f"device {preference!r}: expected auto, cuda, mps or cpu")


def use_half(descriptor, device: str) -> bool:
    """fp16 only on CUDA and only for architectures spandrel marks as supporting it."""
    return device == "cuda" and bool(getattr(descriptor, "supports_half", False))


def is_out_of_memory(exc: BaseException) -> bool:
    import torch

    if isinstance(exc, torch.cuda.OutOfMemoryError):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def run_with_fallback(run: Callable[[str, int], T], device: str, tile: int,
                      notify: Callable[[str], None] | None = None) -> T:
    """``run(device, tile)``; on out-of-memory halve the tile, then move to the CPU."""
    while True:
        try:
            return run(device, tile)
        except (RuntimeError, MemoryError) as exc:
            if device == "cpu" or not is_out_of_memory(exc):
                raise
            _empty_cache(device)
            if tile // 2 >= MIN_TILE:
                tile //= 2
                message = f"out of {device.upper()} memory: retrying with {tile} px tiles"
            else:
                device = "cpu"
                message = "out of GPU memory even with small tiles: continuing on the CPU"
            if notify is not None:
                notify(message)


def _empty_cache(device: str) -> None:
    import torch

    if device == "cuda" and torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif device == "mps" and torch.backends.mps.is_available():
        torch.mps.empty_cache()
