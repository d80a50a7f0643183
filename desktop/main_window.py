"""The main window: library on the left, canvas in the middle, operations and tools on the right.

Construct it with the plugins to show and the settings to use::

    host = PluginHost()
    host.register(my_plugin, "mine", version="1.0")
    window = MainWindow(host=host, settings=Settings(), open_on_start=False)

``host`` defaults to every installed plugin (honouring the disabled list), ``settings``
to the saved ones; ``runner`` (a :class:`packshot.core.jobs.JobRunner`) and ``library`` (a
:class:`packshot.core.library.Library`) can be given too. ``open_on_start=False`` skips reopening
the last folder (or the sample photos on a first run), which is what tests and the
plugin-author kit want. Then ``open_folder(path)``, ``run_operation(op_id, params)``
(returns the :class:`packshot.core.jobs.Job`), ``undo()``, ``export(...)`` and ``export_selection(...)``
(returns the :class:`packshot.desktop.selection_export.SelectionExport`) drive it as a person would.
Every failure ends up as a message in the window's message bar, never a dead window.

The window is a view: what is open and what runs lives in its
:class:`packshot.desktop.session.EditorSession` (``window.session``, no Qt); its commands
are the data in :mod:`packshot.desktop.actions`; drawn pictures are kept in a
:class:`packshot.desktop.render_cache.RenderCache`. The job runner's lanes are QThreads the
window owns (:mod:`packshot.desktop.lanes`); closing the window cancels its jobs and joins them.
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSlider,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from packshot.core.batch import DEFAULT_TEMPLATE
from packshot.core.errors import BadInput, PackshotError
from packshot.core.image import Image
from packshot.core.jobs import Job, JobRunner
from packshot.core.library.probe import IMAGE_SUFFIXES
from packshot.core.params import Numbers
from packshot.core.plugin_host import PluginHost, load_plugins
from packshot.core.recipe import Step
from packshot.core.resources import sample_images
from packshot.core.settings import Settings, config_dir, data_dir, load_settings

from .actions import TOOLBAR, action_keys, install_actions, menu
from .aspect_presets import aspect_shapes
from .canvas import Canvas, Rendered, render
from .catalogue import Catalogue, list_folder
from .document import Document, describe_error
from .export_queue import ExportQueue
from .folder_dialog import choose_folder, images_filter
from .history_panel import HistoryPanel
from .info_panel import InfoPanel
from .job_progress import JobStatus
from .job_progress import describe as describe_job
from .lanes import qt_lanes
from .library_panel import LibraryPanel
from .live_preview import FRAME_BUDGET_S, SETTLE_MS, LivePreview
from .mask_tools import MaskTools
from .message_bar import MessageBar
from .operations_panel import OperationsPanel, op_title
from .picture_stats import picture_facts
from .queue_panel import QueuePanel
from .render_cache import RenderCache
from .report_view import ReportButton
from .session import EditorSession
from .shortcuts import ShortcutsDialog
from .typing_focus import is_character, takes_typing
from .workers import JobBridge, Workers

if TYPE_CHECKING:
    from packshot.core.export import ExportOptions
    from packshot.core.library import Library
    from packshot.core.models import ModelStore

    from .selection_export import SelectionExport

SPOT_HEAL_OP = "repair.remove_dust"  # what the spot-heal tool's click runs
# Export Selection offers the folder and file names last exported with (in desktop.ini),
# as Lightroom does: a catalogue is exported shoot after shoot into the same place.
LAST_EXPORT_FOLDER = "export_selection/folder"
LAST_EXPORT_TEMPLATE = "export_selection/template"


def sample_folder() -> Path:
    """``<data dir>/samples`` holding copies of the bundled sample photos (missing ones re-copied)."""
    folder = data_dir() / "samples"
    folder.mkdir(parents=True, exist_ok=True)
    for source in sample_images():
        if not (folder / source.name).exists():
            shutil.copyfile(source, folder / source.name)
    return folder


def desktop_settings() -> QSettings:
    """Window layout, last folder and export choices, beside Packshot's own settings (tests stay isolated)."""
    return QSettings(str(config_dir() / "desktop.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    """The editor. See the module docstring for how to construct one."""

    def __init__(self, host: PluginHost | None = None, settings: Settings | None = None, *,
                 runner: JobRunner | None = None, library: Library | None = None,
                 open_on_start: bool = True) -> None:
        super().__init__()
        self.setWindowTitle("Packshot")
        self.setAcceptDrops(True)
        settings = settings if settings is not None else load_settings()
        self.session = EditorSession(host if host is not None else load_plugins(settings.disabled_plugins),
                                     settings, runner=runner, library=library, lanes=qt_lanes(self))
        self.session.on_message = self._message
        self.session.on_rendered = lambda doc: self.library.refresh_thumbnail(doc.path)
        self.qsettings = desktop_settings()
        self.bridge = JobBridge(parent=self)
        self.workers = Workers(threads=2, parent=self)
        self.exports = ExportQueue(self.session, self.bridge, parent=self)
        self.renders = RenderCache()
        self.previews = LivePreview(self.workers, self._show_preview, self.show_error, parent=self)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(lambda: self.guard(self._slider_stopped))
        self._filling_form = False
        self._previewed: Document | None = None  # the picture the last preview frame was asked for
        self.clipboard_steps: list[Step] = []  # Copy Settings' edits, for Paste Settings
        self._build_ui()
        self.commands = install_actions(self)
        self._build_toolbar()
        self._connect()
        self._load_operations()
        self._restore_layout()
        cast(QApplication, QApplication.instance()).installEventFilter(self)
        if open_on_start:
            QTimer.singleShot(0, self.open_start)

    # What the session holds, under the names the window has always offered.

    @property
    def host(self) -> PluginHost:
        return self.session.host

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def models(self) -> ModelStore:
        return self.session.models

    @property
    def catalogue(self) -> Catalogue:
        return self.session.catalogue

    @property
    def docs(self) -> OrderedDict[Path, Document]:
        return self.session.docs

    @property
    def document(self) -> Document | None:
        return self.session.document

    @property
    def folder(self) -> Path | None:
        return self.session.folder

    # ------------------------------------------------------------------ building

    def _build_ui(self) -> None:
        self._build_centre()
        self._build_docks()
        self._build_status_bar()
        self._fit_screen()

    def _fit_screen(self, preferred: tuple[int, int] = (1440, 900)) -> None:
        """The preferred first size, within the screen's free area (a 1400 px laptop
        screen lost the operations panel past its right edge)."""
        screen = self.screen().availableGeometry()
        self.resize(min(preferred[0], screen.width()), min(preferred[1], screen.height()))

    def _build_centre(self) -> None:
        """The message bar over the canvas (its overlays, the mask and the split, live in
        :mod:`packshot.desktop.canvas`), and the picture's size and zoom under it."""
        self.canvas: Canvas = Canvas()
        self.canvas.setObjectName("canvas")
        self.message_bar = MessageBar()
        self.zoom_label = QLabel("")
        self.info_label = QLabel("")
        self.split_box: QCheckBox = QCheckBox("Before/after split")
        self.split_slider = QSlider(Qt.Orientation.Horizontal)
        self.split_slider.setRange(0, 1000)
        self.split_slider.setValue(500)
        self.split_slider.setMaximumWidth(200)
        self.split_slider.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(8, 2, 8, 2)
        bottom.addWidget(self.info_label, 1)
        bottom.addWidget(self.zoom_label)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(bottom)
        self.setCentralWidget(centre)

    def _build_docks(self) -> None:
        """Library on the left; operations, and the history / mask / queue tabs, on the right."""
        self.library: LibraryPanel = LibraryPanel(self.catalogue, edited=self.session.edited_thumbnail)
        self.operations: OperationsPanel = OperationsPanel(self._missing_models)
        self.mask_tools: MaskTools = MaskTools()
        self.history = HistoryPanel(self._op_title)
        self.queue = QueuePanel(self.session, self.bridge, self.exports)
        self.tools_tabs = QTabWidget()
        self.tools_tabs.addTab(self.history, "History")
        self.tools_tabs.addTab(self.mask_tools, "Mask")
        self.tools_tabs.addTab(self.queue, "Queue")
        self.info = InfoPanel()
        self.tools_tabs.addTab(self.info, "Info")
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
                ("library", "Library", self.library, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("operations", "Operations", self.operations, Qt.DockWidgetArea.RightDockWidgetArea),
                ("tools", "History, mask, queue and info", self.tools_tabs, Qt.DockWidgetArea.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable |
                             QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.resizeDocks([self.docks["library"], self.docks["operations"]], [330, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["operations"], self.docks["tools"]], [640, 180], Qt.Orientation.Vertical)

    def _build_status_bar(self) -> None:
        """Transient messages on the left; on the right the running job's name, bar, time left and
        Cancel (:class:`packshot.desktop.job_progress.JobStatus`), fed by ``self.bridge``."""
        self.job_status = JobStatus()
        self.report_button = ReportButton()
        self.statusBar().addPermanentWidget(self.report_button)
        self.statusBar().addPermanentWidget(self.job_status)
        self._busy_clock = QTimer(self)  # the time left moves on even while a job reports nothing
        self._busy_clock.setInterval(1000)
        self._busy_clock.timeout.connect(self._show_busy)
        self.statusBar().showMessage("Ready")

    def _build_toolbar(self) -> None:
        """The toolbar (:data:`packshot.desktop.actions.TOOLBAR`) and the docks' toggles in the View menu."""
        view = menu(self, "&View")
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        self.commands["edit.undo"].setEnabled(False)
        self.commands["edit.redo"].setEnabled(False)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        for action_id in TOOLBAR:
            if action_id is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self.commands[action_id])
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.split_box)
        toolbar.addWidget(self.split_slider)

    def _connect(self) -> None:
        self.library.imageSelected.connect(self.open_image)
        self.library.error.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.library.notice.connect(self.show_error)
        self.operations.runRequested.connect(
            lambda op_id, params, seed, prompt, ref: self.guard(self.run_operation, op_id, params, seed, prompt, ref,
                                                                self.operations.wants_new_step()))
        self.operations.tree.currentItemChanged.connect(self._operation_chosen)
        self.operations.cancelRequested.connect(self.cancel)
        self.operations.pickRequested.connect(self.pick_parameter_point)
        self.operations.error.connect(self.show_error)
        self.history.stepOpened.connect(lambda n: self.guard(self.open_step, n))
        self.history.stepToggled.connect(lambda n, on: self.guard(self.change, lambda doc: doc.set_enabled(n, on)))
        self.history.stepDeleted.connect(lambda n: self.guard(self.change, lambda doc: doc.delete(n)))
        self.mask_tools.toolChanged.connect(self.canvas.set_tool)
        self.mask_tools.toolChanged.connect(
            lambda tool: self.tools_tabs.setCurrentWidget(self.mask_tools) if tool != "hand" else None)
        self.mask_tools.sizeChanged.connect(lambda v: setattr(self.canvas, "brush_size", v))
        self.mask_tools.hardnessChanged.connect(lambda v: setattr(self.canvas, "hardness", v))
        self.mask_tools.opacityChanged.connect(self._set_overlay_opacity)
        self.mask_tools.clearRequested.connect(self.clear_mask)
        self.mask_tools.invertRequested.connect(self.invert_mask)
        self.mask_tools.useResultRequested.connect(self.use_result_mask)
        self.canvas.maskPainted.connect(self._mask_changed)
        self.canvas.healClicked.connect(lambda x, y: self.guard(self.spot_heal, x, y))
        self.canvas.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        self.split_box.toggled.connect(self._split_toggled)
        self.split_slider.valueChanged.connect(
            lambda v: self.canvas.set_split(v / 1000) if self.split_box.isChecked() else None)
        # The bridge and the export queue emit from the job lanes' threads: Qt queues those calls
        # onto the UI thread (automatic connections across threads are queued).
        self.bridge.progressed.connect(self._job_progress)
        self.bridge.changed.connect(self._show_busy)
        self.bridge.progressed.connect(self._show_busy)
        self.job_status.cancelRequested.connect(self._cancel_job)
        self.exports.changed.connect(self._export_progress)

    def _missing_models(self, op) -> list[str]:
        """An operation's model names when none of their files is present (any one will do; no checksums here)."""
        missing = []
        for name in op.models:
            try:
                present = (self.models.folder / self.models.entry(name).file).is_file()
            except PackshotError:
                present = False
            if not present:
                missing.append(name)
        return missing if len(missing) == len(op.models) else []

    def _op_title(self, op_id: str) -> str:
        op = self.host.operations().get(op_id)
        return op_title(op) if op is not None else f"{op_id} (not installed)"

    def _load_operations(self) -> None:
        self.operations.aspect_shapes = aspect_shapes(self.host.export_presets())
        self.operations.set_operations(self.host.operations())
        failed = self.host.failures()
        if failed:
            names = "; ".join(f"{i.name}: {i.error}" for i in failed)
            self.show_error(f"Some plugins failed to load and were disabled ({names}). See Tools > Plugins.")

    # ------------------------------------------------------------------ messages

    def show_error(self, text: str) -> None:
        self.message_bar.show_message(text, "error")
        self.statusBar().showMessage(text.splitlines()[0], 10000)

    def show_info(self, text: str) -> None:
        self.message_bar.show_message(text, "info")
        self.statusBar().showMessage(text, 10000)

    def _message(self, kind: str, text: str) -> None:
        """The session's messages: errors and notices in the message bar, the rest in the status bar."""
        if kind == "error":
            self.show_error(text)
        elif kind == "info":
            self.show_info(text)
        else:
            self.statusBar().showMessage(text, 15000)

    def guard(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a UI action; any failure becomes a message instead of a traceback."""
        try:
            return fn(*args)
        except Exception as exc:  # the window must survive whatever a plugin or file does
            self.show_error(describe_error(exc))
            return None

    # ------------------------------------------------------------------ opening

    def open_start(self) -> None:
        """The last folder, or the bundled sample photos on a first run."""
        last = str(self.qsettings.value("last_folder", ""))
        if last and Path(last).is_dir():
            self.open_folder(Path(last))
        else:
            self.open_samples()

    def open_samples(self) -> None:
        """The bundled sample photos, copied once into the user's data folder.

        Edits save their history beside the picture, and the installed package is no
        place for that; the copies are.
        """
        self.open_folder(sample_folder())

    def choose_folder(self) -> None:
        folder = choose_folder(self, "Open a folder of pictures", self.folder or Path.home())
        if folder is not None:
            self.open_folder(folder)

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open pictures", str(self.folder or Path.home()),
                                                images_filter())
        if files:
            self.open_paths([Path(f) for f in files])

    def open_folder(self, folder: Path) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            raise BadInput(f"{folder}: not a folder")
        self.session.folder = folder
        self.qsettings.setValue("last_folder", str(folder))
        self.library.open_folder(folder)
        self.setWindowTitle(f"Packshot — {folder.name}")
        if not self.library.paths():
            self.show_info(f"No pictures in {folder} (Packshot reads {', '.join(sorted(IMAGE_SUFFIXES))}).")

    def open_paths(self, paths: Sequence[Path]) -> None:
        """Files and folders (as dropped on the window): a single folder opens as the library."""
        paths = [Path(p) for p in paths]
        if len(paths) == 1 and paths[0].is_dir():
            self.open_folder(paths[0])
            return
        files: list[Path] = []
        for p in paths:
            if p.is_dir():
                files.extend(list_folder(p))
            elif p.suffix.lower() in IMAGE_SUFFIXES:
                files.append(p)
        if not files:
            raise BadInput("nothing to open: drop image files or a folder")
        self.library.open_paths(files)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.guard(self.open_paths, paths)
            event.acceptProposedAction()

    def open_image(self, path: Path) -> None:
        """Show a picture; loading and rendering happen in workers, replaying its history in a job."""
        path = Path(path)
        if path in self.docs:
            self.session.keep(self.docs[path])
            self._set_document(self.docs[path])
            return
        if path in self.session.opening:
            return
        self.session.opening.add(path)
        self.statusBar().showMessage(f"Opening {path.name}...")

        def failed(message: str) -> None:
            self.session.opening.discard(path)
            self.show_error(message)

        self.workers.start(lambda: self._load(path), self._opened, failed)

    def _load(self, path: Path) -> tuple[Document, Rendered]:
        """In a worker: the picture, and its render (or the render cache's screen-sized copy) drawn.
        The original of an edited picture is drawn afterwards (for before/after), not first."""
        doc = self.session.load(path)
        size = (doc.original.width, doc.original.height)
        return doc, render(doc.shown, size=None if doc.ready else size)

    def _opened(self, loaded: tuple[Document, Rendered]) -> None:
        doc, shown = loaded
        self.renders.put(doc.shown, shown)
        self._track(lambda listener: self.session.opened(doc, listener=listener), self.session.finish_render)
        current = self.library.current_entry()
        if current is not None and current.path == doc.path:
            self._set_document(doc)

    def _set_document(self, doc: Document) -> None:
        if self.document is not None:
            self.document.unsubscribe(self._document_event)
        self.session.document = doc
        doc.subscribe(self._document_event)
        self.canvas.set_document(doc)
        self._show_busy()
        self.history.show_document(doc)
        self._show_current()
        self._mask_changed()
        self.info_label.setText(f"{doc.name}  {doc.original.width} x {doc.original.height}  "
                                f"{doc.original.bit_depth}-bit")
        self.statusBar().showMessage(doc.name, 4000)

    # ------------------------------------------------------------------ showing pictures

    def _render(self, image: Image) -> None:
        """Draw a picture for the screen in a worker (never on a job lane: a model job need not wait)."""
        def done(rendered: Rendered) -> None:
            self.renders.put(image, rendered)
            if self.document is not None and (image is self.document.shown or image is self.document.original):
                self._show_current()

        def failed(message: str) -> None:
            self.renders.release(image)
            self.show_error(message)

        self.workers.start(lambda: render(image), done, failed)

    def _show_current(self) -> None:
        doc = self.document
        if doc is None:
            return
        for image in (doc.shown, doc.original):
            if self.renders.claim(image):
                self._render(image)
        current = self.renders.get(doc.shown)
        if current is None:
            return
        self.canvas.set_rendered(current, self.renders.get(doc.original))
        self.info.show_picture(current.histogram, current.clipped, picture_facts(doc.current or doc.original))
        self.commands["edit.undo"].setEnabled(doc.can_undo())
        self.commands["edit.redo"].setEnabled(doc.can_redo())

    def _document_event(self, event: str) -> None:
        if event == "image":
            self.canvas.show_box(None)  # a drawn crop box belongs to the picture it was drawn on
            self._show_current()
        elif event == "history":
            self.previews.cancel()
            self.history.show_document(self.document)
            self.session.save(self.document)
            if self.document is not None:
                self.commands["edit.undo"].setEnabled(self.document.can_undo())
                self.commands["edit.redo"].setEnabled(self.document.can_redo())
        elif event == "mask":
            self.canvas.refresh_overlay()
            self._mask_changed()

    # ------------------------------------------------------------------ operations

    def run_operation(self, op_id: str, params: dict | None = None, seed: int = 0,
                      prompt: str | None = None, reference: Path | None = None, new_step: bool = False, *,
                      mask: np.ndarray | None = None, nothing_done: str | None = None) -> Job:
        """Run an operation on the open picture in a job: it changes the step being adjusted
        (re-opened in the History panel, or the last one when it runs this operation), or with
        ``new_step`` adds one; ``mask`` replaces the painted one (a spot-heal click); with
        ``nothing_done`` a new step that changes nothing is dropped and that sentence shown.
        See :meth:`packshot.desktop.session.EditorSession.run_operation`."""
        self._settle.stop()
        self.previews.cancel()
        job = self.bridge.track(lambda listener: self.session.run_operation(
            op_id, params, seed, prompt, reference, new_step=new_step, mask=mask, nothing_done=nothing_done,
            listener=listener), self._operation_ended)
        self.operations.set_running(True, f"Running {job.title}...")
        return job

    def _operation_ended(self, job: Job) -> None:
        newest = job is self.session.last_job
        running = self.session.running_step(job)
        version = running[0].version if running is not None else -1
        text = self.session.finish_operation(job)
        if job.state == "done":
            self.report_button.set_report(*(self.session.last_report or (job.title, None)))
        # a new version: the picture took the result (not a failure, nor a step dropped as changing nothing)
        if running is not None and running[0].version != version and running[1].mask is not None \
                and running[0] is self.document and running[0].has_mask():
            self.canvas.set_overlay_visible(False)  # judge the result, not the red paint over it
            text += " (mask overlay hidden: M shows it)"
        if newest:
            self.operations.set_running(False, text)

    def _job_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is self.session.last_job:
            self.operations.set_progress(fraction, message)

    def cancel(self) -> None:
        """Cancel the newest running operation (Esc); the queue panel cancels any job."""
        job = self.session.cancel()
        if job is not None:
            self.operations.set_progress(job.progress.fraction, "Cancelling...")

    def spot_heal(self, x: float, y: float) -> Job:
        """Q, then a click on a dust spot: the spot touching a brush-sized disc there is found
        (its whole extent) and healed by repair.remove_dust, one undoable step. A click that
        finds no spot adds no step (as in Lightroom and darktable) and says so."""
        doc = self.document
        if doc is None:
            raise BadInput("open a picture first")
        if SPOT_HEAL_OP not in self.host.operations():
            raise BadInput(f"spot heal needs {SPOT_HEAL_OP} (the built-in repair plugin); see Tools > Plugins")
        radius = max(self.canvas.brush_size / 2, 4.0)
        h, w = doc.picture_shape()
        yy, xx = np.ogrid[:h, :w]
        disc = (((yy - y) ** 2 + (xx - x) ** 2) <= radius ** 2).astype(np.float32)
        max_size = int(min(max(2 * radius, 15), 64))
        nothing = (f"No spot found under the brush: click closer to it, or make the brush larger "
                   f"({action_keys('mask.larger')} larger, {action_keys('mask.smaller')} smaller)")
        return self.run_operation(SPOT_HEAL_OP, {"max_size": max_size, "sensitivity": 0.7}, new_step=True,
                                  mask=disc, nothing_done=nothing)

    def _cancel_job(self, job: Job) -> None:
        job.cancel()
        self._show_busy()

    def _show_busy(self, *_args: Any) -> None:
        """The status bar's job (the newest operation, else the first running job) and, over the
        picture on the canvas, what works on it."""
        active = self.session.active_jobs()
        last = self.session.last_job
        shown = last if last in active else next((j for j in active if j.state == "running"),
                                                 active[0] if active else None)
        self.job_status.show_job(shown, len(active) - 1)
        doc = self.document
        job = self.session.busy_job(doc) if doc is not None else None
        self.canvas.set_busy(describe_job(job) if job is not None else None, job.progress.fraction if job else 0.0)
        if active and not self._busy_clock.isActive():
            self._busy_clock.start()
        elif not active:
            self._busy_clock.stop()

    def pick_parameter_point(self, name: str) -> None:
        """The next click on the picture fills an x, y parameter (an eyedropper's point); a box
        parameter (four fractions, a crop) is dragged instead."""
        op = self.operations.op
        param = next((p for p in op.params if p.name == name), None) if op is not None else None
        if isinstance(param, Numbers) and param.length == 4:
            self.pick_parameter_box(name)
            return

        def picked(x: float, y: float) -> None:
            doc = self.document
            if doc is None or self.operations.form is None:
                return
            height, width = doc.picture_shape()
            point = (float(min(max(round(x), 0), width - 1)), float(min(max(round(y), 0), height - 1)))
            self.operations.form.set_values({name: point})
            self.statusBar().showMessage(f"{name}: {point[0]:g}, {point[1]:g}", 6000)

        self.canvas.pick_point(picked)
        self.statusBar().showMessage(f"Click the picture to set {name}", 6000)

    def _form_aspect(self) -> float:
        """The form's crop aspect (width / height), 0 when it has none or it does not read."""
        form = self.operations.form
        if form is None or "aspect" not in form.editors:
            return 0.0
        try:
            return float(form.values()["aspect"] or 0.0)
        except PackshotError:
            return 0.0

    def pick_parameter_box(self, name: str) -> None:
        """The next drag on the picture fills a box parameter with fractions of the picture (a crop),
        drawn with a rule-of-thirds grid; the box stays shown until the picture changes."""
        def drawn(x0: float, y0: float, x1: float, y1: float) -> None:
            doc = self.document
            if doc is None or self.operations.form is None:
                return
            h, w = doc.picture_shape()
            box = (round(x0 / w, 4), round(y0 / h, 4), round(x1 / w, 4), round(y1 / h, 4))
            self.operations.form.set_values({name: box})
            self.statusBar().showMessage(f"{name}: {round(x1 - x0)} x {round(y1 - y0)} px; Run to apply", 6000)

        self.canvas.pick_box(drawn, aspect=self._form_aspect())
        self.statusBar().showMessage(f"Drag a rectangle on the picture to set {name}", 6000)

    # ------------------------------------------------------------------ history, masks and marks

    def _track(self, submit: Callable[[Any], Job | None], on_end: Callable[[Job], None]) -> Job | None:
        """Like ``bridge.track`` for work that may need no job (a render the cache holds)."""
        job = submit(self.bridge.listener(on_end))
        if job is not None:
            self.bridge.changed.emit(job)
        return job

    def change(self, edit: Callable[[Document], Any]) -> Job | None:
        """A change to the open picture's stack (undo, redo, hide, delete a step); its render
        comes from the render cache at once, or from a job."""
        doc = self.document
        if doc is None:
            return None
        return self._track(lambda listener: self.session.change(doc, edit, listener=listener),
                           self.session.finish_render)

    def undo(self) -> None:
        """Take back the last change to the stack (a re-adjusted step gets its previous values back)."""
        self.change(lambda doc: doc.undo())

    def redo(self) -> None:
        self.change(lambda doc: doc.redo())

    def open_step(self, number: int) -> None:
        """Re-open step ``number``: its operation and values in the form; Run (or a slider of a quick
        operation) changes that step."""
        doc = self.document
        if doc is None:
            return
        step = doc.stack.step(number)
        if step.op not in self.host.operations():
            raise BadInput(f"step {number} uses {step.op}, which is not installed")
        doc.editing = number
        self._filling_form = True
        try:
            self.operations.select(step.op)
            if self.operations.form is not None:
                self.operations.form.set_values(step.params)
            if step.seed <= self.operations.seed.maximum():
                self.operations.seed.setValue(step.seed)
        finally:
            self._filling_form = False
        self.history.show_document(doc)
        self._warm_preview()
        self.operations.status.setText(f"Editing step {number}: Run changes it"
                                       + (", and so does moving a slider" if self.session.engine.is_cheap(step.op)
                                          else ""))

    # ------------------------------------------------------------------ live preview

    def _operation_chosen(self, *_args: Any) -> None:
        """A new form: its changes preview live; a re-opened step of another operation is let go."""
        self.previews.cancel()
        self._settle.stop()
        form, op, doc = self.operations.form, self.operations.op, self.document
        if form is not None:
            form.changed.connect(self._form_changed)
        if doc is not None and doc.editing is not None and (op is None or doc.stack.step(doc.editing).op != op.id):
            doc.editing = None
            self.history.show_document(doc)
        self._warm_preview()

    def _warm_preview(self) -> None:
        """Render the proxy of the steps before the one a slider would change, unseen, so the
        first frame of a drag costs one step, not the whole stack's proxy."""
        wanted = self._form_values()
        doc = self.document
        if wanted is None or doc is None or not doc.ready:
            return
        frame = self.session.preview(doc, *wanted[:3], new_step=wanted[3])
        if frame is not None:
            self.previews.request(lambda: frame(budget=FRAME_BUDGET_S) and None)

    def _form_values(self) -> tuple[str, dict, int, bool] | None:
        op, form = self.operations.op, self.operations.form
        if op is None or form is None or self.document is None:
            return None
        try:
            params = form.values()
        except PackshotError:
            return None
        return op.id, params, self.operations.seed.value(), self.operations.new_step.isChecked()

    def _form_changed(self) -> None:
        """A value moved: a quick operation previews at once on a proxy; the rest say so."""
        wanted = None if self._filling_form else self._form_values()
        if wanted is None:
            return
        doc = self.document
        if doc is None or not doc.ready:
            return
        frame = self.session.preview(doc, *wanted[:3], new_step=wanted[3])
        if frame is None:
            self.operations.status.setText("Run to see the change")
            return
        self._previewed = doc
        size = (doc.shown.width, doc.shown.height) if doc.ready else None
        self.previews.request(lambda: (doc, render(frame(budget=FRAME_BUDGET_S), size=size)))
        self._settle.start()

    def _show_preview(self, value: tuple[Document, Rendered]) -> None:
        doc, rendered = value
        if doc is self.document:
            self.canvas.set_rendered(rendered)

    def _slider_stopped(self) -> None:
        """The full-resolution picture follows a preview: a step being adjusted takes the values
        (one change, undoable); a new operation's full-size preview waits for Run."""
        wanted = self._form_values()
        doc = self.document
        if wanted is None or doc is None or doc is not self._previewed or not doc.ready:
            return
        op_id, params, seed, new_step = wanted
        number = self.session.replaced_step(doc, op_id, new_step)
        if number is None:
            frame = self.session.preview(doc, op_id, params, seed, new_step=new_step)
            if frame is not None:
                self.previews.request(lambda: (doc, render(frame(edge=None))))
                self.operations.status.setText("Preview: Run to apply")
            return
        step = doc.stack.step(number)
        if self.session.busy_job(doc) is not None:
            self._settle.start()  # the last commit still runs: take this value after it
        elif (step.params, step.seed) != (self.host.operation(op_id).validate(params), seed):
            self.run_operation(op_id, params, seed)

    def clear_mask(self) -> None:
        if self.document is not None:
            self.document.clear_mask()

    def invert_mask(self) -> None:
        if self.document is not None:
            self.document.invert_mask()

    def use_result_mask(self) -> None:
        if self.document is not None and not self.document.use_result_mask():
            self.show_info("The last operation produced no mask to use (a cut-out does).")

    def _mask_changed(self) -> None:
        """The mask panel's coverage and the form's mask note follow the painted mask."""
        doc = self.document
        mask = doc.mask if doc is not None and doc.has_mask() else None
        self.mask_tools.set_status(mask)
        self.operations.set_mask(mask)

    def toggle_clipping(self) -> None:
        """J: show or hide the clipped highlights and shadows on the picture."""
        self.canvas.set_clipping_visible(not self.canvas.show_clipping)
        self.statusBar().showMessage("Clipping " + ("shown: red highlights, blue shadows" if self.canvas.show_clipping
                                                    else "hidden"), 4000)

    def toggle_mask_overlay(self) -> None:
        """M: show or hide the red mask over the picture (the mask itself stays)."""
        self.canvas.set_overlay_visible(not self.canvas.show_overlay)
        self.statusBar().showMessage("Mask overlay " + ("shown" if self.canvas.show_overlay else "hidden (M shows it)"),
                                     4000)

    def _set_overlay_opacity(self, value: float) -> None:
        self.canvas.overlay_opacity = value
        self.canvas.update()

    def mark(self, **marks) -> None:
        """Rate, flag or label the selected pictures; the status bar says what they now carry."""
        marked = self.library.mark(**marks)
        if not marked:
            return
        entry = marked[0]
        flag = {"pick": "pick", "reject": "rejected", "": "unflagged"}[entry.flag]
        what = {"rating": "★" * entry.rating or "no stars", "flag": flag, "label": entry.label or "no label"}
        if len(marked) == 1:
            text = f"{entry.path.name}: {what['rating']}, {flag}" + (f", {entry.label}" if entry.label else "")
        else:
            text = f"{len(marked)} pictures: " + ", ".join(what[name] for name in marks)
        self.statusBar().showMessage(text, 4000)

    def _split_toggled(self, on: bool) -> None:
        self.split_slider.setEnabled(on)
        self.canvas.set_split(self.split_slider.value() / 1000 if on else None)

    # ------------------------------------------------------------------ edits onto many pictures

    def _choose_steps(self, heading: str) -> list[Step] | None:
        """The open picture's edits the person ticks (None: cancelled)."""
        from .steps_dialog import StepsDialog

        if self.document is None or not self.document.stack.applied:
            raise BadInput("the open picture has no edits to take")
        dialog = StepsDialog(self.document.stack.applied, self._op_title, heading, self)
        return dialog.chosen() if dialog.exec() else None

    def copy_settings(self) -> None:
        """Ctrl+Shift+C: remember the ticked edits of the open picture for Paste Settings."""
        steps = self._choose_steps("Copy settings")
        if steps:
            self.clipboard_steps = steps
            self.statusBar().showMessage(f"Copied {len(steps)} edit(s); Ctrl+Shift+V pastes them onto the "
                                         "selected pictures", 6000)

    def paste_settings(self) -> None:
        """Ctrl+Shift+V: add the copied edits to every selected picture."""
        if not self.clipboard_steps:
            raise BadInput("nothing copied: Copy Settings (Ctrl+Shift+C) on an edited picture first")
        self.apply_steps(self.library.selected_paths(), self.clipboard_steps, "Paste settings")

    def sync_settings(self) -> None:
        """Ctrl+Shift+S: the ticked edits of the open picture onto the other selected pictures."""
        current = self.document.path if self.document is not None else None
        targets = [p for p in self.library.selected_paths() if p != current]
        if not targets:
            raise BadInput("select the pictures to sync (Ctrl+click) besides the open one")
        steps = self._choose_steps("Sync settings")
        if steps:
            self.apply_steps(targets, steps, "Sync settings")

    def save_edits_preset(self) -> None:
        """Save the open picture's edits as a named preset."""
        from .edit_sync import save_preset

        if self.document is None:
            raise BadInput("open an edited picture first")
        name, ok = QInputDialog.getText(self, "Save edits as a preset", "Preset name:")
        if ok and name.strip():
            save_preset(name, self.document.stack.applied)
            self.statusBar().showMessage(f"Saved the edits as preset {name.strip()!r}", 6000)

    def apply_edits_preset(self, name: str | None = None) -> Job | None:
        """Add a named preset's edits to the selected pictures."""
        from .edit_sync import load_preset, preset_names

        if name is None:
            names = preset_names()
            if not names:
                raise BadInput("no edit presets yet: Photo > Save Edits as Preset... on an edited picture")
            name, ok = QInputDialog.getItem(self, "Apply a preset", "Preset:", names, 0, False)
            if not ok:
                return None
        return self.apply_steps(self.library.selected_paths(), load_preset(name), f"Preset {name}")

    def apply_steps(self, paths: Sequence[Path], steps: Sequence[Step], what: str) -> Job:
        """Edits onto many pictures in a job (progress in the status bar, Cancel between pictures)."""
        return self.bridge.track(lambda listener: self.session.apply_steps(
            paths, steps, what, listener=listener,
            render_listener=lambda: self.bridge.listener(self.session.finish_render)), self.session.finish_apply_steps)

    # ------------------------------------------------------------------ exporting

    def show_export(self) -> None:
        from .export_dialog import ExportDialog

        if self.document is None:
            raise BadInput("open a picture to export")
        if not self.document.ready:
            raise BadInput(f"{self.document.name} is not rendered yet (see the Queue); export it once it is")
        dialog = ExportDialog(self.document, self.host.export_presets(), self)
        if dialog.exec():
            dialog.target().parent.mkdir(exist_ok=True)  # the default export/ beside the originals
            self.export(cast(Image, self.document.current), dialog.target(), dialog.options(),  # ready: rendered
                        source=self.document.path)

    def export(self, image: Image, path: Path, options: ExportOptions, source: Path | None = None) -> Job:
        """Export in a job; the result (size, bytes) or the error arrives as a message."""
        return self.bridge.track(lambda listener: self.session.export(image, path, options, source, listener=listener),
                                 self.session.finish_export)

    def show_export_selection(self) -> None:
        from .export_selection_dialog import SelectionExportDialog

        paths = self.library.selected_paths()
        if not paths:
            raise BadInput("select pictures in the library to export")
        last_folder = str(self.qsettings.value(LAST_EXPORT_FOLDER, ""))
        dialog = SelectionExportDialog(len(paths), self.host.export_presets(), self,
                                       folder=Path(last_folder) if last_folder else paths[0].parent / "export",
                                       template=str(self.qsettings.value(LAST_EXPORT_TEMPLATE, DEFAULT_TEMPLATE)))
        if dialog.exec():
            self.qsettings.setValue(LAST_EXPORT_FOLDER, str(dialog.folder.path()))
            self.qsettings.setValue(LAST_EXPORT_TEMPLATE, dialog.template())
            self.export_selection(paths, dialog.folder.path(), dialog.options(), preset=dialog.form.preset_name(),
                                  template=dialog.template(), overwrite=dialog.overwrite())

    def export_selection(self, paths: Sequence[Path], out_dir: Path, options: ExportOptions, *, preset: str = "",
                         template: str = DEFAULT_TEMPLATE, overwrite: bool = False) -> SelectionExport:
        """Export pictures, each with its saved edits, in a job (the queue shows it and cancels
        it); one message reports the end, failures included."""
        export = self.exports.start(paths, out_dir, options, preset=preset, template=template, overwrite=overwrite)
        self.tools_tabs.setCurrentWidget(self.queue)
        return export

    def _export_progress(self, export: SelectionExport) -> None:
        if export.running and export in self.exports.active():
            self.statusBar().showMessage(export.describe())

    # ------------------------------------------------------------------ dialogs

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def show_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec() and dialog.saved is not None:
            self.session.apply_settings(dialog.saved)

    def show_plugins(self) -> None:
        from .plugins_dialog import PluginsDialog

        PluginsDialog(self.host, self.settings, self).exec()

    def show_models(self) -> None:
        from .models_dialog import ModelsDialog

        ModelsDialog(self.host, self.settings, self, store=self.models).exec()

    # ------------------------------------------------------------------ keys, layout, closing

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Hold ``\\`` for the original and Space to pan, wherever the focus is (except where one types);
        a character typed into a list or a field is text there, never a single-key command."""
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and isinstance(obj, QWidget) and obj.window() is self \
                and is_character(event) and takes_typing(QApplication.focusWidget()):
            event.accept()  # the key goes to the focused widget, not to a shortcut
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(obj, QWidget) \
                and obj.window() is self and not cast(QKeyEvent, event).isAutoRepeat():
            typing = takes_typing(QApplication.focusWidget())
            pressed = kind == QEvent.Type.KeyPress
            key = cast(QKeyEvent, event).key()
            if key == Qt.Key.Key_Backslash and not typing:
                self.canvas.set_show_before(pressed)
                return True
            if key == Qt.Key.Key_Space and not typing:
                self.canvas.space_held = pressed
                return True
        return super().eventFilter(obj, event)

    def _restore_layout(self) -> None:
        geometry = self.qsettings.value("geometry")
        state = self.qsettings.value("state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the layout; cancel every job and join the lanes and workers before the window goes."""
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("state", self.saveState())
        self.qsettings.sync()
        cast(QApplication, QApplication.instance()).removeEventFilter(self)
        self.bridge.blockSignals(True)  # what the lanes still report while they stop reaches nothing
        self.exports.blockSignals(True)
        self._settle.stop()
        self.previews.cancel()
        self.library.stop()
        self.workers.stop()
        self.session.close()
        super().closeEvent(event)
