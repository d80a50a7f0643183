"""The queue panel: jobs running and waiting (operations, renders of an edit stack, exports)
with their progress; cancel any."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from packshot.core.jobs import Job

from .export_queue import ExportQueue
from .session import EditorSession
from .workers import JobBridge

JobRole = Qt.ItemDataRole.UserRole + 3


class QueuePanel(QWidget):
    """The session's active jobs, updated in place (selection kept); an export shows its own line."""

    def __init__(self, session: EditorSession, bridge: JobBridge, exports: ExportQueue,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
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
        # Emitted from the lanes' threads too: Qt queues those (the panel lives on the UI thread).
        bridge.changed.connect(self.refresh)
        bridge.progressed.connect(self.refresh)
        exports.changed.connect(self.refresh)

    def _entries(self) -> dict[int, tuple[str, Callable[[], None]]]:
        """Every row to show, keyed by the job's identity: its text and how to cancel it."""
        return {id(job): (self.describe(job), job.cancel) for job in self.session.active_jobs()}

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

    def describe(self, job: Job) -> str:
        export = self.session.exports.get(job)
        if export is not None:
            return export.describe()
        where = "GPU" if job.uses_gpu else "CPU"
        if job.state == "running":
            return f"{job.title}: running {job.progress.fraction:.0%} ({where})"
        return f"{job.title}: waiting ({where})"

    def cancel_selected(self) -> None:
        entries = self._entries()
        for item in self.list.selectedItems():
            entry = entries.get(item.data(JobRole))
            if entry is not None:
                entry[1]()

    def cancel_all(self) -> None:
        self.session.cancel_all()
