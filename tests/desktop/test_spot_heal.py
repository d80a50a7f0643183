"""The spot-heal click (Q): click a dust spot, the whole spot is healed, one undoable step;
a click that finds no spot leaves the history alone and says so."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.recipe import sidecar_path
from packshot.core.synthetic import plant_spots, studio_shot
from packshot.plugins import repair

from .test_window import _drag


def _dusty_window(qtbot, make_packshot_window, tmp_path):
    """A window showing a studio shot with three dust spots on its backdrop, the heal tool on
    (Q) with a 12-pixel brush; returns the window, the clean shot, the dusty one and the spots' labels."""
    import cv2

    clean, alpha = studio_shot(160, 200, shape="box", seed=3)
    dusty, truth = plant_spots(clean, 3, seed=1, avoid=(alpha > 0.01).astype(np.float32), radius=(3, 4))
    path = tmp_path / "shoot" / "box_dusty.png"
    path.parent.mkdir()
    save_image(from_array((dusty * 255 + 0.5).astype(np.uint8)), path)
    window = make_packshot_window(repair)
    window.open_folder(path.parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Q)
    assert window.canvas.tool == "heal"
    window.mask_tools.size.setValue(12)
    _, labels = cv2.connectedComponents((truth > 0).astype(np.uint8))
    return window, clean, dusty, labels, alpha


def _click(qtbot, window, x: float, y: float):
    """A heal click at picture pixel (x, y); returns its job once the window has taken it in."""
    canvas = window.canvas
    point = canvas.offset + QPointF(x, y) * canvas.zoom
    _drag(canvas, [(point.x(), point.y())])
    job = window.session.last_job
    assert job is not None
    qtbot.waitUntil(lambda: not window.session.is_pending(job), timeout=20_000)
    assert job.state == "done", window.message_bar.history
    return job


def _heal_leftmost_spot(qtbot, window, clean, dusty, labels):
    """Click near (not on) the spot farthest from the box: exactly one step that heals it, and only it."""
    doc = window.document
    left = min(range(1, labels.max() + 1), key=lambda i: np.nonzero(labels == i)[1].mean())
    ys, xs = np.nonzero(labels == left)
    spot, others = labels == left, (labels > 0) & (labels != left)
    _click(qtbot, window, xs.mean() + 2, ys.mean() + 1)
    qtbot.waitUntil(lambda: doc.ready, timeout=20_000)
    assert [s.op for s in doc.steps] == ["repair.remove_dust"]
    stored = from_array((dusty * 255 + 0.5).astype(np.uint8)).as_float()
    before = np.abs(stored - clean)[spot].mean()
    after = np.abs(doc.current.as_float() - clean)[spot].mean()
    assert after < before * 0.3, (before, after)
    assert np.array_equal(doc.current.pixels[others], doc.original.pixels[others])  # other spots untouched


def test_clicking_a_dust_spot_heals_it_whole_and_nothing_else(qtbot, make_packshot_window, tmp_path):
    window, clean, dusty, labels, _ = _dusty_window(qtbot, make_packshot_window, tmp_path)
    doc = window.document
    _heal_leftmost_spot(qtbot, window, clean, dusty, labels)
    assert doc.mask is None  # nothing was painted
    window.undo()
    assert np.array_equal(doc.current.pixels, doc.original.pixels)


def test_a_click_that_finds_no_spot_leaves_the_history_alone(qtbot, make_packshot_window, tmp_path):
    import cv2

    window, clean, dusty, labels, alpha = _dusty_window(qtbot, make_packshot_window, tmp_path)
    doc = window.document
    _heal_leftmost_spot(qtbot, window, clean, dusty, labels)  # the earlier, real edit
    healed = doc.current.pixels.copy()
    sidecar = sidecar_path(doc.path)
    saved = sidecar.read_bytes(), sidecar.stat().st_mtime_ns
    folder = doc.path.parent
    files = sorted(p.relative_to(folder) for p in folder.rglob("*"))  # the masks folder's too
    rows = [window.history.list.item(i).text() for i in range(window.history.list.count())]
    # the clean backdrop pixel farthest from every spot and from the box
    busy = ((labels > 0) | (alpha > 0.01)).astype(np.uint8)
    distance = cv2.distanceTransform(1 - busy, cv2.DIST_L2, 5)
    distance[:8], distance[-8:], distance[:, :8], distance[:, -8:] = 0, 0, 0, 0  # a whole brush on the picture
    y, x = np.unravel_index(np.argmax(distance), distance.shape)
    assert distance[y, x] > 20  # no spot within reach of the brush or the spot search

    job = _click(qtbot, window, float(x), float(y))

    assert job.result.report["spots"] == 0
    assert len(doc.steps) == 1 and doc.cursor == 1
    assert [window.history.list.item(i).text() for i in range(window.history.list.count())] == rows
    assert (sidecar.read_bytes(), sidecar.stat().st_mtime_ns) == saved
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == files  # the click's disc not kept
    assert np.array_equal(doc.current.pixels, healed)
    kind, text = window.message_bar.history[-1]
    assert kind == "info" and text.startswith("No spot found under the brush"), window.message_bar.history
    assert "] larger" in text and "[ smaller" in text  # the brush keys of the Mask menu
    assert window.operations.status.text() == text

    window.undo()  # undoes the heal, not an empty step
    assert np.array_equal(doc.current.pixels, doc.original.pixels)
    assert doc.cursor == 0
    assert not doc.can_undo()
