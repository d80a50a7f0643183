"""Cropping in the window: drag the box on the picture (a thirds grid shows), Run, one undoable step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QComboBox, QPushButton

from packshot.plugins import enhance

from .test_window import _drag


def test_dragging_a_crop_box_on_the_picture_then_running_crops_exactly(qtbot, make_packshot_window, shots):
    window = make_packshot_window(enhance)
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    doc = window.document
    canvas = window.canvas
    outside = QPoint(*(int(v) for v in (canvas.offset + QPointF(10, 10) * canvas.zoom).toTuple()))
    bright = canvas.grab().toImage().pixelColor(outside).lightness()
    window.operations.select("other.crop")
    form = window.operations.form
    qtbot.mouseClick(form.findChild(QPushButton, "pick_box"), Qt.MouseButton.LeftButton)
    a, b = canvas.offset + QPointF(40, 30) * canvas.zoom, canvas.offset + QPointF(120, 90) * canvas.zoom
    _drag(canvas, [(a.x(), a.y()), ((a.x() + b.x()) / 2, (a.y() + b.y()) / 2), (b.x(), b.y())])
    assert np.allclose(form.values()["box"], (0.25, 0.25, 0.75, 0.75), atol=0.01)
    assert doc.mask is None  # the drag drew a box; it neither painted nor panned
    assert canvas.grab().toImage().pixelColor(outside).lightness() < bright - 40  # outside the box is dimmed
    job = window.run_operation("other.crop", form.values())
    qtbot.waitUntil(lambda: job.ended and not window.session.is_pending(job), timeout=10_000)
    assert (doc.current.width, doc.current.height) == (80, 60)
    assert np.array_equal(doc.current.pixels, doc.original.pixels[30:90, 40:120])
    assert canvas.box is None
    window.undo()
    assert (doc.current.width, doc.current.height) == (160, 120)


def test_crop_shapes_name_the_shops_that_want_them():
    from packshot.desktop.aspect_presets import aspect_shapes

    presets = [{"name": "amazon-main", "title": "Amazon main image", "width": 2000, "height": 2000},
               {"name": "ebay", "title": "eBay listing photo", "width": 1600, "height": 1600},
               {"name": "banner", "width": 1600, "height": 900}, {"name": "any-size"}]
    shapes = dict(aspect_shapes(presets))
    assert shapes["Free (as drawn)"] == 0.0
    assert shapes["1:1 — Amazon main image, eBay listing photo"] == 1.0
    assert shapes["16:9 — banner"] == 16 / 9 and "16:9" not in shapes  # a classic named by its shop once
    assert shapes["4:5"] == 0.8


def test_the_crop_form_offers_the_installed_shops_shapes(qtbot, make_packshot_window):
    from packshot.plugins import presets

    window = make_packshot_window(enhance, presets)
    window.operations.select("other.crop")
    form = window.operations.form
    picker = form.findChild(QComboBox, "aspect_shapes")
    labels = [picker.itemText(i) for i in range(picker.count())]
    square = next(i for i, label in enumerate(labels) if label.startswith("1:1 — ") and "Amazon" in label)
    picker.setCurrentIndex(square)
    assert form.values()["aspect"] == 1.0


def test_a_drawn_box_keeps_the_chosen_shape(qtbot, make_packshot_window, shots):
    window = make_packshot_window(enhance)
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    window.operations.select("other.crop")
    form = window.operations.form
    form.set_values({"aspect": 1.0})
    qtbot.mouseClick(form.findChild(QPushButton, "pick_box"), Qt.MouseButton.LeftButton)
    canvas = window.canvas
    a, b = canvas.offset + QPointF(20, 10) * canvas.zoom, canvas.offset + QPointF(140, 70) * canvas.zoom
    _drag(canvas, [(a.x(), a.y()), (b.x(), b.y())])  # a 120 x 60 drag with a square chosen
    x0, y0, x1, y1 = form.values()["box"]
    assert abs((x1 - x0) * 160 - (y1 - y0) * 120) < 1.5  # square in pixels: 60 x 60 from the start point
    assert abs(x0 * 160 - 20) < 1 and abs((y1 - y0) * 120 - 60) < 1.5
