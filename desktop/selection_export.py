"""Exporting a selection of pictures, each with its own saved edits, through the core batch runner.

No Qt here. :class:`SelectionExport` is one export's settings and live state (the queue
panel shows it; Cancel sets its token). :func:`run_export` reads each picture's saved
edit stack (its sidecar: what the editor renders when the picture is opened) and hands
the lot to :func:`packshot.core.batch.run_batch` — its journal, output names that cannot leave
the folder, per-file errors and atomic writes — in the calling job lane with the window's
plugins and model store. A picture's own edits render through the render engine there,
so a render the window (or ``packshot render``) already made is read from the disk
cache, not replayed; the others run with the models already loaded. :func:`summary`
turns the batch report into the one message a person reads at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packshot.core.batch import DEFAULT_TEMPLATE, BatchReport, BatchSpec, FolderBusy, MixedSettings, run_batch
from packshot.core.context import CancelToken
from packshot.core.errors import BadInput
from packshot.core.export import ExportOptions
from packshot.core.imageio import special_file_kind
from packshot.core.plugin_host import PluginHost
from packshot.core.recipe import Recipe, load_sidecar

MAX_LISTED = 8  # failures named in the final message; the report file lists them all


@dataclass(eq=False)
class SelectionExport:
    """One export of a selection: what to write, and how far it has got (set by the worker).

    A live handle shared by the worker and the window, so equal means the same export.
    """

    id: int
    paths: list[Path]
    out_dir: Path
    options: ExportOptions
    preset: str = ""
    template: str = DEFAULT_TEMPLATE
    overwrite: bool = False
    token: CancelToken = field(default_factory=CancelToken)
    running: bool = False
    done: int = 0
    current: str = ""

    @property
    def total(self) -> int:
        return len(self.paths)

    def cancel(self) -> None:
        """Stop after the file under way (it is finished atomically); the rest are not started."""
        self.token.cancel()

    def describe(self) -> str:
        """The queue panel's line for this export."""
        what = f"Export {self.total} picture{'s' if self.total != 1 else ''} ({self.preset or self.options.format})"
        if self.token.cancelled:
            return f"{what}: cancelling..."
        if not self.running:
            return f"{what}: waiting"
        return f"{what}: {self.done} of {self.total}" + (f", {self.current}" if self.current else "")


@dataclass
class ExportResult:
    """The batch report, plus the pictures left out because their saved edits could not be read."""

    report: BatchReport
    unreadable: dict[Path, str] = field(default_factory=dict)


def saved_recipes(paths: Sequence[Path]) -> tuple[dict[Path, Recipe], dict[Path, str]]:
    """Each picture's applied edits (up to its history cursor: what the canvas shows) and the
    pictures whose sidecar is unreadable (exporting those without their edits would be wrong)."""
    recipes: dict[Path, Recipe] = {}
    unreadable: dict[Path, str] = {}
    for path in paths:
        try:
            stack = load_sidecar(path)
        except BadInput as exc:
            unreadable[path] = str(exc)
            continue
        if stack is not None and stack.applied:
            recipes[path] = stack.recipe()
    return recipes, unreadable


def run_export(export: SelectionExport, host: PluginHost,
               on_progress: Callable[[], None] = lambda: None, models: Any = None) -> ExportResult:
    """Run the export in this thread (a job lane's); ``on_progress()`` follows every finished file."""
    recipes, unreadable = saved_recipes(export.paths)
    inputs = [p for p in export.paths if p not in unreadable]
    if not inputs or export.token.cancelled:  # cancelled while it waited: nothing is started
        return ExportResult(BatchReport(export.out_dir.resolve(), cancelled=export.token.cancelled), unreadable)

    def progress(done: int, total: int, name: str) -> None:
        export.done, export.current = done + len(unreadable), name
        on_progress()

    spec = BatchSpec(inputs=inputs, out_dir=export.out_dir, options=export.options, preset=export.preset,
                     template=export.template, overwrite=export.overwrite, recipes=recipes)
    export.running = True
    on_progress()
    try:
        report = run_batch(spec, workers=0, host=host, on_progress=progress, cancel=export.token, models=models)
    except FolderBusy as exc:  # the batch's refusals name its command-line options: say them the window's way
        owner = f" ({exc.owner})" if exc.owner else ""
        raise BadInput(f"another export is writing into {exc.folder}{owner}; wait for it to finish, "
                       "or choose another folder") from exc
    except MixedSettings as exc:
        listed = ", ".join(exc.names[:MAX_LISTED]) + (" ..." if len(exc.names) > MAX_LISTED else "")
        raise BadInput(f"{len(exc.names)} picture(s) in {exc.folder} were exported there earlier with other "
                       f"settings ({listed}); choose another folder, or set Existing files to Replace them") from exc
    return ExportResult(report, unreadable)


def summary(export: SelectionExport, result: ExportResult) -> tuple[str, bool]:
    """The message shown when an export ends, and whether it reports a problem."""
    report = result.report
    counts = report.summary()
    written = counts["done"]
    if report.cancelled:
        ended = written + counts["failed"] + counts["skipped"] + counts["done-earlier"] + len(result.unreadable)
        lines = [f"Export cancelled: {written} of {export.total} pictures written to {report.out_dir}; "
                 f"{export.total - ended} not started (no partial files are left)."]
    else:
        lines = [f"Exported {written} of {export.total} pictures to {report.out_dir}."]
    if counts["done-earlier"]:
        lines.append(f"{counts['done-earlier']} had already been exported there with these settings.")
    skipped = [i for i in report.items if i["status"] == "skipped"]
    odd = {Path(i["source"]): special_file_kind(i["source"]) for i in skipped}
    exists = [Path(i["output"]).name for i in skipped if not odd[Path(i["source"])]]
    if exists:
        lines.append(f"{len(exists)} not written because a file of that name exists (kept as it was; "
                     f"choose Replace to overwrite): {_listed(exists)}")
    not_pictures = [f"{source.name} is {kind}" for source, kind in odd.items() if kind]
    if not_pictures:
        lines.append(f"{len(not_pictures)} skipped, not picture files (nothing was read): {_listed(not_pictures)}")
    failures = [(Path(i["source"]).name, i["error"]) for i in report.failed]
    failures += [(path.name, reason) for path, reason in result.unreadable.items()]
    if failures:
        lines.append(f"{len(failures)} failed:")
        lines += [f"  {name}: {reason}" for name, reason in failures[:MAX_LISTED]]
        if len(failures) > MAX_LISTED:
            lines.append(f"  ... and {len(failures) - MAX_LISTED} more")
    if report.path is not None and (failures or skipped):
        lines.append(f"Details: {report.path}")
    return "\n".join(lines), bool(failures or skipped)


def _listed(names: list[str]) -> str:
    return ", ".join(names[:MAX_LISTED]) + (" ..." if len(names) > MAX_LISTED else "")
