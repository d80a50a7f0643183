"""The spot-heal click (Q): click a dust spot, the whole spot is healed, one undoable step."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.synthetic import plant_spots, studio_shot
from packshot.plugins import repair

from .test_window import _drag


def test_clicking_a_dust_spot_heals_it_whole_and_nothing_else(qtbot, make_packshot_window, tmp_path):
    clean, alpha = studio_shot(160, 200, shape="box", seed=3)
    dusty, truth = plant_spots(clean, 3, seed=1, avoid=(alpha > 0.01).astype(np.float32), radius=(3, 4))
    path = tmp_path / "shoot" / "box_dusty.png"
    path.parent.mkdir()
    save_image(from_array((dusty * 255 + 0.5).astype(np.uint8)), path)
    window = make_packshot_window(repair)
    window.open_folder(path.parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    doc = window.document
    import cv2

    n, labels = cv2.connectedComponents((truth > 0).astype(np.uint8))
    left = min(range(1, n), key=lambda i: np.nonzero(labels == i)[1].mean())  # on open backdrop, far from the box
    ys, xs = np.nonzero(labels == left)
    spot, others = labels == left, (labels > 0) & (labels != left)
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Q)
    assert window.canvas.tool == "heal"
    window.mask_tools.size.setValue(12)
    canvas = window.canvas
    click = canvas.offset + QPointF(xs.mean() + 2, ys.mean() + 1) * canvas.zoom  # near the spot, not dead centre
    _drag(canvas, [(click.x(), click.y())])
    qtbot.waitUntil(lambda: len(doc.steps) == 1 and doc.ready and window.session.busy_job(doc) is None,
                    timeout=20_000)
    assert [s.op for s in doc.steps] == ["repair.remove_dust"]
    stored = from_array((dusty * 255 + 0.5).astype(np.uint8)).as_float()
    before = np.abs(stored - clean)[spot].mean()
    after = np.abs(doc.current.as_float() - clean)[spot].mean()
    assert after < before * 0.3, (before, after)
    assert np.array_equal(doc.current.pixels[others], doc.original.pixels[others])  # other spots untouched
    assert doc.mask is None  # nothing was painted
    window.undo()
    assert np.array_equal(doc.current.pixels, doc.original.pixels)
