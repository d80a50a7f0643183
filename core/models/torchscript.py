"""The tensors of a TorchScript archive, read without running anything from it.

``torch.jit.load`` compiles the archive's ``code/`` and runs its modules' ``__setstate__``
methods, and TorchScript can write files (``torch.from_file(..., shared=True)``), so a
``.pt`` could act on install. The archive's ``data.pkl`` is an ordinary pickle of module
objects whose tensors live in ``data/N`` records: a restricted unpickler rebuilds tensors
and plain containers only, every module becomes an inert placeholder, and the names of
parameters and buffers come from the class declarations in ``code/``, read as text. A
module that restores itself with its own ``__setstate__`` is refused.
"""

from __future__ import annotations

import pickle
import re
import zipfile
from pathlib import Path
from typing import Any

from ..errors import BadInput

_LISTS = ("build_intlist", "build_tensorlist", "build_doublelist", "build_boollist")


class _Module:
    """A TorchScript module's attributes, kept as data; nothing of its class runs."""

    qualname = ""

    def __init__(self, *args: Any) -> None:
        self.state: Any = None

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _Unpickler(pickle.Unpickler):
    def __init__(self, archive: zipfile.ZipFile, root: str) -> None:
        super().__init__(archive.open(f"{root}/data.pkl"))
        self._archive, self._root = archive, root
        self._classes: dict[str, type[_Module]] = {}
        self._storages: dict[str, Any] = {}

    def find_class(self, module: str, name: str) -> Any:
        import torch

        if module == "__torch__" or module.startswith("__torch__."):
            qualname = f"{module}.{name}"
            if qualname not in self._classes:
                self._classes[qualname] = type(name, (_Module,), {"qualname": qualname})
            return self._classes[qualname]
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            from collections import OrderedDict

            return OrderedDict
        if module == "torch" and name.endswith("Storage") and hasattr(torch, name):
            return getattr(torch, name)
        if module == "torch.jit._pickle" and name in _LISTS:
            return list
        if (module, name) == ("torch.jit._pickle", "restore_type_tag"):
            return _restore_type_tag
        raise pickle.UnpicklingError(f"global {module}.{name} is not allowed")

    def persistent_load(self, pid: Any) -> Any:
        import torch

        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected record {pid!r:.60}")
        _, storage_type, key, _location, _numel = pid
        if key not in self._storages:
            raw = self._archive.read(f"{self._root}/data/{key}")
            self._storages[key] = torch.UntypedStorage.from_buffer(raw, dtype=torch.uint8) \
                if raw else torch.UntypedStorage(0)
        return self._storages[key], storage_type.dtype


def _rebuild_tensor(storage: tuple[Any, Any], offset: int, size: tuple[int, ...],
                    stride: tuple[int, ...], *_: Any) -> Any:
    """A tensor viewing its storage record (what ``torch._utils._rebuild_tensor_v2`` does)."""
    import torch

    untyped, dtype = storage
    return torch.empty(0, dtype=dtype).set_(untyped, offset, size, stride)


def _restore_type_tag(value: Any, _type: str) -> Any:
    return value


def is_torchscript(path: str | Path) -> bool:
    """A TorchScript archive is a zip holding compiled ``code/`` next to its tensors."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any("/code/" in name for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def read_torchscript_tensors(path: str | Path) -> dict[str, Any]:
    """The parameters and buffers of a TorchScript archive, named as ``state_dict()`` names them."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            root = names[0].split("/", 1)[0]
            order = archive.read(f"{root}/byteorder").strip() if f"{root}/byteorder" in names else b"little"
            if order != b"little":
                raise BadInput(f"{path.name}: a big-endian TorchScript archive; not supported")
            top = _Unpickler(archive, root).load()
            declared = _declarations(archive, root)
    except pickle.UnpicklingError as exc:
        raise BadInput(f"{path.name}: refused, the TorchScript archive holds more than tensors "
                       f"and modules ({exc})") from exc
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError) as exc:
        raise BadInput(f"{path.name}: not a readable TorchScript archive ({exc})") from exc
    if not isinstance(top, _Module):
        raise BadInput(f"{path.name}: the TorchScript archive holds no module")
    state: dict[str, Any] = {}
    _collect(top, "", declared, state, path.name)
    return state


def _collect(module: _Module, prefix: str, declared: dict[str, set[str] | None],
             out: dict[str, Any], label: str) -> None:
    import torch

    if not isinstance(module.state, dict):
        raise BadInput(f"{label}: refused, TorchScript module {module.qualname.split('.')[-1]!r} "
                       "restores itself with its own __setstate__ code, which Packshot never runs; "
                       "use a .safetensors or plain .pth version of this model")
    keep = declared.get(module.qualname)
    for attr, value in module.state.items():
        if isinstance(value, _Module):
            _collect(value, f"{prefix}{attr}.", declared, out, label)
        elif isinstance(value, torch.Tensor) and (keep is None or attr in keep):
            out[f"{prefix}{attr}"] = value


_CLASS = re.compile(r"^class (\w+)\(.*?\):\n((?:[ \t]+.*\n?)*)", re.MULTILINE)
_LIST = re.compile(r"^\s+(__parameters__|__buffers__) = \[(.*?)\]", re.MULTILINE)


def _declarations(archive: zipfile.ZipFile, root: str) -> dict[str, set[str] | None]:
    """Qualified class name -> its parameter and buffer names, from ``code/`` read as text."""
    found: dict[str, set[str] | None] = {}
    code = f"{root}/code/"
    for name in archive.namelist():
        if not (name.startswith(code) and name.endswith(".py")):
            continue
        module = name[len(code):-3].replace("/", ".")
        text = archive.read(name).decode("utf-8", "replace")
        for cls in _CLASS.finditer(text):
            lists = dict(_LIST.findall(cls.group(2)))
            if lists:
                found[f"{module}.{cls.group(1)}"] = {
                    item for key in ("__parameters__", "__buffers__")
                    for item in re.findall(r'"([^"]+)"', lists.get(key, ""))}
    return found
