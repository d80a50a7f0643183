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
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QCheckBox, QDockWidget, QFileDialog,
                               QHBoxLayout, QLabel, QLineEdit, QMainWindow, QPlainTextEdit, QSizePolicy, QSlider,
                               QTabWidget, QTextEdit, QVBoxLayout, QWidget)

from packshot.core.batch import DEFAULT_TEMPLATE
from packshot.core.context import Context
from packshot.core.errors import BadInput, MissingModel, PackshotError
from packshot.core.image import Image
from packshot.core.imageio import load_image
from packshot.core.jobs import Job, JobRunner
from packshot.core.library.probe import IMAGE_SUFFIXES
from packshot.core.models import open_store
from packshot.core.operation import Inputs
from packshot.core.plugin_host import PluginHost, load_plugins
from packshot.core.recipe import make_step
from packshot.core.resources import sample_images
from packshot.core.settings import Settings, config_dir, data_dir, load_settings

from .canvas import Canvas, Rendered, render
from .catalogue import Catalogue, list_folder
from .document import Document, describe_error
from .export_queue import ExportQueue
from .history_panel import HistoryPanel
from .library_panel import LibraryPanel
from .mask_tools import MaskTools
from .message_bar import MessageBar
from .operations_panel import OperationsPanel, op_title
from .qt_compat import protect_singletons
from .queue_panel import QueuePanel
from .selection_export import ExportResult, SelectionExport, summary
from .shortcuts import ShortcutsDialog
from .workers import JobBridge, Tasks

if TYPE_CHECKING:
    from packshot.core.export import ExportOptions
    from packshot.core.library import Library

RENDER_CACHE = 8
KEEP_DOCUMENTS = 6
LABEL_KEYS = {"6": "Red", "7": "Yellow", "8": "Green", "9": "Blue"}
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
        protect_singletons()
        super().__init__()
        self.setWindowTitle("Packshot")
        self.setAcceptDrops(True)
        self.settings = settings if settings is not None else load_settings()
        self.host = host if host is not None else load_plugins(self.settings.disabled_plugins)
        self.qsettings = desktop_settings()
        self.models = open_store(self.settings, self.host)
        self.bridge = JobBridge(runner or JobRunner(device=self.settings.device, tile_size=self.settings.tile_size,
                                                    models=self.models,
                                                    settings={"models_dir": str(self.settings.models_path)}),
                                parent=self)
        self.tasks = Tasks(threads=2, parent=self)
        self.exports = ExportQueue(self.host, parent=self)
        self.catalogue = Catalogue(library)
        self.document: Document | None = None
        self.docs: OrderedDict[Path, Document] = OrderedDict()  # recently opened, newest last
        self.folder: Path | None = None
        self._rendered: OrderedDict[int, tuple[Image, Rendered]] = OrderedDict()
        self._running: dict[int, tuple[Document, object, object, int]] = {}
        self._last_job: Job | None = None
        self._opening: set[Path] = set()
        self._rendering: set[int] = set()  # ids of pictures being rendered in a worker
        self._build_ui()
        self._build_actions()
        self._connect()
        self._load_operations()
        self._restore_layout()
        QApplication.instance().installEventFilter(self)
        if open_on_start:
            QTimer.singleShot(0, self.open_start)

    # ------------------------------------------------------------------ building

    def _build_ui(self) -> None:
        self.canvas = Canvas()
        self.canvas.setObjectName("canvas")
        self.message_bar = MessageBar()
        self.zoom_label = QLabel("")
        self.info_label = QLabel("")
        self.split_box = QCheckBox("Before/after split")
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

        self.library = LibraryPanel(self.catalogue)
        self.operations = OperationsPanel(self._missing_models)
        self.mask_tools = MaskTools()
        self.history = HistoryPanel(self._op_title)
        self.queue = QueuePanel(self.bridge, self.exports)
        self.tools_tabs = QTabWidget()
        self.tools_tabs.addTab(self.history, "History")
        self.tools_tabs.addTab(self.mask_tools, "Mask")
        self.tools_tabs.addTab(self.queue, "Queue")
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
                ("library", "Library", self.library, Qt.DockWidgetArea.LeftDockWidgetArea),
                ("operations", "Operations", self.operations, Qt.DockWidgetArea.RightDockWidgetArea),
                ("tools", "History, mask and queue", self.tools_tabs, Qt.DockWidgetArea.RightDockWidgetArea)):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable |
                             QDockWidget.DockWidgetFeature.DockWidgetFloatable)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.resizeDocks([self.docks["library"], self.docks["operations"]], [330, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["operations"], self.docks["tools"]], [640, 180], Qt.Orientation.Vertical)
        self.statusBar().showMessage("Ready")
        self.resize(1440, 900)

    def _action(self, text: str, slot, keys: Sequence[str] | str = (), *, menu=None,
                context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
                target: QWidget | None = None) -> QAction:
        action = QAction(text, self)
        keys = [keys] if isinstance(keys, str) else list(keys)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(context)
        action.triggered.connect(lambda _=False: self._guard(slot))
        (target or self).addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    @staticmethod
    def _spacer() -> QWidget:
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        return spacer

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        open_folder = self._action("Open &Folder...", self.choose_folder, "Ctrl+O", menu=file)
        self._action("Open &Images...", self.choose_files, "Ctrl+Shift+O", menu=file)
        self._action("Open &Sample Photos", self.open_samples, menu=file)
        file.addSeparator()
        export = self._action("&Export...", self.show_export, "Ctrl+E", menu=file)
        self._action("Export &Selection...", self.show_export_selection, "Ctrl+Shift+E", menu=file)
        file.addSeparator()
        self._action("&Quit", self.close, "Ctrl+Q", menu=file)
        edit = bar.addMenu("&Edit")
        self.undo_action = self._action("&Undo", self.undo, "Ctrl+Z", menu=edit)
        self.redo_action = self._action("&Redo", self.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], menu=edit)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        edit.addSeparator()
        self._action("Select &All Pictures", self.library.select_all, "Ctrl+A", menu=edit)
        edit.addSeparator()
        self._action("Run Operation", self.operations._run, "Ctrl+Return", menu=edit)
        self._action("Cancel Operation", self.cancel, "Esc", menu=edit)
        edit.addSeparator()
        self._action("&Settings...", self.show_settings, "Ctrl+,", menu=edit)
        view = bar.addMenu("&View")
        fit = self._action("&Fit to Window", self.canvas.fit, "Ctrl+0", menu=view)
        actual = self._action("&100 %", self.canvas.actual_pixels, "Ctrl+1", menu=view)
        self._action("Toggle Fit / 100 %", self.canvas.toggle_zoom, "Z", menu=view)
        self._action("Before/After &Split", self.split_box.toggle, "Y", menu=view)
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        photo = bar.addMenu("&Photo")
        for n in range(6):
            self._action("Clear Rating" if n == 0 else f"Rate {'★' * n}", lambda n=n: self.mark(rating=n),
                         str(n), menu=photo)
        photo.addSeparator()
        self._action("Flag as &Pick", lambda: self.mark(flag="pick"), "P", menu=photo)
        self._action("Flag as Re&ject", lambda: self.mark(flag="reject"), "X", menu=photo)
        self._action("&Unflag", lambda: self.mark(flag=""), "U", menu=photo)
        photo.addSeparator()
        for key, label in LABEL_KEYS.items():
            self._action(f"{label} Label", lambda label=label: self.mark(label=label), key, menu=photo)
        photo.addSeparator()
        self._action("Previous Picture", lambda: self.library.move(-1), ["Left", "Up"], menu=photo,
                     context=Qt.ShortcutContext.WidgetShortcut, target=self.canvas)
        self._action("Next Picture", lambda: self.library.move(1), ["Right", "Down"], menu=photo,
                     context=Qt.ShortcutContext.WidgetShortcut, target=self.canvas)
        mask = bar.addMenu("&Mask")
        self._action("Hand", lambda: self.mask_tools.set_tool("hand"), "H", menu=mask)
        self._action("Brush", lambda: self.mask_tools.set_tool("brush"), "B", menu=mask)
        self._action("Eraser", lambda: self.mask_tools.set_tool("eraser"), "E", menu=mask)
        self._action("Smaller Brush", lambda: self.mask_tools.grow(1 / 1.25), "[", menu=mask)
        self._action("Larger Brush", lambda: self.mask_tools.grow(1.25), "]", menu=mask)
        self._action("Clear Mask", self.clear_mask, menu=mask)
        self._action("Invert Mask", self.invert_mask, menu=mask)
        self._action("Use Result Mask", self.use_result_mask, menu=mask)
        tools = bar.addMenu("&Tools")
        self._action("&Plugins...", self.show_plugins, menu=tools)
        self._action("&Models...", self.show_models, menu=tools)
        help_menu = bar.addMenu("&Help")
        keys = self._action("&Keyboard Shortcuts", self.show_shortcuts, ["F1", "?"], menu=help_menu)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        for item in (open_folder, export, None, self.undo_action, self.redo_action, None, fit, actual, None, keys):
            if item is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(item)
        toolbar.addWidget(self._spacer())
        toolbar.addWidget(self.split_box)
        toolbar.addWidget(self.split_slider)

    def _connect(self) -> None:
        self.library.imageSelected.connect(self.open_image)
        self.library.error.connect(lambda m: self.statusBar().showMessage(m, 8000))
        self.operations.runRequested.connect(
            lambda op_id, params, seed, prompt, ref: self._guard(self.run_operation, op_id, params, seed, prompt, ref))
        self.operations.cancelRequested.connect(self.cancel)
        self.operations.pickRequested.connect(self.pick_parameter_point)
        self.operations.error.connect(self.show_error)
        self.history.stepChosen.connect(lambda i: self._guard(self.go_to_step, i))
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
        self.canvas.zoomChanged.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        self.split_box.toggled.connect(self._split_toggled)
        self.split_slider.valueChanged.connect(lambda v: self.canvas.set_split(v / 1000) if self.split_box.isChecked() else None)
        self.bridge.progressed.connect(self._job_progress)
        self.bridge.finished.connect(self._job_finished)
        self.bridge.failed.connect(self._job_failed)
        self.bridge.cancelled.connect(self._job_cancelled)
        self.tasks.done.connect(self._task_done)
        self.tasks.error.connect(self._task_error)
        self.exports.changed.connect(self._export_progress)
        self.exports.finished.connect(self._export_finished)
        self.exports.failed.connect(
            lambda export, message: self.show_error(f"The selection could not be exported: {message}"))

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

    def _guard(self, fn, *args):
        """Run a UI action; any failure becomes a message instead of a traceback."""
        try:
            return fn(*args)
        except Exception as exc:  # the window must survive whatever a plugin or file does
            self.show_error(describe_error(exc))
            return None

    # ------------------------------------------------------------------ opening

    def open_start(self) -> None:
        """The last folder, or the bundled sample photos on a first run."""
        last = self.qsettings.value("last_folder", "")
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
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of pictures", str(self.folder or Path.home()))
        if folder:
            self.open_folder(Path(folder))

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "Open pictures", str(self.folder or Path.home()),
                                                "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ")")
        if files:
            self.open_paths([Path(f) for f in files])

    def open_folder(self, folder: Path) -> None:
        folder = Path(folder)
        if not folder.is_dir():
            raise BadInput(f"{folder}: not a folder")
        self.folder = folder
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
            self._guard(self.open_paths, paths)
            event.acceptProposedAction()

    def open_image(self, path: Path) -> None:
        """Show a picture; loading, replaying its history and rendering happen in workers."""
        path = Path(path)
        if path in self.docs:
            self._keep(self.docs[path])
            self._set_document(self.docs[path])
            return
        if path in self._opening:
            return
        self._opening.add(path)
        self.statusBar().showMessage(f"Opening {path.name}...")
        self.tasks.start(("open", path), lambda: self._load(path))

    @staticmethod
    def _load(path: Path) -> tuple[Document, Rendered]:
        doc = Document.open(path)
        return doc, render(doc.original)

    def _keep(self, doc: Document) -> None:
        """Remember an opened picture; forget the least recent ones beyond ``KEEP_DOCUMENTS``.

        Their histories are saved as sidecars on every change, so a forgotten picture
        reopens (and replays) exactly; one with a running operation is never forgotten.
        """
        self.docs[doc.path] = doc
        self.docs.move_to_end(doc.path)
        busy = {id(entry[0]) for entry in self._running.values()}
        for path in list(self.docs)[:-KEEP_DOCUMENTS]:
            old = self.docs[path]
            if old is not self.document and id(old) not in busy:
                self._save(old)
                del self.docs[path]

    def _set_document(self, doc: Document) -> None:
        if self.document is not None:
            self.document.unsubscribe(self._document_event)
        self.document = doc
        doc.subscribe(self._document_event)
        self.canvas.set_document(doc)
        self.history.show_document(doc)
        self._show_current()
        self._mask_changed()
        self.info_label.setText(f"{doc.name}  {doc.original.width} x {doc.original.height}  "
                                f"{doc.original.bit_depth}-bit")
        self.statusBar().showMessage(doc.name, 4000)

    # ------------------------------------------------------------------ worker results

    def _task_done(self, key, value) -> None:
        kind = key[0]
        if kind == "open":
            doc, rendered = value
            self._remember(doc.original, rendered)
            self._keep(doc)
            if doc.warning:
                self.show_error(doc.warning)
            self._opening.discard(doc.path)
            current = self.library.current_entry()
            if current is not None and current.path == doc.path:
                self._set_document(doc)
            if doc.pending_steps():
                self.statusBar().showMessage(f"Replaying {len(doc.pending_steps())} saved step(s)...")
                self.tasks.start(("replay", doc.path), lambda: doc.replay(self.host, self.context()))
        elif kind == "replay":
            doc = self.docs.get(key[1])
            if doc is not None:
                doc.add_replayed(value)
        elif kind == "render":
            image, rendered = value
            self._rendering.discard(id(image))
            self._remember(image, rendered)
            if self.document is not None and (image is self.document.current or image is self.document.original):
                self._show_current()
        elif kind == "export":
            self._guard_library(self.catalogue.record_exports, [(key[1], value.path, value.bytes)])
            self.show_info(f"Exported {value.path.name}: {value.width} x {value.height} {value.format}, "
                           f"{value.bytes / 1024:.0f} KB" + (f" ({'; '.join(value.warnings)})" if value.warnings else ""))

    def _task_error(self, key, message: str) -> None:
        if key[0] == "open":
            self._opening.discard(key[1])
        elif key[0] == "render":
            self._rendering.discard(key[1])
        elif key[0] == "replay" and key[1] in self.docs:
            self.docs[key[1]].stop_replay()
            message = (f"The saved edits of {key[1].name} could not be replayed ({message}). "
                       "Editing continues from the original; the saved steps stay in its history until a new edit "
                       "replaces them.")
        self.show_error(message)

    def _remember(self, image: Image, rendered: Rendered) -> None:
        self._rendered[id(image)] = (image, rendered)
        self._rendered.move_to_end(id(image))
        while len(self._rendered) > RENDER_CACHE:
            self._rendered.popitem(last=False)

    def _cached(self, image: Image) -> Rendered | None:
        hit = self._rendered.get(id(image))
        return hit[1] if hit is not None and hit[0] is image else None

    def _show_current(self) -> None:
        doc = self.document
        if doc is None:
            return
        current, before = self._cached(doc.current), self._cached(doc.original)
        for image, rendered in ((doc.current, current), (doc.original, before)):
            if rendered is None and id(image) not in self._rendering:
                self._rendering.add(id(image))
                self.tasks.start(("render", id(image)), lambda image=image: (image, render(image)))
        if current is None:
            return
        self.canvas.set_rendered(current, before)
        self.undo_action.setEnabled(doc.can_undo())
        self.redo_action.setEnabled(doc.can_redo())

    def _document_event(self, event: str) -> None:
        if event == "image":
            self._show_current()
        elif event == "history":
            self.history.show_document(self.document)
            self._save(self.document)
        elif event == "mask":
            self.canvas.refresh_overlay()
            self._mask_changed()

    def _save(self, doc: Document | None) -> None:
        if doc is None:
            return
        try:
            doc.save()
        except (OSError, PackshotError) as exc:
            self.show_error(f"Could not save the edit history of {doc.name}: {describe_error(exc)}")
        if doc.path is not None:
            self._guard_library(self.catalogue.save_edit_stack, doc.path, doc.stack)

    def _guard_library(self, fn, *args) -> None:
        """Library bookkeeping (edit stacks, export history): a file it has not catalogued yet is skipped."""
        try:
            fn(*args)
        except BadInput:
            pass
        except Exception as exc:  # a locked or broken catalogue must not stop editing
            self.statusBar().showMessage(f"Library not updated: {describe_error(exc)}", 8000)

    # ------------------------------------------------------------------ operations

    def context(self) -> Context:
        """A Context like the runner's, for work done outside it (replaying a saved history)."""
        runner = self.bridge.runner
        return Context(device=runner.device, tile_size=runner.tile_size, models=runner.models,
                       settings=runner.settings)

    def run_operation(self, op_id: str, params: dict | None = None, seed: int = 0,
                      prompt: str | None = None, reference: Path | None = None) -> Job | None:
        """Run an operation on the open picture in a worker; the result becomes a history step."""
        doc = self.document
        if doc is None:
            raise BadInput("open a picture first")
        if not doc.ready:
            raise BadInput("the saved history is still being replayed; try again in a moment")
        busy = next((job for job_id, (d, *_rest) in self._running.items() if d is doc
                     for job in self.bridge.active() if job.id == job_id), None)
        if busy is not None:
            raise BadInput(f"{op_title(busy.op)} is still running on this picture; "
                           "wait for it to finish or cancel it (Esc)")
        op = self.host.operation(op_id)
        checked = op.validate(params)
        mask = doc.operation_mask() if "mask" in op.inputs else None
        ref_image = load_image(reference) if reference is not None and "reference" in op.inputs else None
        inputs = Inputs(doc.current, mask, ref_image, prompt if "prompt" in op.inputs else None)
        op.check_inputs(inputs)
        extra = {}
        if inputs.prompt is not None:
            extra["prompt"] = inputs.prompt
        if ref_image is not None:
            extra["reference"] = str(reference)
        step = make_step(self.host, op_id, checked, seed, **extra)
        plugin = self.host.plugin_of(op_id).name
        job = self.bridge.submit(op, inputs, checked, seed=seed, plugin=plugin,
                                 prepare=lambda result: render(result.image))
        self._running[job.id] = (doc, step, mask, doc.cursor)
        self._last_job = job
        self.operations.set_running(True, f"Running {op_title(op)}...")
        return job

    def pick_parameter_point(self, name: str) -> None:
        """The next click on the picture fills an x, y parameter (an eyedropper's point)."""
        def picked(x: float, y: float) -> None:
            doc = self.document
            if doc is None or self.operations.form is None:
                return
            point = (float(min(max(round(x), 0), doc.current.width - 1)),
                     float(min(max(round(y), 0), doc.current.height - 1)))
            self.operations.form.set_values({name: point})
            self.statusBar().showMessage(f"{name}: {point[0]:g}, {point[1]:g}", 6000)

        self.canvas.pick_point(picked)
        self.statusBar().showMessage(f"Click the picture to set {name}", 6000)

    def cancel(self) -> None:
        """Cancel the newest running job (Esc); the queue panel cancels any of them."""
        if self._last_job is not None and self._last_job.state in ("waiting", "running"):
            self._last_job.cancel()
            self.operations.set_progress(self._last_job.progress.fraction, "Cancelling...")

    def _job_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is self._last_job:
            self.operations.set_progress(fraction, message)

    def _job_done(self, job: Job, message: str) -> None:
        self._running.pop(job.id, None)
        if job is self._last_job:
            self.operations.set_running(False, message)

    def _job_finished(self, job: Job, rendered: Rendered) -> None:
        entry = self._running.get(job.id)
        self._job_done(job, f"{op_title(job.op)}: done" + (f" — {job.result.message}" if job.result.message else ""))
        if entry is None or job.result is None:
            return
        doc, step, mask, base = entry
        self._remember(job.result.image, rendered)
        try:
            doc.apply(step, job.result, mask=mask, base=base)
        except PackshotError as exc:
            self.show_error(str(exc))
            return
        if doc is not self.document:
            self._save(doc)
        if job.result.report:
            figures = ", ".join(f"{k}: {v:.3g}" if isinstance(v, float) else f"{k}: {v}"
                                for k, v in job.result.report.items())
            self.statusBar().showMessage(f"{op_title(job.op)}: {figures}", 15000)

    def _job_failed(self, job: Job, message: str) -> None:
        self._job_done(job, "Failed")
        if isinstance(job.error, MissingModel):
            message += " (or add the file in Tools > Models)"
        self.show_error(message)

    def _job_cancelled(self, job: Job) -> None:
        self._job_done(job, "Cancelled; the picture is unchanged")

    # ------------------------------------------------------------------ history

    def undo(self) -> None:
        if self.document is not None:
            self.document.undo()

    def redo(self) -> None:
        if self.document is not None:
            self.document.redo()

    def go_to_step(self, index: int) -> None:
        if self.document is not None:
            self.document.go_to(index)

    # ------------------------------------------------------------------ masks and marks

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
        doc = self.document
        self.mask_tools.set_status(float(doc.mask.mean()) if doc is not None and doc.mask is not None else None)

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

    # ------------------------------------------------------------------ dialogs

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).exec()

    def show_export(self) -> None:
        from .export_dialog import ExportDialog

        if self.document is None:
            raise BadInput("open a picture to export")
        dialog = ExportDialog(self.document, self.host.export_presets(), self)
        if dialog.exec():
            self.export(self.document.current, dialog.target(), dialog.options(), source=self.document.path)

    def export(self, image: Image, path: Path, options: ExportOptions, source: Path | None = None) -> None:
        """Export in a worker; the result (size, bytes) or the error arrives as a message."""
        from packshot.core.export import export_image

        self.tasks.start(("export", source), lambda: export_image(image, path, options))

    def show_export_selection(self) -> None:
        from .export_selection_dialog import SelectionExportDialog

        paths = self.library.selected_paths()
        if not paths:
            raise BadInput("select pictures in the library to export")
        last_folder = self.qsettings.value(LAST_EXPORT_FOLDER, "")
        dialog = SelectionExportDialog(len(paths), self.host.export_presets(), self,
                                       folder=Path(last_folder) if last_folder else paths[0].parent / "export",
                                       template=self.qsettings.value(LAST_EXPORT_TEMPLATE, DEFAULT_TEMPLATE))
        if dialog.exec():
            self.qsettings.setValue(LAST_EXPORT_FOLDER, str(dialog.folder.path()))
            self.qsettings.setValue(LAST_EXPORT_TEMPLATE, dialog.template())
            self.export_selection(paths, dialog.folder.path(), dialog.options(), preset=dialog.form.preset_name(),
                                  template=dialog.template(), overwrite=dialog.overwrite())

    def export_selection(self, paths: Sequence[Path], out_dir: Path, options: ExportOptions, *, preset: str = "",
                         template: str = DEFAULT_TEMPLATE, overwrite: bool = False) -> SelectionExport:
        """Export pictures, each with its saved edits, in the background (the queue shows it and
        cancels it); one message reports the end, failures included."""
        export = self.exports.start(paths, out_dir, options, preset=preset, template=template, overwrite=overwrite)
        self.tools_tabs.setCurrentWidget(self.queue)
        return export

    def _export_progress(self, export: SelectionExport) -> None:
        if export.running and export in self.exports.active():
            self.statusBar().showMessage(export.describe())

    def _export_finished(self, export: SelectionExport, result: ExportResult) -> None:
        text, problem = summary(export, result)
        (self.show_error if problem else self.show_info)(text)
        written = [(Path(i["source"]), Path(i["output"]), i["bytes"])
                   for i in result.report.items if i["status"] == "done"]
        self._guard_library(self.catalogue.record_exports, written, export.preset)

    def show_settings(self) -> None:
        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            self.settings = dialog.saved
            self.models = open_store(self.settings, self.host)
            runner = self.bridge.runner
            runner.device, runner.tile_size, runner.models = self.settings.device, self.settings.tile_size, self.models
            runner.settings = {**runner.settings, "models_dir": str(self.settings.models_path)}

    def show_plugins(self) -> None:
        from .plugins_dialog import PluginsDialog

        PluginsDialog(self.host, self.settings, self).exec()

    def show_models(self) -> None:
        from .models_dialog import ModelsDialog

        ModelsDialog(self.host, self.settings, self, store=self.models).exec()

    # ------------------------------------------------------------------ keys, layout, closing

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """Hold ``\\`` for the original and Space to pan, wherever the focus is (except text fields)."""
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(obj, QWidget) \
                and obj.window() is self and not event.isAutoRepeat():
            focus = QApplication.focusWidget()
            typing = isinstance(focus, (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox))
            pressed = kind == QEvent.Type.KeyPress
            if event.key() == Qt.Key.Key_Backslash and not typing:
                self.canvas.set_show_before(pressed)
                return True
            if event.key() == Qt.Key.Key_Space and not typing:
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
        self.qsettings.setValue("geometry", self.saveGeometry())
        self.qsettings.setValue("state", self.saveState())
        self.qsettings.sync()
        for doc in self.docs.values():
            self._save(doc)
        QApplication.instance().removeEventFilter(self)
        self.bridge.shutdown()
        self.exports.stop()
        self.tasks.clear()
        self.library.stop()
        self.tasks.wait(10_000)
        self.catalogue.close()
        super().closeEvent(event)
