"""Long work shown where the eye is: the status bar's bar, name, time left and Cancel.

A three-minute denoise must say so at the bottom of the window, whatever the panel
scrolls to; the canvas draws the same words over the picture being worked on
(:meth:`packshot.desktop.canvas.Canvas.set_busy`). The time left is the elapsed time
spread over the fraction done, said only once the job has run long enough to guess.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget

from packshot.core.jobs import Job

MIN_FRACTION, MIN_ELAPSED_S = 0.02, 1.5  # before this, a guess of the time left is noise


def time_left(job: Job, now: float | None = None) -> float | None:
    """Seconds the job should still take at its pace so far; None while that cannot be told."""
    fraction = job.progress.fraction
    if job.state != "running" or job.started is None or fraction < MIN_FRACTION:
        return None
    elapsed = (time.monotonic() if now is None else now) - job.started
    return elapsed * (1 - fraction) / fraction if elapsed >= MIN_ELAPSED_S else None


def say_duration(seconds: float) -> str:
    """``about 40 s``, ``about 2 min 10 s``, ``about 1 h 5 min``: how long, as a person says it."""
    s = max(round(seconds), 1)
    if s < 60:
        return f"about {s} s"
    if s < 3600:
        m, s = divmod(s, 60)
        return f"about {m} min" + (f" {s // 10 * 10} s" if m < 10 and s >= 10 else "")
    h, m = divmod(s // 60, 60)
    return f"about {h} h" + (f" {m} min" if m else "")


def describe(job: Job, now: float | None = None) -> str:
    """One line: what runs, how far, how long still (``Denoise: 40 % — about 1 min left``)."""
    if job.token.cancelled:
        return f"{job.title}: cancelling..."
    if job.state == "waiting":
        return f"{job.title}: waiting"
    line = f"{job.title}: {job.progress.fraction:.0%}"
    left = time_left(job, now)
    return line + (f" — {say_duration(left)} left" if left is not None else "")


class JobStatus(QWidget):
    """The status bar's permanent corner for one job; hidden when nothing runs.

    ``cancelRequested(job)`` when Cancel is pressed.
    """

    cancelRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: Job | None = None
        self.label = QLabel("")
        self.label.setObjectName("jobStatusText")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("jobStatusCancel")
        self.cancel.setToolTip("Cancel this job (Esc cancels the newest operation)")
        self.cancel.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.cancel.clicked.connect(lambda: self.job is not None and self.cancelRequested.emit(self.job))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def show_job(self, job: Job | None, others: int = 0) -> None:
        """Show ``job`` (and how many more wait or run beside it), or hide when None."""
        self.job = job
        if job is None:
            self.hide()
            return
        self.label.setText(describe(job) + (f"  (+{others} more)" if others else ""))
        self.bar.setValue(int(job.progress.fraction * 1000))
        self.cancel.setEnabled(not job.token.cancelled)
        self.show()
