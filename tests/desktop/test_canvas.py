"""Canvas: zoom around the cursor, fit / 100 %, before/after, large pictures through a preview."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from core.image import from_array
from desktop.canvas import render
from desktop.document import PREVIEW_EDGE


def test_wheel_zoom_keeps_the_point_under_the_cursor(qtbot, window, shots, ui):
    ui.open_first(shots)
    canvas = window.canvas
    anchor = QPointF(canvas.width() * 0.3, canvas.height() * 0.6)
    before = canvas.to_image(anchor)
    zoom = canvas.zoom
    canvas.zoom_to(zoom * 1.15 ** 3, anchor)
    after = canvas.to_image(anchor)
    assert canvas.zoom > zoom and np.allclose(before, after, atol=1e-6)


def test_z_toggles_between_fit_and_actual_pixels(qtbot, window, shots, ui):
    ui.open_first(shots)
    canvas = window.canvas
    assert canvas.fitted
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert canvas.zoom == 1.0 and not canvas.fitted
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert canvas.fitted
    fit_zoom = canvas.zoom
    assert 160 * fit_zoom <= canvas.width() and 120 * fit_zoom <= canvas.height()


def test_holding_backslash_shows_the_original_and_split_shows_both(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    ui.run("colour.test_invert")
    ui.wait_shown()
    canvas = window.canvas
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyPress(canvas, Qt.Key.Key_Backslash)
    assert canvas.show_before
    held = canvas.grab().toImage()
    qtbot.keyRelease(canvas, Qt.Key.Key_Backslash)
    assert not canvas.show_before
    shown = canvas.grab().toImage()
    def at(x, y):  # image pixel -> widget point
        p = canvas.offset + QPointF(x, y) * canvas.zoom
        return QPoint(int(p.x()), int(p.y()))

    # the original backdrop is light, the inverted one dark
    assert held.pixelColor(at(8, 8)).lightness() - shown.pixelColor(at(8, 8)).lightness() > 60
    window.split_box.setChecked(True)
    split = canvas.grab().toImage()
    assert split.pixelColor(at(8, 8)).lightness() > split.pixelColor(at(150, 8)).lightness() + 60
    assert doc.cursor == 1


def test_large_pictures_draw_from_a_bounded_preview():
    pixels = np.zeros((3000, 4500, 3), np.uint8)
    pixels[:, 2250:] = 200
    rendered = render(from_array(pixels))
    assert max(rendered.preview.width(), rendered.preview.height()) <= PREVIEW_EDGE
    assert rendered.full is not None and (rendered.full.width(), rendered.full.height()) == (4500, 3000)
    assert rendered.preview.pixelColor(rendered.preview.width() - 1, 0).red() == 200


def test_result_mask_can_become_the_painted_mask(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    window.use_result_mask()
    assert "no mask" in window.message_bar.label.text()
    job = ui.run("cutout.test_silhouette")
    window.mask_tools.useResultRequested.emit()
    assert doc.has_mask() and np.array_equal(doc.mask, job.result.mask)
    assert 0.02 < doc.mask.mean() < 0.5
    window.mask_tools.invertRequested.emit()
    assert np.array_equal(doc.mask, 1.0 - job.result.mask)
    window.mask_tools.clearRequested.emit()
    assert doc.mask is None and window.mask_tools.status.text() == "No mask"
