"""The batch runner: plan the outputs, skip what an earlier run finished, run the rest, report.

    spec = BatchSpec(inputs=expand_inputs(["shoot/"]), out_dir=Path("out"),
                     options=options_from_preset(preset), preset="amazon-main")
    report = run_batch(spec)            # report.failed, report.path (JSON in the output folder)

Resumable: the journal in the output folder says which outputs are finished; after a
crash, Ctrl+C or SIGKILL the same call continues, rewrites only what was begun and not
finished (writes are atomic, stale temporary files are removed), and never duplicates.
One run at a time writes into a folder (a lock file names it), and a run whose settings
differ from those that made the outputs already there is refused rather than mixed in.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..context import CancelToken
from ..errors import BadInput, BadParameter
from ..export import ExportOptions
from ..imageio import special_file_kind
from ..output_guard import atomic_write, remove_stale_parts
from ..recipe import Recipe
from . import executors
from .journal import Journal, JournalState
from .lock import OutputLock
from .naming import DEFAULT_TEMPLATE, OutputTemplate
from .worker import Outcome, Task

if TYPE_CHECKING:
    from ..plugin_host import PluginHost

REPORT_NAME = "packshot-report.json"
Progress = Callable[[int, int, str], None]


@dataclass
class BatchSpec:
    """What to do: which files, where to, with which recipe and export options."""

    inputs: list[Path]
    out_dir: Path
    options: ExportOptions
    preset: str = ""
    recipe: Recipe | None = None
    recipe_dir: Path | None = None
    template: str = DEFAULT_TEMPLATE
    overwrite: bool = False
    seed: int = 0
    # Per-input recipes (each file's own edit history, as the desktop saves it) replacing
    # ``recipe`` for those inputs; their masks and references are named relative to the
    # input's folder, as a sidecar names them. Keys are paths exactly as in ``inputs``.
    recipes: dict[Path, Recipe] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """The whole run's settings: changes whenever any output's bytes or name could change."""
        settings = self._settings()
        own = {str(path): _plain_recipe(r) for path, r in self.recipes.items()}
        return _digest({**settings, "recipes": own} if own else settings)

    def file_fingerprints(self) -> list[str]:
        """Each input's settings, in order: its own recipe counts, the other files' do not,
        so exporting another selection into the folder leaves this file's unchanged."""
        settings = self._settings()
        shared = _digest(settings)
        return [_digest({**settings, "own": _plain_recipe(self.recipes[source])}) if source in self.recipes
                else shared for source in self.inputs]

    def _settings(self) -> dict[str, Any]:
        return {"options": asdict(self.options.validated()), "recipe": _plain_recipe(self.recipe),
                "template": self.template, "preset": self.preset, "seed": self.seed}

    def recipe_for(self, source: Path) -> tuple[Recipe | None, Path | None]:
        """The recipe replayed on ``source`` (None: export as is) and the folder its masks are in."""
        if source in self.recipes:
            own = self.recipes[source]
            return (own if own.steps else None), source.parent
        return (self.recipe if self.recipe and self.recipe.steps else None), self.recipe_dir


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _plain_recipe(recipe: Recipe | None) -> dict[str, Any] | None:
    """A recipe as the fingerprint sees it: without the Packshot version that saved it."""
    if recipe is None:
        return None
    data = recipe.to_dict()
    data.pop("packshot_version", None)
    return data


@dataclass
class PlanItem:
    source: Path
    output: Path
    key: str  # the output path relative to the output folder, as the journal names it
    action: str  # write | done-earlier | exists | not-a-file | mixed (made with other settings)
    fingerprint: str = ""  # of this file's settings, as the journal records it
    reason: str = ""  # why it is skipped


@dataclass
class BatchReport:
    out_dir: Path
    items: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None
    seconds: float = 0.0
    dry_run: bool = False
    preset: str = ""
    fingerprint: str = ""
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)  # what a person should know besides the files

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i["status"] == status)

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("done", "done-earlier", "skipped", "failed", "planned", "not-run")}

    def to_dict(self) -> dict[str, Any]:
        return {"out_dir": str(self.out_dir), "preset": self.preset, "settings": self.fingerprint,
                "cancelled": self.cancelled, "notes": self.notes,
                "summary": self.summary(), "seconds": round(self.seconds, 2), "files": self.items}


def plan_batch(spec: BatchSpec) -> list[PlanItem]:
    """Every input's output path and what will happen to it; nothing is written."""
    return _plan(spec, _outputs(spec), Journal(spec.out_dir.resolve()).read())


def _outputs(spec: BatchSpec) -> list[Path]:
    """Each input's output path; refuses bad options and names before anything is written."""
    if not spec.inputs:
        raise BadInput("no input files")
    ext = spec.options.validated().extension
    return OutputTemplate(spec.template).paths(spec.inputs, spec.out_dir, preset=spec.preset, ext=ext)


def _plan(spec: BatchSpec, outputs: list[Path], state: JournalState) -> list[PlanItem]:
    root = spec.out_dir.resolve()
    plan = []
    for source, output, fingerprint in zip(spec.inputs, outputs, spec.file_fingerprints(), strict=True):
        item = PlanItem(source, output, output.relative_to(root).as_posix(), "write", fingerprint)
        done = state.done.get(item.key)
        kind = special_file_kind(source)
        if kind:
            item.action, item.reason = "not-a-file", f"not a regular file ({kind}); skipped"
        elif spec.overwrite:
            pass
        elif done is not None and output.is_file():
            item.action = "done-earlier" if done.get("fp") == item.fingerprint else "mixed"
        elif output.exists() and item.key not in state.started:
            item.action, item.reason = "exists", "already exists (use --overwrite to replace it)"
        plan.append(item)
    return plan


class MixedSettings(BadInput):
    """Outputs in ``folder`` (``names``, relative) that an earlier batch made with other
    settings; a front end may word the refusal its own way."""

    def __init__(self, folder: Path, names: list[str]) -> None:
        self.folder, self.names = folder, names
        listed = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        super().__init__(f"{folder}: {len(names)} output(s) there were made by an earlier batch with other "
                         f"settings ({listed}); not mixing the two: choose another output folder, or replace "
                         "them with --overwrite")


def _refuse_mixing(plan: list[PlanItem], root: Path) -> None:
    """Outputs an earlier batch made with other settings are neither kept beside this
    batch's (a folder of two looks) nor replaced without being asked."""
    mixed = [p.key for p in plan if p.action == "mixed"]
    if mixed:
        raise MixedSettings(root, mixed)


def run_batch(spec: BatchSpec, *, executor: str = "local", workers: int | None = None,
              address: str | None = None, host: PluginHost | None = None,
              on_progress: Progress | None = None, dry_run: bool = False,
              cancel: CancelToken | None = None, models: Any = None) -> BatchReport:
    """Run (or with ``dry_run`` only plan) a batch; returns the report, also saved as JSON.

    ``workers=0`` runs in this process with ``host`` and the model store ``models`` (tests,
    the desktop's job lane: its plugins and loaded models, not a second copy of each).
    ``cancel`` stops it between files: files under way finish (atomically) and are
    reported, the rest are reported ``not-run`` and the same call later resumes them.
    Refused: a folder another batch is writing into, and outputs an earlier batch made
    with other settings (unless ``spec.overwrite``).
    """
    if executor not in executors.EXECUTORS:
        raise BadParameter(f"executor {executor!r}; expected one of {', '.join(executors.EXECUTORS)}")
    started, wall_start = time.monotonic(), time.time()
    outputs = _outputs(spec)
    root = spec.out_dir.resolve()
    report = BatchReport(root, dry_run=dry_run, preset=spec.preset, fingerprint=spec.fingerprint())
    if dry_run:
        state = Journal(root).read()
        plan = _plan(spec, outputs, state)
        _refuse_mixing(plan, root)
        report.notes = _notes("", state, plan)
        status = {"write": "planned", "done-earlier": "done-earlier", "exists": "skipped", "not-a-file": "skipped"}
        report.items = [_item(p, status[p.action]) for p in plan]
        return report
    workers = _lane_width(spec, host, workers)
    root.mkdir(parents=True, exist_ok=True)
    with OutputLock(root) as lock:
        journal = Journal(root)
        state = journal.read()
        plan = _plan(spec, outputs, state)
        _refuse_mixing(plan, root)
        report.notes = _notes(lock.note, state, plan)
        stale = [part for folder in sorted({root, *(p.output.parent for p in plan)})
                 for part in remove_stale_parts(folder, older_than=wall_start)]
        if stale:
            report.notes.append(f"removed {len(stale)} temporary file(s) a killed run left")
        try:
            _run(spec, plan, journal, report, executor, workers, address, host, models, on_progress, cancel)
        finally:
            report.seconds = time.monotonic() - started
            report.path = _save_report(report)
    return report


def _run(spec: BatchSpec, plan: list[PlanItem], journal: Journal, report: BatchReport, executor: str,
         workers: int, address: str | None, host: PluginHost | None, models: Any,
         on_progress: Progress | None, cancel: CancelToken | None) -> None:
    """Do the plan's writes, journaling each file; fills ``report.items`` however it ends."""
    todo = [p for p in plan if p.action == "write"]
    from ..settings import load_settings

    settings = load_settings()
    options = spec.options.validated()
    tasks = []
    for i, p in enumerate(todo):
        recipe, base = spec.recipe_for(p.source)
        tasks.append(Task(i, str(p.source), str(p.output), options,
                          recipe.to_dict() if recipe else None, str(base or ""), spec.seed,
                          settings.device, settings.tile_size, str(settings.models_path)))
    journal.write_many([{"event": "start", "output": p.key, "source": str(p.source), "fp": p.fingerprint}
                        for p in todo])
    results: dict[int, Outcome] = {}
    total, done = len(plan), len(plan) - len(todo)
    stop = (lambda: cancel.cancelled) if cancel is not None else (lambda: False)
    outcomes = _execute(tasks, executor, workers, address, host, models, stop)
    try:
        for outcome in outcomes:
            item = todo[outcome.index]
            results[outcome.index] = outcome
            entry = {"output": item.key, "source": str(item.source), "fp": item.fingerprint}
            if outcome.status == "done":
                journal.write("done", **entry, bytes=outcome.bytes)
            else:
                journal.write("failed", **entry, error=outcome.error)
            done += 1
            if on_progress is not None:
                on_progress(done, total, item.source.name)
    except KeyboardInterrupt:  # asked to stop now: files under way are abandoned, redone next run
        report.cancelled = True
        raise
    finally:
        outcomes.close()
        journal.close()
        report.cancelled = report.cancelled or (cancel is not None and cancel.cancelled)
        report.items = _items(plan, todo, results)


def _notes(lock_note: str, state: JournalState, plan: list[PlanItem]) -> list[str]:
    notes = [lock_note] if lock_note else []
    if state.damaged:
        notes.append(f"the journal had {state.damaged} damaged line(s) (a crash or power cut while writing); "
                     "skipped them, and the files they were about are redone")
    notes += [f"{p.source}: {p.reason}" for p in plan if p.action == "not-a-file"]
    return notes


def _lane_width(spec: BatchSpec, host: PluginHost | None, workers: int | None) -> int:
    """Pool size: one per core; one when a recipe runs on a GPU (one model in its memory).

    The shared recipe is checked here, so a typo stops the batch before any work; a
    file's own recipe naming a missing operation fails that file only.
    """
    if workers is not None:
        return max(0, int(workers))
    recipes = {id(r): r for r, _ in map(spec.recipe_for, spec.inputs) if r is not None}
    if recipes:
        from ..plugin_host import load_plugins
        from ..recipe import check_recipe
        from ..settings import load_settings

        host = host or load_plugins()
        if spec.recipe is not None and spec.recipe.steps:
            check_recipe(spec.recipe, host)
        ops = host.operations()
        if load_settings().device != "cpu" and any(ops[s.op].uses_gpu for r in recipes.values()
                                                   for s in r.steps if s.op in ops):
            return 1
    return executors.default_workers()


def _execute(tasks, executor, workers, address, host, models, stop):
    """Outcomes as tasks finish. Even one file runs in a worker process unless ``workers=0``:
    a plugin that crashes its process then fails that file, not the whole batch."""
    if executor == "ray":
        return executors.run_ray(tasks, address, stop)
    if workers == 0 or not tasks:
        return executors.run_inline(tasks, host, models, stop)
    return executors.run_pool(tasks, min(workers, len(tasks)), stop)


def _item(p: PlanItem, status: str) -> dict[str, Any]:
    return {"source": str(p.source), "output": str(p.output), "status": status, "error": p.reason}


def _items(plan: list[PlanItem], todo: list[PlanItem], results: dict[int, Outcome]) -> list[dict[str, Any]]:
    index = {id(p): i for i, p in enumerate(todo)}
    items = []
    for p in plan:
        if p.action == "done-earlier":
            items.append(_item(p, "done-earlier"))
        elif p.action in ("exists", "not-a-file"):
            items.append(_item(p, "skipped"))
        elif index[id(p)] in results:
            items.append(results[index[id(p)]].to_dict())
        else:
            items.append(_item(p, "not-run"))
    return items


def _save_report(report: BatchReport) -> Path:
    data = json.dumps(report.to_dict(), indent=2, ensure_ascii=False).encode("utf-8")
    return atomic_write(report.out_dir / REPORT_NAME, lambda fh: fh.write(data))
