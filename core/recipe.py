"""Recipes and edit stacks: the ordered steps applied to an image, saved as TOML or JSON.

A recipe never changes the original file. Each edited picture keeps its edit stack as a
sidecar (``photo.jpg.packshot.toml``): parametric steps that can be re-adjusted, disabled,
deleted and moved, with undo/redo of those changes; the CLI and batch runner replay a
recipe on any number of files.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tomli_w

from . import __version__
from .context import Context
from .errors import BadInput, BadParameter
from .image import Image
from .operation import Inputs, Result
from .output_guard import atomic_write

if TYPE_CHECKING:
    from .plugin_host import PluginHost

FORMAT_VERSION = 1
SIDECAR_SUFFIX = ".packshot.toml"
MASKS_SUFFIX = ".packshot-masks"
_STEP_FIELDS = {"op", "params", "seed", "mask", "reference", "prompt", "plugin", "plugin_version", "enabled"}


@dataclass
class Step:
    """One operation with everything needed to replay it exactly.

    A disabled step stays in the stack (its parameters kept) but is skipped when the
    stack is rendered, like a layer whose visibility is off.
    """

    op: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    mask: str | None = None
    reference: str | None = None
    prompt: str | None = None
    plugin: str = ""
    plugin_version: str = ""
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "params": plain(self.params), "seed": self.seed}
        for key in ("mask", "reference", "prompt"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        if self.plugin:
            d["plugin"] = self.plugin
            d["plugin_version"] = self.plugin_version
        if not self.enabled:  # written only when off, so stacks without one read in older Packshots
            d["enabled"] = False
        return d

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "recipe") -> Step:
        if not isinstance(data, Mapping) or not isinstance(data.get("op"), str):
            raise BadInput(f"{where}: each step needs an 'op' (an operation id)")
        unknown = set(data) - _STEP_FIELDS
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
        enabled = data.get("enabled", True)
        if not isinstance(enabled, bool):
            raise BadInput(f"{where}: step {data['op']!r}: 'enabled' must be true or false")
        return cls(op=data["op"], params=dict(params), seed=seed, mask=data.get("mask"),
                   reference=data.get("reference"), prompt=data.get("prompt"),
                   plugin=str(data.get("plugin", "")), plugin_version=str(data.get("plugin_version", "")),
                   enabled=enabled)


def plain(value: Any) -> Any:
    """Params as TOML/JSON-safe values (tuples become lists)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
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
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise BadInput(f"{path}: recipe is not valid {kind}: {exc}") from exc
    return Recipe.from_dict(data, where=path.name)


def _version_tuple(v: str) -> tuple[int, ...]:
    parts = []
    for piece in v.split("."):
        digits = "".join(c for c in piece if c.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_recipe(recipe: Recipe, host: PluginHost, where: str = "recipe") -> None:
    """Refuse, before any work, a recipe that names a missing op or a newer plugin.

    Disabled steps are not checked: they do not run.
    """
    from .jobs import validate_params

    for i, step in enumerate(recipe.steps, 1):
        if not step.enabled:
            continue
        ops = host.operations()
        if step.op not in ops:
            why = host.why_missing(step.op)
            if why.startswith(":"):  # its plugin is known: refused, failed or disabled
                raise BadInput(f"{where}: step {i} uses {step.op!r}, which is not available{why}")
            who = f" from plugin {step.plugin!r}" if step.plugin else ""
            raise BadInput(f"{where}: step {i} uses {step.op!r}{who}, which is not installed "
                           "(see 'packshot plugins')")
        info = host.plugin_of(step.op)
        if step.plugin_version and info.version and \
                _version_tuple(step.plugin_version) > _version_tuple(info.version):
            raise BadInput(f"{where}: step {i} ({step.op}) was made with plugin {info.name!r} "
                           f"{step.plugin_version}, newer than the installed {info.version}; update it")
        validate_params(ops[step.op], step.params, info.name)


MaskLoader = Callable[[str, tuple[int, int]], Any]
ImageLoader = Callable[[str], Image]


def run_step(image: Image, step: Step, number: int, host: PluginHost, ctx: Context, *,
             mask_loader: MaskLoader | None = None, image_loader: ImageLoader | None = None,
             mask: Any = None, reference: Image | None = None, prompt: str | None = None) -> Result:
    """Run one step on ``image`` through :func:`~.jobs.execute` (step ``number`` counts from 1).

    A step's own mask/reference/prompt wins over the ones given here. ``ctx`` is used as
    given, except that its RNG is reseeded from the step's seed, so a step repeats exactly
    wherever it is replayed.
    """
    from .jobs import execute

    op = host.operation(step.op)
    step_mask = mask
    if step.mask is not None:
        if mask_loader is None:
            raise BadInput(f"step {number} ({step.op}) names mask {step.mask!r} but no mask folder was given")
        step_mask = mask_loader(step.mask, image.pixels.shape[:2])
    step_ref = reference
    if step.reference is not None:
        if image_loader is None:
            raise BadInput(f"step {number} ({step.op}) names reference {step.reference!r} but none can be loaded")
        step_ref = image_loader(step.reference)
    if step_mask is not None and "mask" not in op.inputs:
        step_mask = None
    ctx.rng = np.random.default_rng(step.seed)
    inputs = Inputs(image, step_mask, step_ref if "reference" in op.inputs else None,
                    step.prompt if step.prompt is not None else (prompt if "prompt" in op.inputs else None))
    try:
        return execute(op, inputs, step.params, ctx, host.plugin_of(step.op).name)
    except (BadInput, BadParameter) as exc:
        raise type(exc)(f"step {number} ({step.op}): {exc}") from exc


def apply_recipe(image: Image, recipe: Recipe, host: PluginHost, ctx: Context, *,
                 mask_loader: MaskLoader | None = None, image_loader: ImageLoader | None = None,
                 mask: Any = None, reference: Image | None = None, prompt: str | None = None,
                 on_step: Callable[[int, Step, Result], None] | None = None) -> Image:
    """Replay every enabled step on ``image`` and return the result.

    A step's own mask/reference/prompt wins; otherwise the ones given here are used
    (a recipe made in the desktop replays with the mask it was painted with, a batch
    recipe may leave them to the caller). ``on_step`` hears every step, a disabled one
    with its unchanged input, so the i-th call always holds the picture after i+1 steps.
    """
    check_recipe(recipe, host)
    n = max(len(recipe.steps), 1)
    current = image
    for i, step in enumerate(recipe.steps):
        if step.enabled:
            result = run_step(current, step, i + 1, host, ctx.sub(i / n, (i + 1) / n),
                              mask_loader=mask_loader, image_loader=image_loader,
                              mask=mask, reference=reference, prompt=prompt)
        else:
            result = Result(current, message="disabled")
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
    """A picture's parametric edits, and the undo/redo history of changes to them.

    ``steps[:cursor]`` are applied. Every change (:meth:`append`, :meth:`set_params`,
    :meth:`set_enabled`, :meth:`delete`, :meth:`move`, :meth:`reset`, :meth:`push`)
    first drops any steps beyond the cursor (left by an older Packshot's undo) and is
    recorded, so :meth:`undo` and :meth:`redo` walk the changes (a re-adjusted
    exposure comes back with its old value), not the pictures. The change history lives
    in memory; the sidecar holds the steps. :meth:`go_to` moves the cursor without
    recording a change (the window's history list, until it adopts the parametric model).
    """

    steps: list[Step] = field(default_factory=list)
    cursor: int = 0
    _undo: list[tuple[list[Step], int]] = field(default_factory=list, repr=False, compare=False)
    _redo: list[tuple[list[Step], int]] = field(default_factory=list, repr=False, compare=False)

    @property
    def applied(self) -> list[Step]:
        return self.steps[: self.cursor]

    # ------------------------------------------------------------------ changes

    def _change(self) -> None:
        """Record the state before a change and settle the cursor at the end."""
        self._undo.append(self._snapshot())
        self._redo.clear()
        del self.steps[self.cursor:]

    def _snapshot(self) -> tuple[list[Step], int]:
        return [replace(s, params=dict(s.params)) for s in self.steps], self.cursor

    def _done(self) -> None:
        self.cursor = len(self.steps)

    def _index(self, n: int) -> int:
        """Step ``n`` counted from 1 as a list index, or a clear error."""
        if not 1 <= n <= self.cursor:
            raise BadInput(f"step {n} does not exist (the stack has {self.cursor} step{'s' * (self.cursor != 1)})")
        return n - 1

    def step(self, n: int) -> Step:
        """Applied step ``n``, counted from 1 as a person sees the stack."""
        return self.steps[self._index(n)]

    def push(self, step: Step) -> None:
        """Append ``step`` after the cursor (the steps beyond it are dropped)."""
        self.append(step)

    def append(self, step: Step) -> int:
        """Add ``step`` at the end; returns its number (from 1)."""
        self._change()
        self.steps.append(step)
        self._done()
        return len(self.steps)

    def record(self, step: Step, *, as_new: bool = False) -> int:
        """Edit the last step when it runs the same operation on the same mask, else append.

        A second Run of an operation with new values replaces its first one (the person
        is adjusting it, not stacking it) unless ``as_new`` asks for a new step.
        """
        last = self.steps[self.cursor - 1] if self.cursor else None
        if as_new or last is None or (last.op, last.mask, last.reference) != (step.op, step.mask, step.reference):
            return self.append(step)
        self._change()
        self.steps[-1] = replace(step, enabled=True)
        self._done()
        return len(self.steps)

    def set_params(self, n: int, params: Mapping[str, Any], *, seed: int | None = None) -> Step:
        """Replace step ``n``'s parameters (and seed); the steps after it re-run on the new result."""
        i = self._index(n)
        self._change()
        old = self.steps[i]
        self.steps[i] = replace(old, params=dict(params), seed=old.seed if seed is None else int(seed))
        self._done()
        return self.steps[i]

    def set_enabled(self, n: int, enabled: bool) -> Step:
        i = self._index(n)
        self._change()
        self.steps[i] = replace(self.steps[i], enabled=bool(enabled))
        self._done()
        return self.steps[i]

    def delete(self, n: int) -> Step:
        i = self._index(n)
        self._change()
        removed = self.steps.pop(i)
        self._done()
        return removed

    def move(self, n: int, to: int) -> None:
        """Move step ``n`` to position ``to``.

        A step with a mask stays where it is: its mask was painted on the picture as it
        looked at that point of the stack.
        """
        i, j = self._index(n), self._index(to)
        if i == j:
            return
        if self.steps[i].mask is not None:
            raise BadInput(f"step {n} ({self.steps[i].op}) has a painted mask and cannot be moved; "
                           "delete it and apply it again where it belongs")
        self._change()
        self.steps.insert(j, self.steps.pop(i))
        self._done()

    def reset(self) -> None:
        """Remove every step (undoable)."""
        self._change()
        self.steps.clear()
        self._done()

    # ------------------------------------------------------------------ history of changes

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        """Take back the last change to the stack; False when there is none."""
        if not self._undo:
            return False
        self._redo.append(self._snapshot())
        self.steps, self.cursor = self._undo.pop()
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self._snapshot())
        self.steps, self.cursor = self._redo.pop()
        return True

    def go_to(self, cursor: int) -> None:
        if not 0 <= cursor <= len(self.steps):
            raise BadInput(f"history position {cursor} is out of range 0..{len(self.steps)}")
        self.cursor = cursor

    # ------------------------------------------------------------------ as a recipe

    def enabled_steps(self) -> list[Step]:
        """The steps a render runs: applied and enabled, in order."""
        return [s for s in self.applied if s.enabled]

    def recipe(self) -> Recipe:
        return Recipe(steps=self.enabled_steps())

    def to_dict(self) -> dict[str, Any]:
        return {**Recipe(steps=self.steps).to_dict(), "cursor": self.cursor}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = "sidecar") -> EditStack:
        recipe = Recipe.from_dict(data, where)
        cursor = data.get("cursor", len(recipe.steps))
        if isinstance(cursor, bool) or not isinstance(cursor, int):
            raise BadInput(f"{where}: 'cursor' must be a whole number of steps, got {cursor!r}")
        return cls(steps=recipe.steps, cursor=min(max(cursor, 0), len(recipe.steps)))


def sidecar_path(image_path: str | Path) -> Path:
    p = Path(image_path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def save_sidecar(image_path: str | Path, stack: EditStack) -> Path:
    data = tomli_w.dumps(stack.to_dict()).encode("utf-8")
    return atomic_write(sidecar_path(image_path), lambda fh: fh.write(data))


def masks_folder(image_path: str | Path) -> Path:
    """The folder beside a picture that holds the masks its steps name."""
    p = Path(image_path)
    return p.with_name(p.name + MASKS_SUFFIX)


def step_file(image_path: str | Path, name: str) -> Path:
    """The file a picture's step names (relative to the picture's folder), refused when it
    lies outside the picture's masks folder, so a sidecar cannot point anywhere else."""
    p = Path(image_path)
    folder = masks_folder(p).resolve()
    target = (p.parent / name).resolve()
    if not target.is_relative_to(folder):
        raise BadInput(f"{name!r} lies outside {folder.name}; refused")
    return target


def load_sidecar(image_path: str | Path) -> EditStack | None:
    path = sidecar_path(image_path)
    if not path.exists():
        return None
    try:
        return EditStack.from_dict(tomllib.loads(path.read_text("utf-8")), where=path.name)
    except RecursionError:
        raise BadInput(f"{path.name}: unreadable edit history (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"{path.name}: unreadable edit history ({exc})") from exc
