"""The editor's state and what it runs, with no Qt: the window is one view of an :class:`EditorSession`.

The session holds the settings, plugins, model store and job runner, the open pictures
(:class:`packshot.desktop.document.Document`) and which operation runs on which, and it
starts and finishes the work: operations, history replays, single exports and selection
exports all go through the one job runner (one GPU lane; the model store shared), so a
replay or an export never loads a second copy of a model and can be cancelled like any job.

Each ``start`` method takes the job listener to report through (the window passes its
queued-signal bridge; a test passes nothing and waits on the job); each ``finish`` method
is called with the ended job on the owning thread and brings its result into the session.
What a person should read arrives through ``on_message(kind, text)`` (kind ``"error"``,
``"info"`` or ``"status"``), set by the front end. Tests drive a session without a screen.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from packshot.core.batch import DEFAULT_TEMPLATE, BatchReport
from packshot.core.errors import BadInput, MissingModel, PackshotError
from packshot.core.image import Image
from packshot.core.imageio import load_image
from packshot.core.jobs import Job, JobRunner, LaneFactory, ThreadLane, contained, validate_params
from packshot.core.models import ModelStore, open_store
from packshot.core.operation import Inputs
from packshot.core.plugin_host import PluginHost
from packshot.core.recipe import Step, make_step
from packshot.core.settings import Settings

from .catalogue import Catalogue
from .document import Document, describe_error
from .selection_export import ExportResult, SelectionExport, run_export, summary

if TYPE_CHECKING:
    from packshot.core.export import ExportOptions
    from packshot.core.library import Library

KEEP_DOCUMENTS = 6
Listener = Callable[[Job], None] | None
MessageSink = Callable[[str, str], None]


@dataclass
class _Running:
    """An operation under way: the picture it edits, the step it will record, from which cursor."""

    doc: Document
    step: Step
    mask: np.ndarray | None
    base: int


class EditorSession:
    """Documents, busy state, settings and the job runner (see the module docstring)."""

    def __init__(self, host: PluginHost, settings: Settings, *, runner: JobRunner | None = None,
                 library: Library | None = None, lanes: LaneFactory = ThreadLane) -> None:
        self.host = host
        self.settings = settings
        self.models: ModelStore = open_store(settings, host)
        self._lanes = lanes
        self.runner = runner or self._make_runner()
        self._retired: list[JobRunner] = []
        self.catalogue = Catalogue(library)
        self.docs: OrderedDict[Path, Document] = OrderedDict()  # recently opened, newest last
        self.document: Document | None = None
        self.folder: Path | None = None
        self.opening: set[Path] = set()
        self.last_job: Job | None = None
        self._running: dict[Job, _Running] = {}
        self.exports: dict[Job, SelectionExport] = {}
        self._export_ids = itertools.count(1)
        self.on_message: MessageSink = lambda kind, text: None

    # ------------------------------------------------------------------ settings and runner

    def _make_runner(self) -> JobRunner:
        return JobRunner(device=self.settings.device, tile_size=self.settings.tile_size, models=self.models,
                         settings={"models_dir": str(self.settings.models_path)}, lanes=self._lanes)

    def apply_settings(self, settings: Settings) -> None:
        """New settings: a new model store and a new runner; jobs already queued finish on the old one."""
        self.settings = settings
        self.models = open_store(settings, self.host)
        old, self.runner = self.runner, self._make_runner()
        old.shutdown(wait=False, cancel=False)
        self._retired.append(old)  # joined, and its models released, by close()

    def active_jobs(self) -> list[Job]:
        """Every job running or waiting, oldest runner first."""
        return [job for runner in (*self._retired, self.runner) for job in runner.active()]

    def cancel_all(self) -> None:
        for job in self.active_jobs():
            job.cancel()

    def close(self) -> None:
        """Cancel every job, join the lanes' threads, save the open histories, close the library."""
        for runner in (*self._retired, self.runner):
            runner.shutdown(wait=True)
        for runner in self._retired:  # the settings they ran under are gone: free their models
            if runner.models is not None and runner.models is not self.models:
                runner.models.release()
        self._retired.clear()
        for doc in self.docs.values():
            self.save(doc)
        self.catalogue.close()

    # ------------------------------------------------------------------ documents

    def keep(self, doc: Document) -> None:
        """Remember an opened picture; forget the least recent ones beyond ``KEEP_DOCUMENTS``.

        Their histories are saved as sidecars on every change, so a forgotten picture
        reopens (and replays) exactly; one with work under way is never forgotten.
        """
        assert doc.path is not None
        self.docs[doc.path] = doc
        self.docs.move_to_end(doc.path)
        busy = {id(r.doc) for r in self._running.values()}
        for path in list(self.docs)[:-KEEP_DOCUMENTS]:
            old = self.docs[path]
            if old is not self.document and id(old) not in busy:
                self.save(old)
                del self.docs[path]

    def save(self, doc: Document | None) -> None:
        """Write a picture's history beside it and into the library; failures become messages."""
        if doc is None:
            return
        try:
            doc.save()
        except (OSError, PackshotError) as exc:
            self.on_message("error", f"Could not save the edit history of {doc.name}: {describe_error(exc)}")
        if doc.path is not None:
            self.guard_library(self.catalogue.save_edit_stack, doc.path, doc.stack)

    def guard_library(self, fn: Callable[..., Any], *args: Any) -> None:
        """Library bookkeeping (edit stacks, export history): a file it has not catalogued yet is skipped."""
        try:
            fn(*args)
        except BadInput:
            pass
        except Exception as exc:  # a locked or broken catalogue must not stop editing
            self.on_message("status", f"Library not updated: {describe_error(exc)}")

    # ------------------------------------------------------------------ operations

    def busy_job(self, doc: Document) -> Job | None:
        """The operation running or waiting on ``doc``, if any."""
        return next((job for job, r in self._running.items() if r.doc is doc and not job.ended), None)

    def is_pending(self, job: Job) -> bool:
        """Whether ``job`` has not been brought into the session yet (its finish not called)."""
        return job in self._running or job in self.exports

    def run_operation(self, op_id: str, params: dict | None = None, seed: int = 0, prompt: str | None = None,
                      reference: Path | None = None, *, listener: Listener = None) -> Job:
        """Queue an operation on the open picture; :meth:`finish_operation` records it as a step."""
        doc = self.document
        if doc is None:
            raise BadInput("open a picture first")
        if not doc.ready:
            raise BadInput("the saved history is still being replayed; try again in a moment")
        busy = self.busy_job(doc)
        if busy is not None:
            raise BadInput(f"{busy.title} is still running on this picture; "
                           "wait for it to finish or cancel it (Esc)")
        op = self.host.operation(op_id)
        plugin = self.host.plugin_of(op_id).name
        checked = validate_params(op, params, plugin)
        mask = doc.operation_mask() if "mask" in op.inputs else None
        ref_image = load_image(reference) if reference is not None and "reference" in op.inputs else None
        inputs = Inputs(doc.current, mask, ref_image, prompt if "prompt" in op.inputs else None)
        with contained(op, plugin, "checking its inputs"):
            op.check_inputs(inputs)
        extra = {}
        if inputs.prompt is not None:
            extra["prompt"] = inputs.prompt
        if ref_image is not None:
            extra["reference"] = str(reference)
        step = make_step(self.host, op_id, checked, seed, **extra)
        job = self.runner.submit(op, inputs, checked, seed=seed, plugin=plugin,
                                 listener=listener)
        self._running[job] = _Running(doc, step, mask, doc.cursor)
        self.last_job = job
        return job

    def finish_operation(self, job: Job) -> str:
        """Record an ended operation in its picture's history; returns the line for the operations panel."""
        entry = self._running.pop(job, None)
        if job is self.last_job:
            self.last_job = None
        if job.state == "cancelled":
            return "Cancelled; the picture is unchanged"
        if job.state == "failed":
            message = describe_error(job.error) if job.error else "failed"
            if isinstance(job.error, MissingModel):
                message += " (or add the file in Tools > Models)"
            self.on_message("error", message)
            return "Failed"
        if entry is not None:
            try:
                entry.doc.apply(entry.step, job.result, mask=entry.mask, base=entry.base)
            except PackshotError as exc:
                self.on_message("error", str(exc))
                return "Failed"
            if entry.doc is not self.document:
                self.save(entry.doc)
        if job.result.report:
            figures = ", ".join(f"{k}: {v:.3g}" if isinstance(v, float) else f"{k}: {v}"
                                for k, v in job.result.report.items())
            self.on_message("status", f"{job.title}: {figures}")
        return f"{job.title}: done" + (f" — {job.result.message}" if job.result.message else "")

    def cancel(self) -> Job | None:
        """Cancel the newest operation (Esc); returns it, or None when nothing runs."""
        job = self.last_job
        if job is None or job.ended:
            return None
        job.cancel()
        return job

    # ------------------------------------------------------------------ opening and replaying

    def opened(self, doc: Document, *, listener: Listener = None) -> Job | None:
        """A picture finished loading: keep it, and replay its saved steps (a job) if it has any."""
        self.opening.discard(doc.path)
        self.keep(doc)
        if doc.warning:
            self.on_message("error", doc.warning)
        return self.replay(doc, listener=listener)

    def replay(self, doc: Document, *, listener: Listener = None) -> Job | None:
        """Compute the pictures of a reopened history's steps in a job, on the GPU lane when one of them uses it."""
        steps = doc.pending_steps()
        if not steps:
            return None
        ops = self.host.operations()
        uses_gpu = any(ops[s.op].uses_gpu for s in steps if s.op in ops)
        self.on_message("status", f"Replaying {len(steps)} saved step(s) of {doc.name}...")
        job = self.runner.submit_task(f"Replay {doc.name}", lambda ctx: doc.replay(self.host, ctx),
                                      uses_gpu=uses_gpu, listener=listener)
        self._running[job] = _Running(doc, steps[0], None, doc.cursor)
        return job

    def finish_replay(self, job: Job) -> None:
        entry = self._running.pop(job, None)
        if entry is None:
            return
        doc = entry.doc
        if job.state == "done":
            doc.add_replayed(job.result)
            return
        doc.stop_replay()
        if job.state == "failed":
            self.on_message("error", f"The saved edits of {doc.name} could not be replayed "
                                     f"({describe_error(job.error) if job.error else 'failed'}). Editing continues "
                                     "from the original; the saved steps stay in its history until a new edit "
                                     "replaces them.")
        else:
            self.on_message("info", f"Replaying the saved edits of {doc.name} was cancelled; they stay in its "
                                    "history until a new edit replaces them.")

    # ------------------------------------------------------------------ exporting

    def export(self, image: Image, path: Path, options: ExportOptions, source: Path | None = None, *,
               listener: Listener = None) -> Job:
        """Export one picture in a job (CPU lane); :meth:`finish_export` reports it."""
        from packshot.core.export import export_image

        return self.runner.submit_task(f"Export {Path(path).name}",
                                       lambda ctx: (source, export_image(image, path, options)),
                                       uses_gpu=False, listener=listener)

    def finish_export(self, job: Job) -> None:
        if job.state != "done":
            if job.state == "failed":
                self.on_message("error", describe_error(job.error) if job.error else "export failed")
            return
        source, value = job.result
        if source is not None:
            self.guard_library(self.catalogue.record_exports, [(source, value.path, value.bytes)])
        warnings = f" ({'; '.join(value.warnings)})" if value.warnings else ""
        self.on_message("info", f"Exported {value.path.name}: {value.width} x {value.height} {value.format}, "
                                f"{value.bytes / 1024:.0f} KB{warnings}")

    def export_selection(self, paths: Sequence[Path], out_dir: Path, options: ExportOptions, *, preset: str = "",
                         template: str = DEFAULT_TEMPLATE, overwrite: bool = False,
                         on_file: Callable[[SelectionExport], None] = lambda export: None,
                         listener: Listener = None) -> tuple[SelectionExport, Job]:
        """Export pictures, each with its saved edits, in a job on the GPU lane (its edits may load
        models: the session's store serves them). ``on_file(export)`` follows each file, in the lane."""
        export = SelectionExport(next(self._export_ids), [Path(p) for p in paths], Path(out_dir), options,
                                 preset=preset, template=template, overwrite=overwrite)

        def work(ctx) -> ExportResult:
            def progress() -> None:  # the job's progress, without ctx.progress's cancel check: the
                if ctx.on_progress is not None:  # batch stops between files and reports what it wrote
                    ctx.on_progress(export.done / max(export.total, 1), export.current)
                on_file(export)

            return run_export(export, self.host, progress, models=ctx.models)

        job = self.runner.submit_task(export.describe(), work, token=export.token, listener=listener)
        self.exports[job] = export
        return export, job

    def finish_selection_export(self, job: Job) -> tuple[SelectionExport, ExportResult | None]:
        """Report an ended selection export (one message, failures included) and record what it wrote."""
        export = self.exports.pop(job)
        if job.state == "cancelled":  # before it started: nothing was written
            job.result = ExportResult(BatchReport(export.out_dir.resolve(), cancelled=True))
        elif job.state != "done":
            why = describe_error(job.error) if job.error else job.state
            self.on_message("error", f"The selection could not be exported: {why}")
            return export, None
        result: ExportResult = job.result
        text, problem = summary(export, result)
        self.on_message("error" if problem else "info", text)
        written = [(Path(i["source"]), Path(i["output"]), i["bytes"])
                   for i in result.report.items if i["status"] == "done"]
        self.guard_library(self.catalogue.record_exports, written, export.preset)
        return export, result
