"""Edits applied to many pictures: copy and paste settings, sync a selection, named edit presets.

No Qt. A picture's edits are its parametric stack's steps; applying steps to other
pictures appends them to each one's stack. A picture open in the window changes at once
(an undoable change, re-rendered like any other); the others are changed in a job that
renders each through the render engine (so a step that cannot run is reported, and the
render is cached for its thumbnail and export) and then writes its sidecar, one picture
after the other (progress per picture, Cancel between pictures: those done keep their new
edits). A step with a painted mask or a reference file belongs to its own picture and is
not copied. Named presets are recipes in ``<config>/edit-presets/NAME.toml``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packshot.core.context import Context
from packshot.core.errors import BadInput, Cancelled, PackshotError
from packshot.core.recipe import EditStack, Recipe, Step, load_recipe, load_sidecar, save_sidecar
from packshot.core.render import RenderEngine
from packshot.core.settings import config_dir

from .document import describe_error

PRESETS_FOLDER = "edit-presets"


def copyable(step: Step) -> bool:
    """Whether a step can go onto another picture (a painted mask, a reference file are its own picture's)."""
    return step.mask is None and step.reference is None


def copied(steps: Sequence[Step]) -> list[Step]:
    """Independent copies of the steps that can go onto another picture."""
    return [copy.deepcopy(s) for s in steps if copyable(s)]


@dataclass
class ApplyOutcome:
    """What an apply job did: the pictures given the steps, those that failed and why, whether it was cancelled."""

    done: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    cancelled: bool = False

    def summary(self, what: str) -> str:
        text = f"{what}: {len(self.done)} picture(s) edited"
        if self.cancelled:
            text += ", then cancelled"
        if self.failed:
            text += "; not edited: " + "; ".join(f"{p.name} ({why})" for p, why in self.failed)
        return text


def apply_steps(paths: Sequence[Path], steps: Sequence[Step], engine: RenderEngine, ctx: Context) -> ApplyOutcome:
    """Append ``steps`` to each picture's saved stack, render it (checks it runs; caches it), save its sidecar."""
    outcome = ApplyOutcome()
    for i, path in enumerate(paths):
        try:
            ctx.check_cancelled()
            ctx.progress(i / len(paths), path.name)
            stack = load_sidecar(path) or EditStack()
            for step in copied(steps):
                stack.append(step)
            engine.render(path, stack, ctx.sub(i / len(paths), (i + 1) / len(paths)))
            save_sidecar(path, stack)
        except Cancelled:
            outcome.cancelled = True
            break
        except (PackshotError, OSError) as exc:
            outcome.failed.append((path, describe_error(exc)))
            continue
        outcome.done.append(path)
    return outcome


# ---------------------------------------------------------------------- named presets

def presets_folder() -> Path:
    return config_dir() / PRESETS_FOLDER


def preset_path(name: str) -> Path:
    """The file of a preset named ``name`` (letters, digits, spaces, - and _ only: never a path)."""
    clean = name.strip()
    if not clean or not re.fullmatch(r"[\w][\w \-]*", clean):
        raise BadInput(f"preset name {name!r}: use letters, digits, spaces, - and _")
    return presets_folder() / f"{clean}.toml"


def save_preset(name: str, steps: Sequence[Step]) -> Path:
    """Save steps (those that can be copied) as a named preset; returns its file."""
    kept = copied(steps)
    if not kept:
        raise BadInput("no edits to save: the picture has no steps (or only steps with a painted mask)")
    path = preset_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Recipe(steps=kept, name=name.strip()).save(path)


def preset_names() -> list[str]:
    folder = presets_folder()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_preset(name: str) -> list[Step]:
    path = preset_path(name)
    if not path.is_file():
        raise BadInput(f"no edit preset named {name!r}")
    return load_recipe(path).steps
