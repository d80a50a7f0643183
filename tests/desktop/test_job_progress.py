"""Long work shows its progress, time left and Cancel in the status bar and over the picture it works on."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint

from packshot.core.jobs import Job
from packshot.desktop.job_progress import describe, say_duration, time_left


def _job(fraction: float, state: str = "running") -> Job:
    job = Job(1, None, None, {}, title="Denoise", state=state, started=100.0)
    job.progress.fraction = fraction
    return job


def test_time_left_follows_the_pace_so_far_and_waits_until_it_can_tell():
    assert time_left(_job(0.25), now=110.0) == 30.0  # a quarter in 10 s: 30 s more
    assert time_left(_job(0.25), now=100.5) is None  # too early to guess
    assert time_left(_job(0.0), now=150.0) is None  # no progress reported
    assert time_left(_job(0.5, state="waiting"), now=150.0) is None
    assert describe(_job(0.4), now=220.0) == "Denoise: 40% — about 3 min left"
    assert say_duration(42) == "about 42 s" and say_duration(130) == "about 2 min 10 s"
    assert say_duration(3 * 3600 + 300) == "about 3 h 5 min"


def test_a_running_job_shows_in_the_status_bar_and_over_its_own_picture(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    canvas = window.canvas
    centre = QPoint(canvas.width() // 2 - 130, canvas.height() // 2 - 25)  # in the card, off its text and bar
    idle = canvas.grab().toImage().pixelColor(centre).lightness()
    assert not window.job_status.isVisible() and canvas.busy is None
    job = window.run_operation("test.slow", {"steps": 10_000})
    qtbot.waitUntil(lambda: job.state == "running" and job.progress.fraction > 0, timeout=10_000)
    qtbot.waitUntil(lambda: window.job_status.isVisible() and "%" in window.job_status.label.text(), timeout=5_000)
    assert window.job_status.label.text().startswith("Slow: ")
    assert canvas.busy is not None and canvas.busy[0].startswith("Slow: ")
    busy = canvas.grab().toImage().pixelColor(centre).lightness()
    assert idle - busy > 60  # the dark card over the light backdrop
    ui.click(1)  # another picture: its canvas is free, the status bar still shows the job
    qtbot.waitUntil(lambda: window.document is not doc and window.document is not None, timeout=10_000)
    assert canvas.busy is None and window.job_status.isVisible()
    ui.click(0)
    qtbot.waitUntil(lambda: window.document is doc, timeout=10_000)
    assert canvas.busy is not None
    window.job_status.cancel.click()
    qtbot.waitUntil(lambda: job.state == "cancelled" and not window.session.is_pending(job), timeout=10_000)
    qtbot.waitUntil(lambda: not window.job_status.isVisible() and canvas.busy is None, timeout=5_000)
    assert doc.steps == [] and np.array_equal(doc.current.pixels, doc.original.pixels)
