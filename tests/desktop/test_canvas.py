"""Canvas: zoom around the cursor, fit / 100 %, before/after, large pictures through a preview."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt

from packshot.core.image import from_array
from packshot.desktop.canvas import render
from packshot.desktop.document import PREVIEW_EDGE


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
    ui.run("test.invert")
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
    job = ui.run("test.silhouette")
    window.mask_tools.useResultRequested.emit()
    assert doc.has_mask() and np.array_equal(doc.mask, job.result.mask)
    assert 0.02 < doc.mask.mean() < 0.5
    window.mask_tools.invertRequested.emit()
    assert np.array_equal(doc.mask, 1.0 - job.result.mask)
    window.mask_tools.clearRequested.emit()
    assert doc.mask is None and window.mask_tools.status.text() == "No mask"


def swapped_primaries_profile() -> bytes:
    """An RGB profile that is not sRGB: sRGB's with red and green primaries swapped (and renamed)."""
    import struct

    from packshot.core.icc import srgb_icc

    icc = bytearray(srgb_icc())
    count = struct.unpack(">I", icc[128:132])[0]
    entries = {bytes(icc[132 + 12 * i:136 + 12 * i]): 132 + 12 * i for i in range(count)}
    r, g = entries[b"rXYZ"], entries[b"gXYZ"]
    icc[r + 4:r + 12], icc[g + 4:g + 12] = icc[g + 4:g + 12], icc[r + 4:r + 12]
    return bytes(icc).replace(b"sRGB", b"swap").replace("sRGB".encode("utf-16-be"), "swap".encode("utf-16-be"))


def test_pictures_with_another_profile_are_shown_in_srgb():
    image = from_array(np.full((40, 60, 3), (40, 160, 90), np.uint8), icc_profile=swapped_primaries_profile())
    shown = render(image).preview.pixelColor(0, 0)
    assert (shown.red(), shown.green(), shown.blue()) == (160, 40, 90)
    assert image.pixels[0, 0].tolist() == [40, 160, 90]  # the picture itself is untouched


def test_transparent_pictures_get_a_checkerboard(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    rgba = np.zeros((120, 160, 4), np.uint8)
    rgba[..., :3] = 250
    window.canvas.set_rendered(render(doc.original.with_pixels(rgba)))
    grab = window.canvas.grab().toImage()
    p = window.canvas.offset
    a = grab.pixelColor(int(p.x()) + 2, int(p.y()) + 2).red()
    b = grab.pixelColor(int(p.x()) + 10, int(p.y()) + 2).red()
    assert {a, b} == {102, 153}


def test_before_view_survives_a_long_history(qtbot, window, shots, ui):
    from packshot.desktop.render_cache import RENDER_CACHE

    doc = ui.open_first(shots)
    for i in range(RENDER_CACHE + 2):  # more pictures than the render cache holds
        ui.run("test.invert", {"amount": 0.1 + 0.05 * i})
    ui.wait_shown()
    qtbot.waitUntil(lambda: window.canvas.before is not None
                    and window.renders.get(doc.original) is window.canvas.before, timeout=10_000)
    assert window.canvas.before.preview.pixelColor(2, 2) != window.canvas.after.preview.pixelColor(2, 2)


def _move_pointer(canvas, point: QPointF) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseMove, point, canvas.mapToGlobal(point),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))


def test_z_and_ctrl_1_zoom_to_the_pointer_not_the_centre(qtbot, window, tmp_path):
    from packshot.core.imageio import save_image

    path = tmp_path / "big" / "wide.png"
    path.parent.mkdir()
    save_image(from_array(np.full((900, 1600, 3), 128, np.uint8)), path)
    window.open_folder(path.parent)
    qtbot.waitUntil(lambda: window.canvas.after is not None, timeout=10_000)
    canvas = window.canvas
    pointer = QPointF(canvas.width() * 0.25, canvas.height() * 0.5)
    under = canvas.to_image(pointer)
    _move_pointer(canvas, pointer)
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert canvas.zoom == 1.0 and np.allclose(canvas.to_image(pointer), under, atol=0.5)
    qtbot.keyClick(canvas, Qt.Key.Key_Z)
    assert canvas.fitted
    qtbot.keyClick(canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom == 1.0 and np.allclose(canvas.to_image(pointer), under, atol=0.5)


def test_panning_stops_at_the_pictures_edge(qtbot, window, shots, ui):
    from .test_window import _drag

    ui.open_first(shots)
    canvas = window.canvas
    canvas.zoom_to(8.0, QPointF(canvas.width() / 2, canvas.height() / 2))  # 1280 x 960: larger than the view
    _drag(canvas, [(100, 100), (5000, 5000)])
    assert canvas.offset == QPointF(0, 0)  # the picture's top-left corner at the view's, no further
    _drag(canvas, [(5000, 5000), (-9000, -9000)])
    assert canvas.offset.x() == canvas.width() - 160 * 8.0 and canvas.offset.y() == canvas.height() - 120 * 8.0
    canvas.fit()
    fitted = QPointF(canvas.offset)
    _drag(canvas, [(100, 100), (900, 100)])
    assert canvas.offset.x() + 160 * canvas.zoom <= canvas.width() + 1e-6 and canvas.offset.y() == fitted.y()
