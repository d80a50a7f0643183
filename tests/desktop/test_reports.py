"""After an operation the status bar says what happened in a sentence; the figures are one click away.
A Seed field shows only for operations that declare they use randomness."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF

from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result
from packshot.desktop.report_view import report_lines

from .test_window import _drag


class _Grain(Operation):
    id, title, family, uses_seed = "test.grain", "Grain", "other", True

    def run(self, inputs, params, ctx):
        ctx.progress(0.5, "grain")
        noise = ctx.rng.normal(0, 0.05, inputs.image.rgb().shape).astype(np.float32)
        return Result(inputs.image.with_float(inputs.image.rgb() + noise))


class _GrainPlugin:
    @hookimpl
    def packshot_operations(self):
        return [_Grain()]


def test_report_figures_read_as_words():
    assert report_lines({"backdrop_noise": 0.0029123, "unsure": False, "methods": ["biharmonic 100%"]}) == [
        "backdrop noise: 0.00291", "unsure: no", "methods: biharmonic 100%"]


def test_the_status_bar_says_a_sentence_and_the_report_button_holds_the_figures(qtbot, window, shots, ui):
    ui.open_first(shots)
    assert not window.report_button.isVisible()
    window.mask_tools.set_tool("brush")
    canvas = window.canvas
    a = canvas.offset + QPointF(40, 60) * canvas.zoom
    _drag(canvas, [(a.x(), a.y()), (a.x() + 30, a.y())])
    job = ui.run("test.fill_mask")
    shown = window.statusBar().currentMessage()
    assert shown.startswith("Fill mask: done") and "{" not in shown and "filled" not in shown
    assert window.report_button.isVisible()
    assert f"filled: {job.result.report['filled']}" in window.report_button.toolTip()
    ui.run("test.invert")  # no report: nothing stale stays on offer
    assert not window.report_button.isVisible()


def test_a_seed_field_only_for_operations_that_use_randomness(qtbot, fake_host, make_packshot_window):
    fake_host.register(_GrainPlugin(), "grain", version="1.0")
    window = make_packshot_window(host=fake_host)
    panel = window.operations
    panel.select("test.grain")
    assert panel.seed_row.isVisibleTo(panel)
    panel.select("test.invert")
    assert not panel.seed_row.isVisibleTo(panel)
    panel.seed.setValue(1234)  # left from a seeded operation: a seedless one records seed 0
    sent = []
    panel.runRequested.connect(lambda *args: sent.append(args))
    panel.request_run()
    assert sent[0][0] == "test.invert" and sent[0][2] == 0
