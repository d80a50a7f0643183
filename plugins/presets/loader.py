"""Reading preset TOML files; a broken file is named in the error, never silently skipped."""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from packshot.core.errors import BadInput
from packshot.core.export import options_from_preset

REQUIRED = ("name", "title", "source")


def load_preset_file(path: Path) -> dict[str, Any]:
    """One preset, checked: its export fields must make valid export options."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"preset file {path.name}: {exc}") from exc
    missing = [k for k in REQUIRED if not data.get(k)]
    if missing:
        raise BadInput(f"preset file {path.name}: missing {', '.join(missing)}")
    options_from_preset(data)
    return {**data, "file": str(path)}


def load_preset_folders(folders: Iterable[Path], *, strict: int = 1) -> list[dict[str, Any]]:
    """Presets from each folder in turn; a later folder's preset replaces an earlier one's.

    A broken file in the first ``strict`` folders (the bundled ones) raises; one in a
    later (user) folder is skipped with a warning that names it.
    """
    by_name: dict[str, dict[str, Any]] = {}
    for index, folder in enumerate(folders):
        if not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                preset = load_preset_file(path)
            except Exception as exc:
                if index < strict:
                    raise
                warnings.warn(f"skipped {path}: {exc}", stacklevel=2)
                continue
            by_name[preset["name"]] = preset
    return list(by_name.values())
