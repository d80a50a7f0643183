"""The library panel: a thumbnail grid that fills in from a background thread.

Ctrl/Shift-click and Ctrl+A select many pictures (for Export Selection and marking), as
in Lightroom; the current one, the last clicked, is the picture on the canvas.

Ratings (keys 0-5), pick/reject flags (P / X / U) and colour labels (6-9) go to every
selected picture at once, as in Lightroom's grid, so a shoot is culled without rating
each picture in turn. They are kept in the core library through :mod:`packshot.desktop.catalogue`;
the filter shows what a person wants to see. Thumbnails are made (and cached on disk) in
worker threads and appear one by one, so a folder of a thousand pictures never freezes
the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import cast

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QFileSystemWatcher,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from .canvas import to_qimage
from .catalogue import Catalogue, Entry, list_folder
from .typing_focus import SINGLE_KEY_COMMANDS
from .workers import Tasks

CELL = QSize(148, 190)
REJECT_OPACITY = 0.35
RESCAN_DELAY_MS = 300
THUMB_EDGE = 132
LABEL_COLOURS = {"Red": "#c94a4a", "Yellow": "#c9b14a", "Green": "#4ac95e", "Blue": "#4a7ec9", "Purple": "#9a4ac9"}
FILTERS = [("All pictures", None), ("★ 1 or more", ("rating", 1)), ("★★ 2 or more", ("rating", 2)),
           ("★★★ 3 or more", ("rating", 3)), ("★★★★ 4 or more", ("rating", 4)), ("★★★★★ 5", ("rating", 5)),
           ("Picks", ("flag", "pick")), ("Rejects", ("flag", "reject")), ("Unflagged", ("flag", ""))]
EntryRole = Qt.ItemDataRole.UserRole + 1


def matches(entry: Entry, rule: tuple[str, object] | None) -> bool:
    if rule is None:
        return True
    kind, value = rule
    return entry.rating >= cast(int, value) if kind == "rating" else entry.flag == value


class LibraryModel(QAbstractListModel):
    """All entries of the open folder; ``rows`` are those the filter lets through."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.rows: list[int] = []
        self.pixmaps: dict[Path, QPixmap] = {}
        self.rule: tuple[str, object] | None = None
        self._index: dict[Path, int] = {}  # path -> position in entries
        self._row: dict[Path, int] = {}  # path -> visible row

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self._index = {e.path: i for i, e in enumerate(self.entries)}
        self.pixmaps = {}
        self._refilter()
        self.endResetModel()

    def sync_paths(self, paths: Sequence[Path]) -> list[Path]:
        """The folder's files changed: keep the entries (marks, thumbnails) of those still there,
        add the new ones, drop the gone ones. Returns the added paths."""
        old = {e.path: e for e in self.entries}
        self.beginResetModel()
        self.entries = [old.get(p) or Entry(p) for p in paths]
        self._index = {e.path: i for i, e in enumerate(self.entries)}
        self.pixmaps = {p: pm for p, pm in self.pixmaps.items() if p in self._index}
        self._refilter()
        self.endResetModel()
        return [p for p in paths if p not in old]

    def set_rule(self, rule: tuple[str, object] | None) -> None:
        self.beginResetModel()
        self.rule = rule
        self._refilter()
        self.endResetModel()

    def _refilter(self) -> None:
        self.rows = [i for i, e in enumerate(self.entries) if matches(e, self.rule)]
        self._row = {self.entries[i].path: row for row, i in enumerate(self.rows)}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def entry(self, row: int) -> Entry:
        return self.entries[self.rows[row]]

    def row_of(self, path: Path) -> int:
        return self._row.get(path, -1)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.entry(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.path.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self.pixmaps.get(entry.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            size = f"{entry.width} x {entry.height} px" if entry.width else "reading..."
            return f"{entry.path}\n{size}"
        if role == EntryRole:
            return entry
        return None

    def update_entry(self, new: Entry) -> None:
        i = self._index.get(new.path)
        if i is None:
            return
        self.entries[i] = new
        self._row_changed(new.path)

    def merge(self, found: dict[Path, Entry]) -> None:
        """Take marks (and sizes not known yet) from the library for many entries at once."""
        for i, old in enumerate(self.entries):
            new = found.get(old.path)
            if new is not None:
                self.entries[i] = replace(new, width=old.width or new.width, height=old.height or new.height)
        if self.rows:
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))

    def set_pixmap(self, path: Path, pixmap: QPixmap, dims: tuple[int, int]) -> None:
        self.pixmaps[path] = pixmap
        i = self._index.get(path)
        if i is not None:
            self.entries[i] = replace(self.entries[i], width=dims[0], height=dims[1])
        self._row_changed(path)

    def _row_changed(self, path: Path) -> None:
        """Tell the view a picture's cell changed, if the filter shows it."""
        row = self.row_of(path)
        if row >= 0:
            self.dataChanged.emit(self.index(row), self.index(row))


def name_lines(name: str, fits: Callable[[str], bool]) -> list[str]:
    """A file name on one line, or two when it does not fit, never losing its end.

    Variants of a shot differ at the end (``bottle_warm_cast`` / ``bottle_warm_edited``),
    so the name breaks after a ``_``, ``-``, ``.`` or space where one fits, and a second line
    still too long is shortened in the middle of what remains, keeping its last characters.
    """
    if fits(name):
        return [name]
    head = max((i for i in range(1, len(name)) if fits(name[:i])), default=1)
    suffix = name.rfind(".")
    breaks = [i + 1 for i in range(head) if name[i] in "_-. " and i != suffix]  # never split off the extension
    cut = breaks[-1] if breaks and breaks[-1] > head // 2 else head
    rest = name[cut:]
    if not fits(rest):
        keep = max((k for k in range(1, len(rest)) if fits(rest[:2] + "…" + rest[-k:])), default=1)
        rest = rest[:2] + "…" + rest[-keep:]
    return [name[:cut], rest]


class ThumbDelegate(QStyledItemDelegate):
    """Thumbnail, name (up to two lines), stars, flag and colour label in one cell.

    The selected cells stand out with a light frame (the current one, on the canvas, a
    thicker one); rejected pictures are drawn faded, as in Lightroom's grid.
    """

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return CELL

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        entry: Entry = index.data(EntryRole)
        pixmap: QPixmap | None = index.data(Qt.ItemDataRole.DecorationRole)
        r = option.rect.adjusted(3, 3, -3, -3)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        view = cast(QListView | None, option.widget)
        current = view is not None and view.currentIndex() == index
        p.save()
        p.fillRect(r, QColor(88, 88, 88) if selected else QColor(52, 52, 52))
        if entry.flag == "reject":
            p.setOpacity(REJECT_OPACITY)
        if entry.label:
            p.fillRect(QRect(r.left(), r.top(), 4, r.height()), QColor(LABEL_COLOURS[entry.label]))
        box = QRect(r.left() + 5, r.top() + 5, r.width() - 10, THUMB_EDGE - 10)
        if pixmap is not None:
            scaled = pixmap.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            p.drawPixmap(box.left() + (box.width() - scaled.width()) // 2,
                         box.top() + (box.height() - scaled.height()) // 2, scaled)
        else:
            p.fillRect(box, QColor(44, 44, 44))
        p.setPen(QColor(235, 235, 235) if selected else QColor(200, 200, 200))
        metrics = p.fontMetrics()
        text = QRect(r.left() + 6, r.top() + THUMB_EDGE - 2, r.width() - 12, metrics.height())
        lines = name_lines(entry.path.name, lambda t: metrics.horizontalAdvance(t) <= text.width())
        for i, line in enumerate(lines):
            p.drawText(text.translated(0, i * metrics.height()), Qt.AlignmentFlag.AlignLeft, line)
        marks = QRect(text.left(), r.top() + THUMB_EDGE - 2 + 2 * metrics.height() + 2, text.width(), metrics.height())
        p.setPen(QColor(230, 190, 80))
        p.drawText(marks, Qt.AlignmentFlag.AlignLeft, "★" * entry.rating + "·" * (5 - entry.rating))
        flag = {"pick": ("P", "#6fcf6f"), "reject": ("X", "#e06060")}.get(entry.flag)
        if flag:
            p.setPen(QColor(flag[1]))
            p.drawText(marks, Qt.AlignmentFlag.AlignRight, flag[0])
        p.setOpacity(1.0)
        if selected:
            width = 3 if current else 2
            p.setPen(QPen(QColor(235, 235, 235), width))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(r.adjusted(width // 2, width // 2, -(width + 1) // 2, -(width + 1) // 2))
        p.restore()


class LibraryPanel(QWidget):
    """The grid of the open folder. ``imageSelected(path)`` fires when the current picture changes."""

    imageSelected = Signal(object)
    thumbnailsDone = Signal()
    marksLoaded = Signal()
    error = Signal(str)
    notice = Signal(str)  # the library was restored as it opened, or cannot be read: the person must know

    def __init__(self, catalogue: Catalogue, parent: QWidget | None = None, *,
                 edited: Callable[[Path], np.ndarray | None] = lambda path: None) -> None:
        super().__init__(parent)
        self.catalogue = catalogue
        self.edited = edited  # an edited picture's thumbnail from the render cache, None: show the file
        self.model = LibraryModel()
        self.view = QListView()
        self.view.setObjectName("library")
        self.view.setProperty(SINGLE_KEY_COMMANDS, True)  # 1-5, P, X mark the pictures, as in Lightroom's grid
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)  # a thousand cells laid out in steps
        self.view.setBatchSize(200)
        self.view.setSpacing(2)
        self.view.setModel(self.model)
        self.view.setItemDelegate(ThumbDelegate(self.view))
        self.view.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.selectionModel().selectionChanged.connect(self._update_count)
        self.filter = QComboBox()
        self.filter.addItems([name for name, _ in FILTERS])
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.count = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.tasks = Tasks(threads=2, parent=self)
        self.tasks.done.connect(self._task_done)
        self.tasks.error.connect(self._task_error)
        self.generation = 0
        self.pending = 0
        self.folder: Path | None = None
        self._shown: Path | None = None  # the picture imageSelected last announced
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _: self._rescan.start())
        self._rescan: QTimer = QTimer(self)  # a copy of a hundred files is one rescan, not a hundred
        self._rescan.setSingleShot(True)
        self._rescan.setInterval(RESCAN_DELAY_MS)
        self._rescan.timeout.connect(self.follow_folder)

    # ------------------------------------------------------------------ loading

    def open_folder(self, folder: Path) -> None:
        self.open_paths(list_folder(Path(folder)))
        self.folder = Path(folder)
        self.watcher.addPath(str(self.folder))

    def follow_folder(self) -> None:
        """The open folder's files changed (a camera tethered, a copy, a delete): show the new
        pictures and drop the gone ones, keeping the selection and the current picture."""
        if self.folder is None:
            return
        current = self.current_entry()
        row = self.view.currentIndex().row()
        selected = set(self.selected_paths())
        folders = {self.folder: self.folder.resolve()}
        added = self.model.sync_paths([folders[self.folder] / p.name for p in list_folder(self.folder)])
        gen = self.generation
        if added:
            self.pending += len(added)
            self.tasks.start(("marks", gen), lambda: self.catalogue.scan([folders[cast(Path, self.folder)]],
                                                                          stop=lambda: gen != self.generation))
            for p in added:
                self.tasks.start(("thumb", gen, p), partial(self._thumb, p))
        selection = self.view.selectionModel()
        for path in selected:
            r = self.model.row_of(path)
            if r >= 0:
                selection.select(self.model.index(r), selection.SelectionFlag.Select)
        if current is not None and self.model.row_of(current.path) >= 0:
            self.select_path(current.path)
        else:  # the open picture went: its neighbour takes its place, not the first picture
            self.select_row(row)
        self._update_count()

    def open_paths(self, paths: Sequence[Path]) -> None:
        """Show these pictures; marks and thumbnails arrive from worker threads."""
        if self.folder is not None:
            self.watcher.removePath(str(self.folder))
            self.folder = None
        self._shown = None
        self.generation += 1
        self.tasks.clear()
        folders: dict[Path, Path] = {}  # resolve each folder once, not each of a thousand files
        for parent in {Path(p).parent for p in paths}:
            folders[parent] = parent.resolve()
        paths = [folders[Path(p).parent] / Path(p).name for p in paths]
        self.model.set_entries([Entry(p) for p in paths])
        self.pending = len(paths)
        self._update_count()
        gen = self.generation
        scanned = sorted(set(folders.values()))
        self.tasks.start(("marks", gen), lambda: self.catalogue.scan(scanned, stop=lambda: gen != self.generation))
        for p in paths:
            self.tasks.start(("thumb", gen, p), partial(self._thumb, p))
        if paths:
            self.select_row(0)

    def _thumb(self, path: Path):
        pixels, dims = self.catalogue.thumbnail(path)
        edited = self.edited(path)
        return to_qimage(pixels if edited is None else edited), dims

    def refresh_thumbnail(self, path: Path | None) -> None:
        """Redraw a picture's thumbnail (its edits changed)."""
        if path is not None and self.model.row_of(Path(path)) >= 0:
            self.tasks.start(("edited", self.generation, Path(path)), lambda: self._thumb(Path(path)))

    def _task_done(self, key, value) -> None:
        if key[1] != self.generation:
            return
        if key[0] == "marks":
            self._tell_notice()
            self.model.merge(value)
            self.marksLoaded.emit()
            if self.model.rule is not None:
                self._filter_changed(self.filter.currentIndex())
            return
        image, dims = value
        self.model.set_pixmap(key[2], QPixmap.fromImage(image), dims)
        if key[0] == "thumb":
            self._one_done()

    def stop(self, wait_ms: int = 10_000) -> None:
        """Drop queued work and stop the folder scan (window closing); wait for what is running."""
        self.generation += 1
        self.tasks.clear()
        self.tasks.wait(wait_ms)

    def _task_error(self, key, message: str) -> None:
        if key[1] != self.generation:
            return
        if key[0] == "thumb":
            self._one_done()
            self.error.emit(message)
            return
        self._tell_notice()
        self.notice.emit(f"Ratings and marks could not be loaded from the library: {message}")

    def _tell_notice(self) -> None:
        notice = self.catalogue.take_notice()
        if notice:
            self.notice.emit(notice)

    def _one_done(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self.thumbnailsDone.emit()

    def _update_count(self) -> None:
        selected = len(self.view.selectionModel().selectedIndexes())
        self.count.setText(f"{len(self.model.rows)} of {len(self.model.entries)}"
                           + (f", {selected} selected" if selected > 1 else ""))

    # ------------------------------------------------------------------ selection

    def paths(self) -> list[Path]:
        return [self.model.entry(r).path for r in range(self.model.rowCount())]

    def selected_entries(self) -> list[Entry]:
        """The selected pictures in grid order (the current one alone when nothing is selected)."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        if not rows and self.current_entry() is not None:
            rows = [self.view.currentIndex().row()]
        return [self.model.entry(r) for r in rows]

    def selected_paths(self) -> list[Path]:
        """The paths of :meth:`selected_entries`."""
        return [e.path for e in self.selected_entries()]

    def select_all(self) -> None:
        """Select every picture the filter shows; the current picture stays current."""
        self.view.selectAll()

    def current_entry(self) -> Entry | None:
        row = self.view.currentIndex().row()
        return self.model.entry(row) if 0 <= row < self.model.rowCount() else None

    def select_row(self, row: int) -> None:
        if self.model.rowCount():
            row = min(max(row, 0), self.model.rowCount() - 1)
            self.view.setCurrentIndex(self.model.index(row))

    def select_path(self, path: Path) -> None:
        row = self.model.row_of(Path(path))
        if row >= 0:
            self.select_row(row)

    def move(self, delta: int) -> None:  # type: ignore[override]  # to another picture, not QWidget.move(x, y)
        self.select_row(self.view.currentIndex().row() + delta)

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.isValid():
            path = self.model.entry(current.row()).path
            if path != self._shown:  # the same picture again (a rescan, a filter) is no new picture
                self._shown = path
                self.imageSelected.emit(path)

    def _filter_changed(self, index: int) -> None:
        current = self.current_entry()
        self.model.set_rule(FILTERS[index][1])
        self._update_count()
        if current is not None and self.model.row_of(current.path) >= 0:
            self.select_path(current.path)
        else:
            self.select_row(0)

    # ------------------------------------------------------------------ marks

    def mark(self, *, rating: int | None = None, flag: str | None = None,
             label: str | None = None) -> list[Entry]:
        """Rate, flag or label every selected picture (saved in the library); returns them marked.

        A label's key removes that label when every selected picture has it already, so
        pressing it twice undoes it, as in Lightroom.
        """
        entries = self.selected_entries()
        if label is not None and entries and all(e.label == label for e in entries):
            label = ""
        marked = [self.catalogue.mark(e, rating=rating, flag=flag, label=label) for e in entries]
        for new in marked:
            self.model.update_entry(new)
        return marked
