"""One file of a batch: load, replay the recipe, export. Runs in a pool process or a Ray task.

Everything a task needs travels in the :class:`Task` (plain, picklable data); every
failure comes back as an :class:`Outcome` with the reason, never as an exception, so one
bad file cannot stop the batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..errors import PackshotError
from ..export import ExportOptions, export_file, export_image
from ..imageio import load_image

if TYPE_CHECKING:
    from ..plugin_host import PluginHost


@dataclass(frozen=True)
class Task:
    index: int
    source: str
    output: str
    options: ExportOptions
    recipe: dict[str, Any] | None = None
    recipe_dir: str | None = None
    seed: int = 0
    device: str = "auto"
    tile_size: int = 512
    models_dir: str = ""


@dataclass
class Outcome:
    index: int
    source: str
    output: str
    status: str  # done | failed
    error: str = ""
    bytes: int = 0
    width: int = 0
    height: int = 0
    quality: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "output": self.output, "status": self.status, "error": self.error,
                "bytes": self.bytes, "width": self.width, "height": self.height, "quality": self.quality,
                "seconds": round(self.seconds, 3), "warnings": self.warnings}


_HOST: PluginHost | None = None


def _plugin_host() -> PluginHost:
    """The plugins, loaded once per worker process."""
    global _HOST
    if _HOST is None:
        from ..plugin_host import load_plugins

        _HOST = load_plugins()
    return _HOST


def process(task: Task, host: PluginHost | None = None, models: Any = None) -> Outcome:
    """Do one task; ``host`` and ``models`` (in-process runs) replace the worker's own plugin
    host and model store."""
    start = time.perf_counter()
    outcome = Outcome(task.index, task.source, task.output, "failed")
    try:
        output = Path(task.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        if task.recipe and task.recipe.get("steps"):
            result = export_image(_edited(task, host or _plugin_host(), models), output, task.options, overwrite=True)
        else:
            result = export_file(task.source, output, task.options, overwrite=True)
    except PackshotError as exc:
        outcome.error = str(exc)
    except MemoryError:
        outcome.error = f"{Path(task.source).name}: out of memory"
    except Exception as exc:  # a worker reports everything; the batch goes on
        outcome.error = f"{Path(task.source).name}: internal error {type(exc).__name__}: {exc}"
    else:
        outcome.status = "done"
        outcome.bytes, outcome.width, outcome.height = result.bytes, result.width, result.height
        outcome.quality, outcome.warnings = result.quality, result.warnings
    outcome.seconds = time.perf_counter() - start
    return outcome


_ENGINES: dict[int, Any] = {}


def _engine(host: PluginHost):
    """A render engine per plugin host, on the shared disk cache (one per worker process)."""
    from ..render import RenderEngine
    from ..render_cache import DiskCache

    if id(host) not in _ENGINES:
        _ENGINES.clear()
        _ENGINES[id(host)] = RenderEngine(host, memory_bytes=0, disk=DiskCache.default())
    return _ENGINES[id(host)]


def _edited(task: Task, host: PluginHost, models: Any = None):
    """The picture after its recipe. A picture's own edits (its sidecar, what the window and
    ``packshot edit`` make) render through the render engine, so a render already on disk is
    read back, not replayed; a shared recipe is applied as given."""
    from ..mask import load_mask
    from ..recipe import EditStack, Recipe, apply_recipe, load_sidecar

    assert task.recipe is not None  # run_task renders only tasks that carry a recipe
    base = Path(task.recipe_dir or ".")
    recipe = Recipe.from_dict(task.recipe, where="recipe")
    ctx = Context(seed=task.seed, device=task.device, tile_size=task.tile_size, models=models,
                  settings={"models_dir": task.models_dir})
    source = Path(task.source)
    try:
        own = load_sidecar(source) if base == source.parent else None
    except PackshotError:  # an unreadable sidecar does not stop a shared recipe
        own = None
    if own is not None and own.enabled_steps() == recipe.steps:
        return _engine(host).render(source, EditStack(steps=recipe.steps, cursor=len(recipe.steps)), ctx)
    return apply_recipe(load_image(task.source), recipe, host, ctx,
                        mask_loader=lambda name, shape: load_mask(base / name, shape),
                        image_loader=lambda name: load_image(base / name))
