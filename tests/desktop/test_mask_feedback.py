"""Inpainting with a painted mask: the form and the mask panel follow the mask; the result is seen without it."""

from __future__ import annotations

import re

from PySide6.QtCore import QPoint, QPointF, Qt

from .test_window import _drag


def _percent(text: str) -> float:
    return float(re.search(r"([\d.]+) %", text).group(1))


def test_a_small_mask_is_counted_the_note_follows_it_and_the_result_shows_without_it(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    window.operations.select("test.fill_mask")
    assert "Needs a mask" in window.operations.mask_note.text()
    window.mask_tools.set_tool("brush")
    window.mask_tools.size.setValue(8)
    canvas = window.canvas
    spot = canvas.offset + QPointF(30, 30) * canvas.zoom
    _drag(canvas, [(spot.x(), spot.y()), (spot.x() + 1, spot.y())])  # one dab: a dust spot
    touched = float((doc.mask > 0).mean()) * 100
    assert 0.1 < touched < 0.5
    shown = _percent(window.mask_tools.status.text())
    assert abs(shown - touched) <= 0.05 * touched  # two significant figures of the touched share
    note = window.operations.mask_note.text()
    assert "Needs a mask" not in note and abs(_percent(note) - touched) <= 0.05 * touched

    where = QPoint(int(spot.x()), int(spot.y()))
    red = canvas.grab().toImage().pixelColor(where)
    assert red.red() - red.green() > 40  # the red overlay over the light backdrop
    window.mask_tools.set_tool("hand")
    job = ui.run("test.fill_mask")
    assert job.state == "done"
    ui.wait_shown()
    assert not canvas.show_overlay and "M shows it" in window.operations.status.text()
    result = canvas.grab().toImage().pixelColor(where)
    assert result.lightness() < 30  # the filled (black) spot itself, no red over it
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_M)
    assert canvas.show_overlay
    assert canvas.grab().toImage().pixelColor(where).red() > 60  # the mask is still there, shown again
    assert doc.has_mask()
