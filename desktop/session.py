"""The editor's state and what it runs, with no Qt: the window is one view of an :class:`EditorSession`.

The session holds the settings, plugins, model store, job runner and render engine
(:class:`packshot.core.render.RenderEngine`, shared with ``packshot edit`` / ``render``
through the sidecar and the disk cache), the open pictures
(:class:`packshot.desktop.document.Document`) and which operation runs on which, and it
starts and finishes the work: operations, renders of a stack, single exports and selection
exports all go through the one job runner (one GPU lane; the model store shared), so a
render or an export never loads a second copy of a model and can be cancelled like any job.
A Run changes the stack parametrically (it edits the step being adjusted, or appends
one) and re-renders from the cached result of the step before it; undo, redo, hiding
and deleting steps are changes to the stack, rendered from the cache when it holds them.

Each ``start`` method takes the job listener to report through (the window passes its
queued-signal bridge; a test passes nothing and waits on the job); each ``finish`` method
is called with the ended job on the owning thread and brings its result into the session.
What a person should read arrives through ``on_message(kind, text)`` (kind ``"error"``,
``"info"`` or ``"status"``), set by the front end. Tests drive a session without a screen.
"""

from __future__ import annotations

import copy
import itertools
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from packshot.core.batch import DEFAULT_TEMPLATE, BatchReport
from packshot.core.context import Context
from packshot.core.errors import BadInput, MissingModel, PackshotError
from packshot.core.image import Image
from packshot.core.imageio import load_image
from packshot.core.jobs import Job, JobRunner, LaneFactory, ThreadLane, contained, validate_params
from packshot.core.mask import load_mask
from packshot.core.models import ModelStore, open_store
from packshot.core.operation import Inputs, Result
from packshot.core.plugin_host import PluginHost
from packshot.core.recipe import EditStack, Step, load_sidecar, make_step, run_step, step_file
from packshot.core.render import PROXY_EDGE, RenderEngine
from packshot.core.render_cache import DiskCache
from packshot.core.settings import Settings

from .catalogue import THUMB_SIZE, Catalogue
from .document import Document, describe_error
from .edit_sync import ApplyOutcome
from .selection_export import ExportResult, SelectionExport, run_export, summary

if TYPE_CHECKING:
    from packshot.core.export import ExportOptions
    from packshot.core.library import Library

KEEP_DOCUMENTS = 6
Listener = Callable[[Job], None] | None
MessageSink = Callable[[str, str], None]


@dataclass
class _Running:
    """An operation under way: the picture it edits, the number of the step it changes, the
    stack it makes (a copy of the picture's, taken in when the job ends) and the files it added."""

    doc: Document
    number: int
    stack: EditStack
    files: set[Path]  # the mask and reference files written for it, removed if it does not finish
    nothing_done: str | None = None  # said instead of adding the new step when it changed nothing
    unchanged: bool = False  # set by the job: the new step's result is its input


def _same_picture(before: Image, after: Image) -> bool:
    """Whether a step left its input as it was (pixels and colour profile)."""
    return after is before or (after.icc_profile == before.icc_profile and after.pixels.dtype == before.pixels.dtype
                               and np.array_equal(after.pixels, before.pixels))


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
        self.last_report: tuple[str, dict[str, Any]] | None = None  # the newest result's figures, by title
        self._running: dict[Job, _Running] = {}
        self._renders: dict[Job, tuple[Document, int]] = {}  # renders of a stack, with the version they render
        self.engine = RenderEngine(host, disk=DiskCache.default())
        self.exports: dict[Job, SelectionExport] = {}
        self._applying: dict[Job, tuple[str, list[Path]]] = {}  # apply jobs: what, the open pictures changed
        self._export_ids = itertools.count(1)
        self.on_message: MessageSink = lambda kind, text: None
        self.on_rendered: Callable[[Document], None] = lambda doc: None  # a picture's render changed

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
                self.engine.forget(path)

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

    def running_step(self, job: Job) -> tuple[Document, Step] | None:
        """The picture an operation works on and the step it makes, until its finish is called."""
        entry = self._running.get(job)
        return (entry.doc, entry.stack.step(entry.number)) if entry is not None else None

    def is_pending(self, job: Job) -> bool:
        """Whether ``job`` has not been brought into the session yet (its finish not called)."""
        return job in self._running or job in self._renders or job in self.exports or job in self._applying

    def edited_step(self, doc: Document, op_id: str, new_step: bool = False) -> int | None:
        """The step a Run of ``op_id`` changes: the one re-opened from the History panel when it
        runs that operation, else the last step when it does (unless ``new_step``); None: a new step."""
        if new_step:
            return None
        if doc.editing is not None and doc.editing <= doc.stack.cursor and doc.stack.step(doc.editing).op == op_id:
            return doc.editing
        return None

    def _planned(self, doc: Document, op_id: str, params: Mapping[str, Any], seed: int, *, new_step: bool,
                 mask: np.ndarray | None = None, **inputs: Any) -> tuple[EditStack, int]:
        """A copy of ``doc``'s stack with the Run recorded (undoable), and the number of the step it changed."""
        stack = copy.deepcopy(doc.stack)
        number = self.edited_step(doc, op_id, new_step)
        if number is not None:
            stack.set_params(number, params, seed=seed)
            return stack, number
        step = make_step(self.host, op_id, params, seed, **inputs)
        if mask is not None:
            step.mask = doc.store_mask(mask)
        return stack, stack.record(step, as_new=new_step)

    def run_operation(self, op_id: str, params: dict | None = None, seed: int = 0, prompt: str | None = None,
                      reference: Path | None = None, *, new_step: bool = False, mask: np.ndarray | None = None,
                      nothing_done: str | None = None, listener: Listener = None) -> Job:
        """Queue an operation on the open picture; :meth:`finish_operation` brings in its result.

        It changes the step being edited (re-opened in the History panel, or the last step
        when that runs the same operation on the same mask), or with ``new_step`` (or any
        other operation) appends one. The steps before it come from the render cache.
        ``mask`` replaces the painted mask (the spot-heal click's disc). With ``nothing_done``,
        a new step whose picture equals its input is not recorded (history, sidecar and undo
        stay as they were) and that sentence is said instead, as a retouch click that finds
        nothing leaves no empty step in Lightroom or darktable.
        """
        doc = self.document
        if doc is None:
            raise BadInput("open a picture first")
        if doc.path is None:
            raise BadInput("only a picture opened from a file can be edited")
        busy = self.busy_job(doc)
        if busy is not None:
            raise BadInput(f"{busy.title} is still running on this picture; "
                           "wait for it to finish or cancel it (Esc)")
        op = self.host.operation(op_id)
        plugin = self.host.plugin_of(op_id).name
        checked = validate_params(op, params, plugin)
        extra: dict[str, Any] = {}
        given, mask = mask, None
        kept = doc.kept_files()
        adds = self.edited_step(doc, op_id, new_step) is None
        if adds:  # a new step: its inputs are the ones shown now
            mask = given if given is not None else doc.operation_mask() if "mask" in op.inputs else None
            ref_image = load_image(reference) if reference is not None and "reference" in op.inputs else None
            inputs = Inputs(doc.current or doc.original, mask, ref_image, prompt if "prompt" in op.inputs else None)
            with contained(op, plugin, "checking its inputs"):
                op.check_inputs(inputs)
            if inputs.prompt is not None:
                extra["prompt"] = inputs.prompt
            if ref_image is not None and reference is not None:
                extra["reference"] = doc.store_file(Path(reference))
        stack, number = self._planned(doc, op_id, checked, seed, new_step=new_step, mask=mask, **extra)
        entry = _Running(doc, number, stack, doc.kept_files() - kept, nothing_done if adds else None)
        path, host, engine = doc.path, self.host, self.engine

        def work(ctx: Context) -> Result:
            """The operation's result (its mask, report, message) with, as its image, the render of the stack."""
            step = stack.step(number)
            if not step.enabled:  # a hidden step keeps its new values; the picture does not change
                return Result(engine.render(path, stack, ctx), message="the step is hidden")
            before = engine.render(path, stack, ctx.sub(0.0, 0.2), upto=number - 1)
            result = run_step(before, step, number, host, ctx.sub(0.2, 0.9),
                              mask_loader=lambda name, shape: load_mask(step_file(path, name), shape),
                              image_loader=lambda name: load_image(step_file(path, name)))
            if entry.nothing_done is not None and _same_picture(before, result.image):
                entry.unchanged = True  # dropped when it finishes: nothing to keep or render
                return result
            if result.replay:  # recorded as the operation asks to be replayed
                stack.steps[number - 1] = Step.from_dict({"seed": step.seed, **result.replay}, where=step.op)
            engine.keep(path, stack, result.image, upto=number)
            final = engine.render(path, stack, ctx.sub(0.9, 1.0)) if number < stack.cursor else result.image
            return replace(result, image=final)

        ops = host.operations()
        uses_gpu = any(ops[s.op].uses_gpu for s in stack.enabled_steps()[number - 1:] if s.op in ops)
        job = self.runner.submit_task(op.title or op.id, work, uses_gpu=uses_gpu, seed=seed, listener=listener)
        self._running[job] = entry
        self.last_job = job
        return job

    def finish_operation(self, job: Job) -> str:
        """Bring an ended operation into its picture; returns the line for the operations panel."""
        entry = self._running.pop(job, None)
        if job is self.last_job:
            self.last_job = None
        dropped = entry.nothing_done if entry is not None and entry.unchanged and job.state == "done" else None
        if entry is not None and (job.state != "done" or dropped is not None):
            for path in entry.files:
                path.unlink(missing_ok=True)
            if entry.files and not entry.doc.kept_files():
                next(iter(entry.files)).parent.rmdir()
        if job.state == "cancelled":
            return "Cancelled; the picture is unchanged"
        if job.state == "failed":
            message = describe_error(job.error) if job.error else "failed"
            if isinstance(job.error, MissingModel):
                message += " (or add the file in Tools > Models)"
            self.on_message("error", message)
            return "Failed"
        result: Result = job.result
        self.last_report = (job.title, dict(result.report)) if result.report else None
        if dropped is not None:  # the new step changed nothing: the history stays as it was
            self.on_message("info", dropped)
            return dropped
        if entry is not None:
            entry.doc.adopt(entry.stack, result.image, result.mask)
            self.save(entry.doc)
            self.on_rendered(entry.doc)
        sentence = f"{job.title}: done" + (f" — {result.message}" if result.message else "")
        self.on_message("status", sentence + (" (Report: details)" if self.last_report else ""))
        return sentence

    def cancel(self) -> Job | None:
        """Cancel the newest operation (Esc); returns it, or None when nothing runs."""
        job = self.last_job
        if job is None or job.ended:
            return None
        job.cancel()
        return job

    # ------------------------------------------------------------------ changes to the stack

    def change(self, doc: Document, edit: Callable[[Document], Any], *, listener: Listener = None) -> Job | None:
        """Undo, redo, hide, show or delete a step (``edit(doc)``), then bring the render up to
        date: from the render cache at once when it holds it, else in a job."""
        busy = self.busy_job(doc)
        if busy is not None:
            raise BadInput(f"{busy.title} is still running on this picture; "
                           "wait for it to finish or cancel it (Esc)")
        edit(doc)
        return self.refresh(doc, listener=listener)

    def replaced_step(self, doc: Document, op_id: str, new_step: bool = False) -> int | None:
        """The step a Run of ``op_id`` would change rather than add (see :meth:`run_operation`)."""
        number = self.edited_step(doc, op_id, new_step)
        if number is not None or new_step or not doc.stack.cursor:
            return number
        last = doc.stack.step(doc.stack.cursor)
        masked = "mask" in self.host.operation(op_id).inputs and doc.has_mask()
        plain = last.op == op_id and last.mask is None and last.reference is None and not masked
        return doc.stack.cursor if plain else None

    def preview(self, doc: Document, op_id: str, params: Mapping[str, Any], seed: int = 0, *,
                new_step: bool = False) -> Callable[..., Image] | None:
        """A live preview of a Run with these values: ``frame(edge=PROXY_EDGE, budget=None)``,
        to call in a worker, renders it from a proxy of ``edge`` pixels (None: full size)
        without changing anything. The stack is taken as it is now. None when the operation,
        or a step after it, is not quick enough to preview, or it would take a painted mask
        as a new step."""
        if doc.path is None or not self.engine.is_cheap(op_id):
            return None
        op = self.host.operation(op_id)
        checked = validate_params(op, params, self.host.plugin_of(op_id).name)
        stack = EditStack(steps=list(doc.stack.applied), cursor=doc.stack.cursor)
        number = self.edited_step(doc, op_id, new_step)
        if number is None:
            if "mask" in op.inputs and doc.has_mask():
                return None
            number = stack.record(make_step(self.host, op_id, checked, seed), as_new=new_step)
        ops = self.host.operations()
        if any(s.op not in ops or not ops[s.op].cheap for s in stack.applied[number:] if s.enabled):
            return None  # a heavy step after it would re-run on every frame
        path, engine = doc.path, self.engine
        return lambda edge=PROXY_EDGE, budget=None: engine.preview(path, stack, number, checked, edge=edge,
                                                                   budget=budget)

    # ------------------------------------------------------------------ opening and rendering

    def load(self, path: Path) -> Document:
        """Open a picture and find its render in the render cache (no operation runs): the full
        one, else the screen-sized copy to show while it renders. Safe in a worker."""
        doc = Document.open(path)
        if doc.ready:
            return doc
        try:
            found = self.engine.cached(path, doc.stack)
            if found is not None:
                doc.set_current(found, doc.version)
            else:
                shown = self.engine.cached(path, doc.stack, edge=PROXY_EDGE)
                if shown is not None:
                    doc.shown = shown
        except PackshotError:
            pass  # reported when the render is tried (refresh)
        return doc

    def edited_thumbnail(self, path: Path, edge: int = THUMB_SIZE) -> np.ndarray | None:
        """An edited picture's thumbnail (8-bit sRGB RGB, on white) from the render cache; None for a
        picture without edits or whose render is not cached. Safe in a worker; runs no operation."""
        from packshot.core.icc import is_srgb, to_srgb

        try:
            stack = load_sidecar(path)
            image = self.engine.cached(path, stack, edge=edge) if stack and stack.enabled_steps() else None
        except PackshotError:
            return None
        if image is None:
            return None
        if not is_srgb(image.icc_profile):
            image = to_srgb(image)
        pixels = image.pixels if image.pixels.dtype == np.uint8 else (image.pixels >> 8).astype(np.uint8)
        if pixels.shape[2] == 4:
            alpha = pixels[..., 3:].astype(np.float32) / 255.0
            pixels = (pixels[..., :3] * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
        return np.ascontiguousarray(pixels)

    def opened(self, doc: Document, *, listener: Listener = None) -> Job | None:
        """A picture finished loading: keep it, and render its stack (a job) unless the cache had it."""
        self.opening.discard(doc.path)
        self.keep(doc)
        if doc.warning:
            self.on_message("error", doc.warning)
        return self.refresh(doc, listener=listener)

    def refresh(self, doc: Document, *, listener: Listener = None) -> Job | None:
        """Bring ``doc``'s render up to date with its stack: from the render cache, or in a job
        (on the GPU lane when a step uses it); None when nothing had to run."""
        if doc.ready or doc.path is None:
            return None
        path, version = doc.path, doc.version
        stack = EditStack(steps=list(doc.stack.applied), cursor=doc.stack.cursor)
        try:
            found = self.engine.cached(path, stack)
        except PackshotError as exc:
            self._not_rendered(doc, exc)
            return self.refresh(doc, listener=listener)
        if found is not None:
            doc.set_current(found, version)
            self.on_rendered(doc)
            return None
        ops = self.host.operations()
        uses_gpu = any(ops[s.op].uses_gpu for s in stack.enabled_steps() if s.op in ops)
        job = self.runner.submit_task(f"Render {doc.name}", lambda ctx: self.engine.render(path, stack, ctx),
                                      uses_gpu=uses_gpu, listener=listener)
        self._renders[job] = (doc, version)
        return job

    def finish_render(self, job: Job) -> None:
        doc, version = self._renders.pop(job, (None, 0))
        if doc is None or version != doc.version:
            return
        if job.state == "done":
            doc.set_current(job.result, version)
            self.on_rendered(doc)
        elif job.state == "failed":
            self._not_rendered(doc, job.error)
            self.refresh(doc)
        elif version == 0:  # just opened: continue from the original, as shot
            self.on_message("info", f"Rendering the saved edits of {doc.name} was cancelled; they stay in its "
                                    "history until a new edit replaces them.")
            doc.stop_at(0)
        else:  # after a change: the stack stays; the next change or Run renders it
            self.on_message("info", f"Rendering {doc.name} was cancelled; the picture shown is the one before "
                                    "the last change until it is rendered (Run, Undo or Redo).")

    def _not_rendered(self, doc: Document, error: BaseException | None) -> None:
        """A stack that cannot be rendered continues before its first missing operation (else
        from the original); the saved steps stay in its history."""
        ops = self.host.operations()
        cursor = next((i for i, s in enumerate(doc.stack.applied) if s.enabled and s.op not in ops), 0)
        self.on_message("error", f"The saved edits of {doc.name} could not be rendered "
                                 f"({describe_error(error) if error else 'failed'}). Editing continues "
                                 f"from {'the original' if cursor == 0 else f'step {cursor}'}; the saved steps "
                                 "stay in its history until a new edit replaces them.")
        doc.stop_at(cursor)

    # ------------------------------------------------------------------ edits onto many pictures

    def apply_steps(self, paths: Sequence[Path], steps: Sequence[Step], what: str, *,
                    listener: Listener = None, render_listener: Callable[[], Listener] = lambda: None) -> Job:
        """Add ``steps`` to each picture's stack (see :mod:`packshot.desktop.edit_sync`): the open
        ones change at once (undoable, each re-rendered in its own job), the others in one job that
        renders and saves them; :meth:`finish_apply_steps` reports. Pictures with work under way are skipped."""
        from .edit_sync import apply_steps, copied

        if not steps:
            raise BadInput(f"{what}: no steps chosen")
        busy = {d.path for d in self.docs.values() if self.busy_job(d) is not None}
        targets = [Path(p) for p in paths if Path(p) not in busy]
        if not targets:
            raise BadInput(f"{what}: no picture to edit (select pictures in the library; "
                           "pictures with an operation running are skipped)")
        opened = [self.docs[p] for p in targets if p in self.docs]
        for doc in opened:
            self.change(doc, lambda d: d.change(lambda stack: [stack.append(s) for s in copied(steps)]),
                        listener=render_listener())
            self.save(doc)
        closed = [p for p in targets if p not in self.docs]
        ops = self.host.operations()
        uses_gpu = any(ops[s.op].uses_gpu for s in steps if s.op in ops)
        engine = self.engine
        job = self.runner.submit_task(f"{what} ({len(targets)} pictures)",
                                      lambda ctx: apply_steps(closed, steps, engine, ctx),
                                      uses_gpu=uses_gpu, listener=listener)
        self._applying[job] = (what, [d.path for d in opened if d.path is not None])
        return job

    def finish_apply_steps(self, job: Job) -> None:
        """Report an ended apply job (the open pictures were changed when it started)."""
        what, opened = self._applying.pop(job)
        if job.state == "failed":
            self.on_message("error", f"{what}: {describe_error(job.error) if job.error else 'failed'}")
            return
        outcome = job.result if job.state == "done" else ApplyOutcome(cancelled=True)
        for path in outcome.done:  # the library keeps each picture's stack too
            self.guard_library(self.catalogue.save_edit_stack, path, load_sidecar(path))
        outcome.done[:0] = opened
        self.on_message("error" if outcome.failed else "info", outcome.summary(what))

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
