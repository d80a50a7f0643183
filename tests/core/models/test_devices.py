"""Device choice and the out-of-memory ladder: smaller tiles, then the CPU, with a message."""

from __future__ import annotations

import pytest
import torch

from packshot.core.errors import BadParameter
from packshot.core.models.devices import resolve_device, run_with_fallback, use_half


def test_auto_resolves_to_an_available_device():
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert resolve_device("auto") == expected
    assert resolve_device("cpu") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_forcing_a_missing_gpu_is_a_clear_error():
    with pytest.raises(BadParameter, match="'cuda' is not available"):
        resolve_device("cuda")


def test_half_precision_only_on_cuda_where_spandrel_allows():
    class Desc:
        supports_half = True

    class NoHalf:
        supports_half = False

    assert use_half(Desc(), "cuda") and not use_half(Desc(), "cpu") and not use_half(NoHalf(), "cuda")


def test_out_of_memory_halves_tiles_then_moves_to_cpu():
    tried: list[tuple[str, int]] = []
    messages: list[str] = []

    def run(device: str, tile: int) -> str:
        tried.append((device, tile))
        if device == "cuda":
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return f"done on {device} with {tile}"

    assert run_with_fallback(run, "cuda", 512, messages.append) == "done on cpu with 128"
    assert tried == [("cuda", 512), ("cuda", 256), ("cuda", 128), ("cpu", 128)]
    assert messages[0] == "out of CUDA memory: retrying with 256 px tiles"
    assert "continuing on the CPU" in messages[-1]


def test_smaller_tile_that_fits_is_kept_and_other_errors_pass_through():
    def run(device: str, tile: int) -> int:
        if tile > 256:
            raise RuntimeError("MPS backend out of memory")
        return tile

    assert run_with_fallback(run, "mps", 1024) == 256

    def broken(device: str, tile: int) -> None:
        raise RuntimeError("shape mismatch")

    with pytest.raises(RuntimeError, match="shape mismatch"):
        run_with_fallback(broken, "cuda", 512)
