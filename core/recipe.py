"""Recipes and edit stacks: the ordered steps applied to an image, saved as TOML or JSON.

A recipe never changes the original file. The desktop keeps one per image as a sidecar
(``photo.jpg.packshot.toml``) with undo/redo; the CLI and batch runner replay one on any
number of files.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tomli_w

from . import __version__
from .context import Context
from .errors import BadInput, BadParameter
from .image import Image
from .imageio import atomic_write
from .operation import Inputs, Result

if TYPE_CHECKING:
    from .plugin_host import PluginHost

FORMAT_VERSION = 1
SIDECAR_SUFFIX = ".packshot.toml"


@dataclass
class Step:
    """One applied operation with everything needed to replay it exactly."""

    op: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    mask: str | None = None
    reference: str | None = None
    prompt: str | None = None
    plugin: str = ""
    plugin_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "params": _plain(self.params), "seed": self.seed}
        for key in ("mask", "reference", "prompt"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.plugin:
            d["plugin"] = self.plugin
            d["plugin_version"] = self.plugin_version
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "recipe") -> Step:
        if not isinstance(data, Mapping) or not isinstance(data.get("op"), str):
            raise BadInput(f"{where}: each step needs an 'op' (an operation id)")
        unknown = set(data) - {"op", "params", "seed", "mask", "reference", "prompt", "plugin", "plugin_version"}
        if unknown:
            raise BadInput(f"{where}: step {data['op']!r} has unknown field(s) {', '.join(sorted(unknown))}")
        params = data.get("params", {})
        if not isinstance(params, Mapping):
            raise BadInput(f"{where}: step {data['op']!r}: 'params' must be a table")
        try:
            seed = int(data.get("seed", 0))
        except (TypeError, ValueError):
            seed = -1
        if seed < 0:
            raise BadInput(f"{where}: step {data['op']!r}: 'seed' must be a whole number, 0 or more")
        for key in ("mask", "reference", "prompt"):
            if not isinstance(data.get(key, ""), str):
                raise BadInput(f"{where}: step {data['op']!r}: {key!r} must be text, got {data[key]!r}")
        return cls(op=data["op"], params=dict(params), seed=seed, mask=data.get("mask"),
                   reference=data.get("reference"), prompt=data.get("prompt"),
                   plugin=str(data.get("plugin", "")), plugin_version=str(data.get("plugin_version", "")))


def _plain(value: Any) -> Any:
    """Params as TOML/JSON-safe values (tuples become lists)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


@dataclass
class Recipe:
    steps: list[Step] = field(default_factory=list)
    name: str = ""
    packshot_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "name": self.name, "packshot_version": self.packshot_version,
                "steps": [s.to_dict() for s in self.steps]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "recipe") -> Recipe:
        if not isinstance(data, Mapping):
            raise BadInput(f"{where}: a recipe is a table with 'steps', not a {type(data).__name__}")
        fmt = data.get("format", FORMAT_VERSION)
        if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
            raise BadInput(f"{where}: recipe format {fmt} is newer than this Packshot reads "
                           f"({FORMAT_VERSION}); update Packshot")
        steps = data.get("steps", [])
        if not isinstance(steps, list):
            raise BadInput(f"{where}: 'steps' must be a list")
        return cls(steps=[Step.from_dict(s, where) for s in steps], name=str(data.get("name", "")),
                   packshot_version=str(data.get("packshot_version", "")))

    def dumps(self, fmt: str = "toml") -> str:
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2)
        return tomli_w.dumps(self.to_dict())

    def encode(self, path: str | Path) -> bytes:
        """The file's bytes: JSON for a ``.json`` name, TOML otherwise."""
        return self.dumps("json" if Path(path).suffix.lower() == ".json" else "toml").encode("utf-8")

    def save(self, path: str | Path) -> Path:
        data = self.encode(path)
        return atomic_write(path, lambda fh: fh.write(data))


def load_recipe(path: str | Path) -> Recipe:
    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise BadInput(f"{path}: cannot read recipe ({exc.strerror or exc})") from exc
    except UnicodeDecodeError:
        raise BadInput(f"{path}: recipe is not UTF-8 text") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except RecursionError:
        raise BadInput(f"{path}: recipe is nested too deeply to read") from None
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path}: recipe is not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {exc}") from exc
    return Recipe.from_dict(data, where=path.name)


def _version_tuple(v: str) -> tuple[int, ...]:
    parts = []
    for piece in v.split("."):
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_recipe(recipe: Recipe, host: PluginHost, where: str = "recipe") -> None:
    """Refuse, before any work, a recipe that names a missing op or a newer plugin."""
    for i, step in enumerate(recipe.steps, 1):
        ops = host.operations()
        if step.op not in ops:
            who = f" from plugin {step.plugin!r}" if step.plugin else ""
            raise BadInput(f"{where}: step {i} uses {step.op!r}{who}, which is not installed "
                           "(see 'packshot plugins')")
        info = host.plugin_of(step.op)
        if step.plugin_version and info.version and \
                _version_tuple(step.plugin_version) > _version_tuple(info.version):
            raise BadInput(f"{where}: step {i} ({step.op}) was made with plugin {info.name!r} "
                           f"{step.plugin_version}, newer than the installed {info.version}; update it")
        ops[step.op].validate(step.params)


MaskLoader = Callable[[str, tuple[int, int]], Any]
ImageLoader = Callable[[str], Image]


def apply_recipe(image: Image, recipe: Recipe, host: PluginHost, ctx: Context, *,
                 mask_loader: MaskLoader | None = None, image_loader: ImageLoader | None = None,
                 mask: Any = None, reference: Image | None = None, prompt: str | None = None,
                 on_step: Callable[[int, Step, Result], None] | None = None) -> Image:
    """Replay every step on ``image`` and return the result.

    A step's own mask/reference/prompt wins; otherwise the ones given here are used
    (a recipe made in the desktop replays with the mask it was painted with, a batch
    recipe may leave them to the caller).
    """
    from .jobs import execute

    check_recipe(recipe, host)
    n = max(len(recipe.steps), 1)
    current = image
    for i, step in enumerate(recipe.steps):
        op = host.operation(step.op)
        step_mask = mask
        if step.mask is not None:
            if mask_loader is None:
                raise BadInput(f"step {i + 1} ({step.op}) names mask {step.mask!r} but no mask folder was given")
            step_mask = mask_loader(step.mask, current.pixels.shape[:2])
        step_ref = reference
        if step.reference is not None:
            if image_loader is None:
                raise BadInput(f"step {i + 1} ({step.op}) names reference {step.reference!r} but none can be loaded")
            step_ref = image_loader(step.reference)
        if step_mask is not None and "mask" not in op.inputs:
            step_mask = None
        sub = ctx.sub(i / n, (i + 1) / n)
        sub.rng = np.random.default_rng(step.seed)
        inputs = Inputs(current, step_mask, step_ref if "reference" in op.inputs else None,
                        step.prompt if step.prompt is not None else (prompt if "prompt" in op.inputs else None))
        try:
            result = execute(op, inputs, step.params, sub, host.plugin_of(step.op).name)
        except (BadInput, BadParameter) as exc:
            raise type(exc)(f"step {i + 1} ({step.op}): {exc}") from exc
        current = result.image
        if on_step is not None:
            on_step(i, step, result)
    return current


def make_step(host: PluginHost, op_id: str, params: Mapping[str, Any], seed: int = 0, **inputs: Any) -> Step:
    """A Step stamped with the providing plugin's name and version."""
    info = host.plugin_of(op_id)
    return Step(op=op_id, params=dict(params), seed=seed, plugin=info.name,
                plugin_version=info.version, **inputs)


# --------------------------------------------------------------------------- edit stack


@dataclass
class EditStack:
    """A recipe with a cursor: undo moves the cursor back, a new step drops the redo tail."""

    steps: list[Step] = field(default_factory=list)
    cursor: int = 0

    @property
    def applied(self) -> list[Step]:
        return self.steps[: self.cursor]

    def push(self, step: Step) -> None:
        del self.steps[self.cursor:]
        self.steps.append(step)
        self.cursor = len(self.steps)

    def can_undo(self) -> bool:
        return self.cursor > 0

    def can_redo(self) -> bool:
        return self.cursor < len(self.steps)

    def undo(self) -> None:
        if self.can_undo():
            self.cursor -= 1

    def redo(self) -> None:
        if self.can_redo():
            self.cursor += 1

    def go_to(self, cursor: int) -> None:
        if not 0 <= cursor <= len(self.steps):
            raise BadInput(f"history position {cursor} is out of range 0..{len(self.steps)}")
        self.cursor = cursor

    def recipe(self) -> Recipe:
        return Recipe(steps=list(self.applied))

    def to_dict(self) -> dict[str, Any]:
        return {**Recipe(steps=self.steps).to_dict(), "cursor": self.cursor}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "sidecar") -> EditStack:
        recipe = Recipe.from_dict(data, where)
        cursor = int(data.get("cursor", len(recipe.steps)))
        return cls(steps=recipe.steps, cursor=min(max(cursor, 0), len(recipe.steps)))


def sidecar_path(image_path: str | Path) -> Path:
    p = Path(image_path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def save_sidecar(image_path: str | Path, stack: EditStack) -> Path:
    data = tomli_w.dumps(stack.to_dict()).encode("utf-8")
    return atomic_write(sidecar_path(image_path), lambda fh: fh.write(data))


def load_sidecar(image_path: str | Path) -> EditStack | None:
    path = sidecar_path(image_path)
    if not path.exists():
        return None
    try:
        return EditStack.from_dict(tomllib.loads(path.read_text("utf-8")), where=path.name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path.name}: unreadable edit history ({exc})") from exc
