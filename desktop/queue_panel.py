"""The queue panel: jobs running and waiting, with their progress; cancel any of them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from core.jobs import Job

JobRole = Qt.ItemDataRole.UserRole + 3


class QueuePanel(QWidget):
    """Lists the runner's active jobs; refreshed whenever a job changes state or progresses."""

    def __init__(self, bridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.list = QListWidget()
        self.list.setObjectName("queue")
        self.empty = QLabel("No jobs running")
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
        bridge.progressed.connect(lambda *_: self.refresh())

    def refresh(self, *_args) -> None:
        jobs = self.bridge.active()
        self.list.clear()
        for job in jobs:
            item = QListWidgetItem(self.describe(job))
            item.setData(JobRole, job.id)
            self.list.addItem(item)
        self.empty.setVisible(not jobs)

    @staticmethod
    def describe(job: Job) -> str:
        where = "GPU" if job.op.uses_gpu else "CPU"
        if job.state == "running":
            return f"{job.op.title or job.op.id}: running {job.progress.fraction:.0%} ({where})"
        return f"{job.op.title or job.op.id}: waiting ({where})"

    def cancel_selected(self) -> None:
        ids = {item.data(JobRole) for item in self.list.selectedItems()}
        for job in self.bridge.active():
            if job.id in ids:
                job.cancel()
