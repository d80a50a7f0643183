"""The queue panel: jobs running and waiting, with their progress; cancel any of them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from core.jobs import Job

JobRole = Qt.ItemDataRole.UserRole + 3


class QueuePanel(QWidget):
    """The runner's active jobs, updated in place (selection kept) as they progress."""

    def __init__(self, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.list = QListWidget()
        self.list.setObjectName("queue")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.empty = QLabel("No jobs running or waiting")
        cancel = QPushButton("Cancel selected")
        cancel.clicked.connect(self.cancel_selected)
        cancel_all = QPushButton("Cancel all")
        cancel_all.clicked.connect(bridge.cancel_all)
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

    def refresh(self, *_args) -> None:
        jobs = {job.id: job for job in self.bridge.active()}
        for row in reversed(range(self.list.count())):
            if self.list.item(row).data(JobRole) not in jobs:
                self.list.takeItem(row)
        shown = {self.list.item(row).data(JobRole): self.list.item(row) for row in range(self.list.count())}
        for job_id, job in jobs.items():
            item = shown.get(job_id)
            if item is None:
                item = QListWidgetItem()
                item.setData(JobRole, job_id)
                self.list.addItem(item)
            item.setText(self.describe(job))
        self.empty.setVisible(not jobs)

    def rows(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    @staticmethod
    def describe(job: Job) -> str:
        where = "GPU" if job.op.uses_gpu else "CPU"
        name = job.op.title or job.op.id
        if job.state == "running":
            return f"{name}: running {job.progress.fraction:.0%} ({where})"
        return f"{name}: waiting ({where})"

    def cancel_selected(self) -> None:
        ids = {item.data(JobRole) for item in self.list.selectedItems()}
        for job in self.bridge.active():
            if job.id in ids:
                job.cancel()
