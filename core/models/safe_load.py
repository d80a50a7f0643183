"""Reading weights without running code from the file.

``.safetensors`` holds only tensors. ``.pth``/``.pt``/``.ckpt`` are pickles, which can
carry arbitrary Python objects that run on load; they are read with
``torch.load(weights_only=True)``, which accepts tensors and plain containers only, and
anything else is refused with a message saying why. A TorchScript archive (LaMa's
``big-lama.pt``) is never given to ``torch.jit.load``, which would run the archive's own
code: only its tensors are read (:mod:`.torchscript`).
"""

from __future__ import annotations

import pickle
import threading
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import BadInput
from .torchscript import is_torchscript, read_torchscript_tensors

PICKLE_SUFFIXES = (".pth", ".pt", ".ckpt", ".bin")
WEIGHT_SUFFIXES = (".safetensors", *PICKLE_SUFFIXES)
_extra_lock = threading.Lock()
_extra_installed = False


def read_state_dict(path: str | Path) -> dict[str, Any]:
    """The tensors of a weights file, on the CPU."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            state = load_file(str(path), device="cpu")
        except (SafetensorError, OSError, ValueError) as exc:
            raise BadInput(f"{path.name}: not a readable .safetensors file ({exc})") from exc
    elif suffix in PICKLE_SUFFIXES and is_torchscript(path):
        state = read_torchscript_tensors(path)
    elif suffix in PICKLE_SUFFIXES:
        import torch

        try:
            with quiet_torch():
                state = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BadInput(
                f"{path.name}: refused, the checkpoint carries a pickled Python object that would "
                f"run code when loaded ({first}). Only plain tensors are loaded; use a "
                f".safetensors version of this model") from exc
        except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise BadInput(f"{path.name}: not a readable PyTorch checkpoint ({exc})") from exc
    else:
        raise BadInput(f"{path.name}: unknown weights format {suffix!r} "
                       f"(expected one of {', '.join(WEIGHT_SUFFIXES)})")
    if not isinstance(state, dict):
        raise BadInput(f"{path.name}: holds a {type(state).__name__}, not a dictionary of tensors")
    return state


@contextmanager
def quiet_torch() -> Iterator[None]:
    """Hide the deprecation notes torch prints while spandrel builds a network
    (``torch.jit.script`` is deprecated, ``meshgrid`` indexing): they are not the person's
    concern and would print before the one-line result or error."""
    with warnings.catch_warnings():
        for category in (FutureWarning, DeprecationWarning, UserWarning):
            warnings.filterwarnings("ignore", category=category, module=r"(torch|spandrel)")
        yield


def spandrel_loader():
    """A spandrel ModelLoader on the CPU, with the extra (non-commercial) architectures."""
    global _extra_installed
    with quiet_torch():
        from spandrel import ModelLoader

    with _extra_lock, quiet_torch():
        if not _extra_installed:
            try:
                import spandrel_extra_arches

                spandrel_extra_arches.install(ignore_duplicates=True)
            except ImportError:
                pass
            _extra_installed = True
    return ModelLoader(device="cpu")


def load_spandrel(path: str | Path):
    """A spandrel ModelDescriptor from a weights file, read safely; clear error if unknown."""
    path = Path(path)
    return load_spandrel_state(read_state_dict(path), path.name)


def load_spandrel_state(state: dict[str, Any], label: str = "state dict"):
    with quiet_torch():
        from spandrel import UnsupportedModelError

        try:
            return spandrel_loader().load_from_state_dict(state)
        except UnsupportedModelError as exc:
            raise BadInput(f"{label}: spandrel does not recognise this network's architecture") from exc
        except (RuntimeError, KeyError, ValueError, AssertionError) as exc:
            raise BadInput(f"{label}: recognised but could not be built "
                           f"({type(exc).__name__}: {exc})") from exc
