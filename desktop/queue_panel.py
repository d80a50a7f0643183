"""The queue panel: jobs and exports running and waiting, with their progress; cancel any of them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from packshot.core.jobs import Job

from .export_queue import ExportQueue
from .operations_panel import op_title
from .workers import JobBridge

JobRole = Qt.ItemDataRole.UserRole + 3


class QueuePanel(QWidget):
    """The runner's active jobs and the selection exports, updated in place (selection kept)."""

    def __init__(self, bridge: JobBridge, exports: ExportQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.exports = exports
        self.list = QListWidget()
        self.list.setObjectName("queue")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.empty = QLabel("No jobs running or waiting")
        cancel = QPushButton("Cancel selected")
        cancel.clicked.connect(self.cancel_selected)
        cancel_all = QPushButton("Cancel all")
        cancel_all.clicked.connect(self.cancel_all)
        buttons = QHBoxLayout()
        buttons.addWidget(cancel)
        buttons.addWidget(cancel_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        bridge.changed.connect(self.refresh)
        bridge.progressed.connect(self.refresh)
        exports.changed.connect(self.refresh)

    def _entries(self) -> dict[tuple[str, int], tuple[str, Callable[[], None]]]:
        """Every row to show, keyed by ("job" | "export", id): its text and how to cancel it."""
        rows = {("job", job.id): (self.describe(job), job.cancel) for job in self.bridge.active()}
        rows.update({("export", e.id): (e.describe(), e.cancel) for e in self.exports.active()})
        return rows

    def refresh(self, *_args) -> None:
        entries = self._entries()
        for row in reversed(range(self.list.count())):
            if self.list.item(row).data(JobRole) not in entries:
                self.list.takeItem(row)
        shown = {self.list.item(row).data(JobRole): self.list.item(row) for row in range(self.list.count())}
        for key, (text, _cancel) in entries.items():
            item = shown.get(key)
            if item is None:
                item = QListWidgetItem()
                item.setData(JobRole, key)
                self.list.addItem(item)
            item.setText(text)
        self.empty.setVisible(not entries)

    def rows(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    @staticmethod
    def describe(job: Job) -> str:
        where = "GPU" if job.op.uses_gpu else "CPU"
        name = op_title(job.op)
        if job.state == "running":
            return f"{name}: running {job.progress.fraction:.0%} ({where})"
        return f"{name}: waiting ({where})"

    def cancel_selected(self) -> None:
        entries = self._entries()
        for item in self.list.selectedItems():
            entry = entries.get(item.data(JobRole))
            if entry is not None:
                entry[1]()

    def cancel_all(self) -> None:
        self.bridge.cancel_all()
        self.exports.cancel_all()
