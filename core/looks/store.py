"""Where trained looks live: one folder per look under ``looks/`` in the models folder.

A look's folder holds ``look.safetensors`` (the weights) and ``look.json`` (name, date,
pairs, validation figures, network shape); copying the folder into another machine's
``looks/`` installs it there. Both files are written together through
:func:`packshot.core.output_guard.write_files`, so a failed save leaves no look behind.
Unfinished training keeps its checkpoint in ``looks/.training/``, out of the listing.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadInput, BadParameter, MissingModel
from ..output_guard import write_files

LOOKS = "looks"
WEIGHTS = "look.safetensors"
DESCRIPTION = "look.json"
TRAINING = ".training"
FORMAT = "packshot-look"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class LookInfo:
    """One trained look: its folder and its description."""

    name: str
    folder: Path
    description: dict[str, Any]

    @property
    def weights(self) -> Path:
        return self.folder / WEIGHTS

    def summary(self) -> str:
        d = self.description
        look = d.get("validation", {}).get("look", {})
        figures = f", validation {look['psnr']:.1f} dB, ΔE {look['delta_e']:.2f}" if look else ""
        return f"{len(d.get('pairs', {}).get('train', []))} pairs, {d.get('created', '?')[:10]}{figures}"


def train_hint(name: str = "NAME") -> str:
    return f"train one: packshot train look --before DIR --after DIR --name {name}"


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise BadParameter(f"look name {name!r}: use letters, digits, '.', '_' or '-' "
                           "(up to 64, starting with a letter or digit)")
    return name


def looks_folder(models_folder: str | Path) -> Path:
    return Path(models_folder) / LOOKS


def checkpoint_path(models_folder: str | Path, name: str) -> Path:
    return looks_folder(models_folder) / TRAINING / f"{check_name(name)}.safetensors"


def list_looks(models_folder: str | Path) -> list[LookInfo]:
    """Every complete look in the models folder, by name; folders without a readable look are skipped."""
    root = looks_folder(models_folder)
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.is_dir() and _NAME.fullmatch(folder.name):
            try:
                found.append(_read(folder))
            except BadInput:
                continue
    return found


def look_folder(models_folder: str | Path, name: str) -> LookInfo:
    """The installed look ``name``, or MissingModel saying how to train one."""
    folder = _existing(models_folder, name)
    try:
        return _read(folder)
    except BadInput as exc:
        raise MissingModel(f"look {name!r} is damaged ({exc}); train it again: "
                           f"{train_hint(name).split(': ', 1)[1]} --overwrite") from exc


def _existing(models_folder: str | Path, name: str) -> Path:
    folder = looks_folder(models_folder) / check_name(name)
    if not folder.is_dir():
        known = ", ".join(info.name for info in list_looks(models_folder)) or "none yet"
        raise MissingModel(f"look {name!r} is not in {looks_folder(models_folder)} (installed: {known}); "
                           f"{train_hint(name)}")
    return folder


def _read(folder: Path) -> LookInfo:
    try:
        description = json.loads((folder / DESCRIPTION).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{folder / DESCRIPTION}: unreadable ({exc})") from exc
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise BadInput(f"{folder / DESCRIPTION}: not a Packshot look description")
    if not (folder / WEIGHTS).is_file():
        raise BadInput(f"{folder / WEIGHTS}: missing")
    return LookInfo(folder.name, folder, description)


def check_free(models_folder: str | Path, name: str, *, overwrite: bool) -> Path:
    """The folder for look ``name``; refused while another look has it (unless ``overwrite``)."""
    folder = looks_folder(models_folder) / check_name(name)
    if folder.exists() and not overwrite:
        raise BadInput(f"look {name!r} already exists in {folder.parent}; choose another name, "
                       f"pass --overwrite, or remove it: packshot models remove {name}")
    return folder


def save_look(models_folder: str | Path, name: str, weights: Callable[[Any], None],
              description: dict[str, Any], *, overwrite: bool = False) -> LookInfo:
    """Write a look's two files together; ``weights(fh)`` writes the safetensors bytes."""
    folder = check_free(models_folder, name, overwrite=overwrite)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**description, "format": FORMAT, "name": name}, indent=1, ensure_ascii=False)
    try:
        write_files([(folder / WEIGHTS, weights),
                     (folder / DESCRIPTION, lambda fh: fh.write(text.encode("utf-8")))])
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return _read(folder)


def remove_look(models_folder: str | Path, name: str) -> Path:
    """Delete a look's folder (and any unfinished training under its name)."""
    folder = _existing(models_folder, name)
    shutil.rmtree(folder)
    checkpoint_path(models_folder, name).unlink(missing_ok=True)
    return folder
