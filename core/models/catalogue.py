"""Model catalogue entries: what a weights file is, where it comes from, how to check it.

Plugins contribute entries through the ``packshot_model_catalogue`` hook, usually read
from a TOML file in ``resources/models/`` with :func:`read_catalogue_file`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadInput

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_FIELDS = ("name", "title", "family", "task", "architecture", "loader", "file", "size",
           "sha256", "md5", "licence", "url", "verified", "unverified_reason", "scale", "channels",
           "rank", "source", "notes", "plugin")
TASKS = ("upscale", "denoise", "restore", "inpaint", "cutout", "text")
DEFAULT_RANK = 25


@dataclass(frozen=True)
class CatalogueEntry:
    """One known weights file.

    ``loader`` says what reads it: ``spandrel`` (super-resolution, restoration and
    inpainting networks), ``opencv-superres`` (``cv2.dnn_superres`` frozen graphs),
    ``diffusers``/``onnx`` (read by their family's plugin), or ``file``. ``verified`` is
    False where the size or checksum could not be confirmed from a public source
    (``unverified_reason`` says why); ``sha256`` may then be empty, and a file installed
    under the name must then at least be the ``architecture``, ``scale`` and input
    ``channels`` declared. ``rank`` orders the models of one task for ``auto`` (higher is
    better; measured figures where there are some, see the catalogue files). ``custom``
    marks a file a person installed that is not in any catalogue.
    """

    name: str
    file: str
    family: str = "other"
    task: str = ""
    architecture: str = ""
    loader: str = "spandrel"
    title: str = ""
    size: int = 0
    sha256: str = ""
    md5: str = ""
    licence: str = ""
    url: str = ""
    verified: bool = True
    unverified_reason: str = ""
    scale: int = 1
    channels: int = 0
    rank: int = DEFAULT_RANK
    source: str = ""
    notes: str = ""
    plugin: str = ""
    custom: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CatalogueEntry:
        """An entry from a hook's mapping; unknown keys travel in ``extra``."""
        if not data.get("name") or not data.get("file"):
            raise BadInput(f"model catalogue entry needs a name and a file: {dict(data)!r:.120}")
        if Path(str(data["file"])).name != str(data["file"]):
            raise BadInput(f"model {data['name']!r}: file {data['file']!r} must be a plain file name")
        known = {k: data[k] for k in _FIELDS if k in data}
        whole = {"size": known.get("size") or 0, "scale": known.get("scale") or 1,
                 "channels": known.get("channels") or 0, "rank": known.get("rank", DEFAULT_RANK)}
        for key, value in whole.items():
            if isinstance(value, bool) or not isinstance(value, int) or (key != "rank" and value < 0):
                raise BadInput(f"model {data['name']!r}: {key} {value!r} must be a whole number"
                               + {"size": " of bytes", "rank": ""}.get(key, " of 0 or more"))
        known.update(whole)
        for key in ("name", "file", "sha256", "md5", "url", "loader", "family", "task", "architecture"):
            if key in known and not isinstance(known[key], str):
                raise BadInput(f"model {data['name']!r}: {key} {known[key]!r} must be text")
        known["sha256"] = known.get("sha256", "").lower()
        known["md5"] = known.get("md5", "").lower()
        known["verified"] = bool(known.get("verified", True))
        extra = {k: v for k, v in data.items() if k not in _FIELDS and k not in ("custom", "extra")}
        return cls(**known, custom=bool(data.get("custom", False)), extra=extra)

    def describe(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def label(self) -> str:
        return self.title or self.name


def read_catalogue_file(path: str | Path | Traversable) -> list[dict[str, Any]]:
    """The ``[[model]]`` tables of a catalogue TOML file (a path, or a package's resource), as hook-ready mappings."""
    source = Path(path) if isinstance(path, str) else path
    try:
        data = tomllib.loads(source.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{source.name}: unreadable model catalogue ({exc})") from exc
    return [dict(m) for m in data.get("model", [])]
