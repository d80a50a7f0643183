"""The editor window, offscreen: what a photographer does, checked by its outcome."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import ImageCms
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton

from packshot.core.export import ExportOptions
from packshot.core.hookspecs import hookimpl


def test_folder_thumbnails_fill_in_and_selecting_opens_the_picture(qtbot, window, shots):
    window.open_folder(shots[0].parent)
    lib = window.library
    assert lib.paths() == shots
    qtbot.waitUntil(lambda: len(lib.model.pixmaps) == len(shots), timeout=15_000)
    for entry in lib.model.entries:
        pix = lib.model.pixmaps[entry.path]
        assert not pix.isNull() and max(pix.width(), pix.height()) == 160
        assert (entry.width, entry.height) == (160, 120)
    lib.select_row(2)
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == shots[2], timeout=10_000)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.document.path == shots[3], timeout=10_000)


def test_colour_operation_changes_pixels_and_never_the_file(qtbot, window, shots, ui):
    before = hashlib.sha256(shots[0].read_bytes()).hexdigest()
    doc = ui.open_first(shots)
    original = doc.current.pixels.astype(int)
    job = ui.run("test.invert")
    assert job.state == "done"
    changed = doc.current.pixels.astype(int)
    assert np.abs(changed - original).mean() > 50
    assert np.array_equal(changed, 255 - original)
    assert window.history.list.count() == 2
    assert hashlib.sha256(shots[0].read_bytes()).hexdigest() == before
    assert (shots[0].parent / (shots[0].name + ".packshot.toml")).is_file()


def test_cancel_a_long_operation_leaves_the_picture_unchanged(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    original = doc.current.pixels.copy()
    job = window.run_operation("test.slow", {"steps": 10_000})
    qtbot.waitUntil(lambda: job.state == "running" and job.progress.fraction > 0, timeout=10_000)
    assert window.operations.cancel_button.isVisible()
    window.operations.cancel_button.click()
    qtbot.waitUntil(lambda: job.state == "cancelled" and not window.session.is_pending(job), timeout=10_000)
    assert job.progress.fraction < 0.5
    assert doc.steps == [] and np.array_equal(doc.current.pixels, original)
    assert not window.operations.cancel_button.isVisible()
    assert "unchanged" in window.operations.status.text()


def test_undo_redo_keys_walk_the_changes_to_the_stack(qtbot, window, shots, ui, op_calls):
    doc = ui.open_first(shots)
    states = [doc.current.pixels.copy()]
    ui.run("test.invert", {"amount": 1.0})
    states.append(doc.current.pixels.copy())
    ui.run("test.invert", {"amount": 0.3})  # the last step runs this operation: re-adjusted, not stacked
    states.append(doc.current.pixels.copy())
    assert [s.params for s in doc.steps] == [{"amount": 0.3}]
    window.activateWindow()
    window.canvas.setFocus()
    ctrl, shift = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, ctrl)  # every picture comes from the render cache at once
    assert np.array_equal(doc.current.pixels, states[1]) and doc.steps[0].params == {"amount": 1.0}
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, ctrl)
    assert np.array_equal(doc.current.pixels, states[0]) and doc.steps == []
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, ctrl | shift)
    assert np.array_equal(doc.current.pixels, states[1])
    qtbot.keyClick(window.canvas, Qt.Key.Key_Z, ctrl | shift)
    assert np.array_equal(doc.current.pixels, states[2]) and doc.steps[0].params == {"amount": 0.3}
    assert op_calls == ["test.invert", "test.invert"]  # the two runs; undo and redo ran nothing
    ui.wait_shown()


def _drag(canvas, points):
    """A left-button drag through widget points, as a mouse would send it."""
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    first = QPointF(*points[0])
    QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseButtonPress, first, canvas.mapToGlobal(first),
                                               left, left, none))
    for x, y in points[1:]:
        p = QPointF(x, y)
        move = QMouseEvent(QEvent.Type.MouseMove, p, canvas.mapToGlobal(p), Qt.MouseButton.NoButton, left, none)
        QApplication.sendEvent(canvas, move)
    last = QPointF(*points[-1])
    QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseButtonRelease, last, canvas.mapToGlobal(last),
                                               left, Qt.MouseButton.NoButton, none))


def test_painted_mask_is_passed_to_the_operation(qtbot, window, shots, ui):
    doc = ui.open_first(shots)
    window.mask_tools.set_tool("brush")
    window.mask_tools.size.setValue(12)
    canvas = window.canvas
    a = canvas.offset + QPointF(40, 60) * canvas.zoom
    b = canvas.offset + QPointF(120, 60) * canvas.zoom
    _drag(canvas, [(a.x(), a.y()), ((a.x() + b.x()) / 2, a.y()), (b.x(), b.y())])
    assert doc.has_mask()
    painted = doc.mask > 0.5
    assert painted[60, 45:115].all() and not painted[10, 10]
    assert "Mask covers" in window.mask_tools.status.text()
    job = ui.run("test.fill_mask")
    assert job.state == "done", window.message_bar.history
    assert job.result.report["filled"] == int(painted.sum())
    assert (doc.current.pixels[painted] == 0).all() and doc.current.pixels[~painted].mean() > 100
    assert doc.steps[-1].mask is not None


def test_operation_needing_a_mask_says_so(window, shots, ui):
    ui.open_first(shots)
    window.operations.select("test.fill_mask")
    window.operations.run_button.click()
    assert "needs a mask" in window.message_bar.history[-1][1]


def test_export_writes_the_size_and_srgb_profile(qtbot, window, shots, ui, tmp_path):
    doc = ui.open_first(shots)
    ui.run("test.invert")
    target = tmp_path / "out" / "exported.jpg"
    target.parent.mkdir()
    window.export(doc.current, target, ExportOptions(width=80, format="JPEG", quality=90))
    qtbot.waitUntil(target.exists, timeout=10_000)
    with PILImage.open(target) as im:
        assert im.size == (80, 60) and im.format == "JPEG"
        icc = im.info.get("icc_profile")
        pixels = np.asarray(im).astype(int)
    assert "srgb" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).lower().replace(" ", "")
    small = np.asarray(PILImage.fromarray(doc.current.pixels).resize((80, 60), PILImage.Resampling.LANCZOS)).astype(int)
    assert np.abs(pixels - small).mean() < 4  # the edited picture, not the original
    qtbot.waitUntil(lambda: "Exported exported.jpg" in window.message_bar.label.text())


def test_export_dialog_builds_the_options_it_shows(qtbot, window, shots, ui, tmp_path):
    from packshot.desktop.export_dialog import ExportDialog

    doc = ui.open_first(shots)
    presets = [{"name": "square", "title": "Square 500", "width": 500, "height": 500, "fit": "pad",
                "format": "PNG", "metadata": "strip-all"}]
    dialog = ExportDialog(doc, presets, window, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.form.preset.setCurrentIndex(1)
    options = dialog.options()
    assert (options.width, options.height, options.fit, options.format, options.metadata) == \
        (500, 500, "pad", "PNG", "strip-all")
    assert dialog.target().suffix == ".png" and dialog.target().parent == tmp_path
    dialog.form.format.setCurrentText("JPEG")
    dialog.form.quality.setValue(70)
    assert dialog.options().format == "JPEG" and dialog.options().quality == 70


def test_plugin_failures_become_messages(qtbot, make_packshot_window, shots, fake_host):
    fake_host.register(_raising_plugin(), "raiser", version="0.1")
    window = make_packshot_window(host=fake_host)
    assert any("raiser" in text and "cannot list" in text for _, text in window.message_bar.history)
    assert "test.invert" in window.operations.operations
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None, timeout=10_000)
    doc = window.document
    original = doc.current.pixels.copy()
    job = window.run_operation("test.boom", {})
    qtbot.waitUntil(lambda: job.state == "failed" and not window.session.is_pending(job), timeout=10_000)
    assert "ZeroDivisionError: plugin bug" in window.message_bar.label.text()
    assert "fake" in window.message_bar.label.text()
    assert np.array_equal(doc.current.pixels, original) and doc.steps == []
    job = window.run_operation("test.invert", {})
    qtbot.waitUntil(lambda: job.state == "done" and not window.session.is_pending(job), timeout=10_000)
    assert len(doc.steps) == 1
    job = window.run_operation("test.needs_model", {})
    qtbot.waitUntil(lambda: job.state == "failed" and not window.session.is_pending(job), timeout=10_000)
    shown = window.message_bar.label.text()
    assert "packshot models download tiny-missing" in shown and "Tools > Models" in shown
    assert len(doc.steps) == 1


def test_choosing_a_model_operation_names_its_missing_weights(window):
    window.operations.select("test.needs_model")
    assert window.operations.op is not None and window.operations.op.id == "test.needs_model"
    assert window.operations.badge.text() == "model: not installed"
    assert "tiny-missing" in window.operations.hint.text()


def test_ui_keeps_running_while_a_slow_operation_runs(qtbot, window, shots, ui):
    """The UI thread never waits on an operation: its event loop keeps turning while the job runs.

    Counted in events, not milliseconds (stall times belong in benchmarks/bench_desktop.py):
    a UI thread that waited on the operation would see no timer tick while the job runs.
    """
    ui.open_first(shots)
    seen: list[str] = []
    job = window.run_operation("test.slow", {"steps": 40})  # 40 x 20 ms of work on a lane
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: seen.append(job.state))
    timer.start()
    qtbot.waitUntil(lambda: job.state == "done" and not window.session.is_pending(job), timeout=20_000)
    timer.stop()
    assert seen.count("running") >= 10, seen


def test_history_restored_when_the_folder_is_reopened(qtbot, make_packshot_window, fake_host, shots):
    first = make_packshot_window(host=fake_host)
    first.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: first.document is not None, timeout=10_000)
    job = first.run_operation("test.invert", {"amount": 0.7})
    qtbot.waitUntil(lambda: job.state == "done" and not first.session.is_pending(job), timeout=10_000)
    edited = first.document.current.pixels.copy()
    first.close()
    second = make_packshot_window(host=fake_host)
    second.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: second.document is not None and second.document.ready, timeout=10_000)
    assert [s.op for s in second.document.steps] == ["test.invert"]
    assert np.array_equal(second.document.current.pixels, edited)
    assert second.history.list.count() == 2


def test_rating_and_flag_keys_mark_the_picture(qtbot, window, shots, ui):
    ui.open_first(shots)
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_4)
    qtbot.keyClick(window.canvas, Qt.Key.Key_P)
    entry = window.library.current_entry()
    assert (entry.rating, entry.flag) == (4, "pick")
    record = window.catalogue.library.file(shots[0])
    assert (record.rating, record.flag) == (4, "pick")
    qtbot.keyClick(window.canvas, Qt.Key.Key_6)
    assert window.library.current_entry().label == "Red"
    qtbot.keyClick(window.canvas, Qt.Key.Key_6)
    assert window.library.current_entry().label == ""
    qtbot.keyClick(window.canvas, Qt.Key.Key_0)
    assert window.library.current_entry().rating == 0
    qtbot.keyClick(window.canvas, Qt.Key.Key_X)
    window.library.filter.setCurrentIndex(6)  # picks only
    assert shots[0] not in window.library.paths()
    window.library.filter.setCurrentIndex(7)  # rejects
    assert window.library.paths() == [shots[0]]


def test_main_window_screenshot_looks_like_an_editor(qtbot, window, shots, ui, tmp_path):
    ui.open_first(shots)
    qtbot.waitUntil(lambda: len(window.library.model.pixmaps) == len(shots), timeout=15_000)
    window.operations.select("test.invert")
    shot = window.grab()
    path = tmp_path / "main_window.png"
    assert shot.save(str(path))
    pixels = np.asarray(PILImage.open(path).convert("RGB")).astype(int)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 900
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    chrome = pixels[: pixels.shape[0] // 10]  # menu bar and panel titles: neutral grey
    assert np.abs(chrome[..., 0] - chrome[..., 1]).mean() < 2 and np.abs(chrome[..., 1] - chrome[..., 2]).mean() < 2
    assert pixels.std() > 20  # a picture and thumbnails, not a blank window
    assert (np.abs(r - g) + np.abs(g - b) > 30).mean() > 0.01  # the coloured products show


def _raising_plugin():
    class Raiser:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            raise ValueError("this plugin cannot list its operations")

    return Raiser()


def test_marks_from_lightroom_xmp_sidecars_show_in_the_library(qtbot, window, shots):
    from packshot.core.library.xmp import XmpMarks, write_marks

    write_marks(shots[1], XmpMarks(rating=3, flag="pick", label="Green"))
    with qtbot.waitSignal(window.library.marksLoaded, timeout=10_000):
        window.open_folder(shots[0].parent)
    entry = window.library.model.entries[1]
    assert (entry.path, entry.rating, entry.flag, entry.label) == (shots[1], 3, "pick", "Green")
    window.library.filter.setCurrentIndex(3)  # 3 stars or more
    assert window.library.paths() == [shots[1]]


def test_queue_shows_running_and_waiting_jobs_and_cancels_one(qtbot, fake_host, make_packshot_window, shots):
    from packshot.core.jobs import JobRunner

    window = make_packshot_window(host=fake_host, runner=JobRunner(cpu_workers=1))
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.document.ready, timeout=10_000)
    first_doc = window.document
    first = window.run_operation("test.slow", {"steps": 10_000})
    window.guard(window.run_operation, "test.invert", {})
    assert "still running on this picture" in window.message_bar.label.text()
    window.library.select_row(1)
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == shots[1], timeout=10_000)
    second = window.run_operation("test.invert", {})
    qtbot.waitUntil(lambda: first.state == "running", timeout=10_000)
    window.queue.refresh()
    rows = window.queue.rows()
    assert len(rows) == 2 and "running" in rows[0] and "waiting" in rows[1]
    window.queue.list.item(0).setSelected(True)
    window.queue.cancel_selected()
    qtbot.waitUntil(lambda: second.state == "done" and not window.session.is_pending(second), timeout=10_000)
    assert first.state == "cancelled" and first_doc.steps == []
    assert [s.op for s in window.document.steps] == ["test.invert"]
    qtbot.waitUntil(lambda: window.queue.rows() == [], timeout=5_000)


def test_dropping_a_folder_or_files_opens_them(qtbot, window, shots, tmp_path):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    def drop(paths):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)
        window.dropEvent(event)

    drop([shots[0].parent])
    assert window.library.paths() == shots and window.folder == shots[0].parent
    drop([shots[3], shots[1], tmp_path / "notes.txt"])
    assert window.library.paths() == [shots[3], shots[1]]
    drop([tmp_path / "notes.txt"])
    assert "nothing to open" in window.message_bar.label.text()
    bmp = tmp_path / "scan.bmp"
    PILImage.open(shots[2]).save(bmp)
    drop([bmp])  # a file its folder's listing shows is one a drop opens too
    assert window.library.paths() == [bmp]


def test_last_folder_and_layout_are_remembered(qtbot, make_packshot_window, fake_host, shots):
    first = make_packshot_window(host=fake_host)
    first.open_folder(shots[0].parent)
    first.docks["library"].hide()
    first.close()
    second = make_packshot_window(host=fake_host, open_on_start=True)
    qtbot.waitUntil(lambda: second.library.paths() == shots, timeout=10_000)
    assert second.folder == shots[0].parent
    assert not second.docks["library"].isVisible()


def test_first_run_opens_the_bundled_samples(qtbot, make_packshot_window, fake_host):
    from packshot.core.resources import sample_images

    window = make_packshot_window(host=fake_host, open_on_start=True)
    qtbot.waitUntil(lambda: window.document is not None, timeout=10_000)
    shown = window.library.paths()
    assert [p.name for p in shown] == [p.name for p in sample_images()]
    assert all(p.read_bytes() == s.read_bytes() for p, s in zip(shown, sample_images()))
    assert all(s.parent not in p.parents and p.parent != s.parent for p, s in zip(shown, sample_images()))
    window.close()


def test_dragging_in_hand_mode_or_with_space_pans(qtbot, window, shots, ui):
    ui.open_first(shots)
    canvas = window.canvas
    canvas.zoom_to(1.0, QPointF(canvas.width() / 2, canvas.height() / 2))  # small in the view: room to pan
    start = QPointF(canvas.offset)
    _drag(canvas, [(100, 100), (130, 110), (160, 120)])
    assert canvas.offset - start == QPointF(60, 20)
    window.mask_tools.set_tool("brush")
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    assert canvas.space_held
    _drag(canvas, [(100, 100), (90, 100)])
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert canvas.offset - start == QPointF(50, 20) and not window.document.has_mask()
    inside = canvas.offset + QPointF(80, 60)  # the picture's middle
    _drag(canvas, [(inside.x(), inside.y()), (inside.x() - 10, inside.y())])  # Space released: the brush paints
    assert canvas.offset - start == QPointF(50, 20) and window.document.has_mask()


def test_browsing_many_pictures_keeps_only_a_few_in_memory(qtbot, window, many_shots):
    from packshot.desktop.session import KEEP_DOCUMENTS

    window.open_folder(many_shots[0].parent)
    for i, path in enumerate(many_shots):
        window.library.select_row(i)
        qtbot.waitUntil(lambda path=path: window.document is not None and window.document.path == path,
                        timeout=10_000)
    assert len(window.docs) == KEEP_DOCUMENTS < len(many_shots)
    assert list(window.docs)[-1] == many_shots[-1]


def test_real_white_balance_from_the_colour_plugin_neutralises_the_sample(qtbot, make_packshot_window, tmp_path):
    import shutil

    import pytest

    from packshot.core.plugin_host import load_plugins
    from packshot.core.resources import sample_images

    host = load_plugins()
    if "colour.auto_white_balance" not in host.operations():
        pytest.skip("the colour plugin (colour.auto_white_balance) is not installed in this tree yet")
    source = next(p for p in sample_images() if "warm" in p.name)
    path = tmp_path / source.name
    shutil.copy(source, path)
    window = make_packshot_window(host=host)
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == path.resolve(), timeout=10_000)
    doc = window.document

    def cast(pixels):  # mean chroma of the backdrop border (0 for a neutral grey)
        border = np.concatenate([pixels[:20].reshape(-1, 3), pixels[-20:].reshape(-1, 3)]).astype(float)
        return float(np.abs(border - border.mean(axis=1, keepdims=True)).mean())

    before = cast(doc.current.pixels)
    job = window.run_operation("colour.auto_white_balance", {})
    qtbot.waitUntil(lambda: job.state in ("done", "failed") and not window.session.is_pending(job), timeout=60_000)
    assert job.state == "done", window.message_bar.history
    assert cast(doc.current.pixels) < before / 2


def test_history_with_an_uninstalled_operation_is_reported_and_kept(qtbot, window, shots):
    from packshot.core.recipe import EditStack, Step, load_sidecar, save_sidecar

    save_sidecar(shots[0], EditStack([Step(op="other.gone_plugin_op", plugin="gone", plugin_version="1.0")], 1))
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: any("could not be rendered" in text for _, text in window.message_bar.history),
                    timeout=10_000)
    doc = window.document
    assert doc.ready and doc.cursor == 0 and "other.gone_plugin_op" in window.message_bar.label.text()
    assert "not installed" in window.history.list.item(1).text()
    assert [s.op for s in load_sidecar(shots[0]).steps] == ["other.gone_plugin_op"]
    job = window.run_operation("test.invert", {})
    qtbot.waitUntil(lambda: job.state == "done" and not window.session.is_pending(job), timeout=10_000)
    assert [s.op for s in doc.steps] == ["test.invert"]


def test_a_point_parameter_is_picked_by_clicking_the_picture(qtbot, make_packshot_window, shots):
    from packshot.core.operation import Operation, Result
    from packshot.core.params import Numbers

    class Eyedropper(Operation):
        id, title, family = "colour.test_eyedropper", "Eyedropper (test)", "colour"
        params = (Numbers("point", (), length=2, minimum=0, help="x, y of something neutral"),)

        def run(self, inputs, params, ctx):
            x, y = (int(v) for v in params["point"])
            return Result(inputs.image, report={"picked": inputs.image.pixels[y, x].tolist()})

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            return [Eyedropper()]

    window = make_packshot_window(Plugin())
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    window.operations.select("colour.test_eyedropper")
    form = window.operations.form
    qtbot.mouseClick(form.findChild(QPushButton, "pick_point"), Qt.MouseButton.LeftButton)
    canvas = window.canvas
    target = canvas.offset + QPointF(30.4, 20.2) * canvas.zoom
    _drag(canvas, [(target.x(), target.y())])
    assert form.values()["point"] == (30.0, 20.0)
    assert window.document.mask is None  # the click picked, it did not paint or pan
    job = window.run_operation("colour.test_eyedropper", form.values())
    qtbot.waitUntil(lambda: job.state == "done" and not window.session.is_pending(job), timeout=10_000)
    assert job.result.report["picked"] == window.document.original.pixels[20, 30].tolist()


def test_closing_the_window_during_a_running_job_cancels_it_and_joins_its_threads(qtbot, fake_host, shots, qtlog):
    """Nothing runs on after the window is gone: no thread left to emit into destroyed objects."""
    import warnings

    from PySide6.QtCore import QEvent, QThread, QtMsgType

    from packshot.core.settings import Settings
    from packshot.desktop.main_window import MainWindow

    window = MainWindow(host=fake_host, settings=Settings(), open_on_start=False)
    window.show()
    qtbot.waitExposed(window)
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.document.ready, timeout=10_000)
    doc = window.document
    job = window.run_operation("test.slow", {"steps": 10_000})
    qtbot.waitUntil(lambda: job.state == "running" and job.progress.fraction > 0, timeout=10_000)
    lanes = [t for t in window.findChildren(QThread) if t.isRunning()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        window.close()
        assert job.state == "cancelled"
        assert len(lanes) == 3 and all(t.isFinished() for t in lanes)  # one GPU lane, two CPU lanes, joined
        window.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        qtbot.wait(200)  # anything still queued for the window is delivered (or dropped) now
    assert caught == [] and doc.steps == []
    problems = [r.message for r in qtlog.records if r.type != QtMsgType.QtDebugMsg
                and "propagateSizeHints" not in r.message]
    assert problems == []


def test_drawing_a_result_never_holds_the_gpu_lane(qtbot, make_packshot_window, shots, monkeypatch):
    """A model operation's result is drawn for the screen in a worker, so the next GPU job need not wait;
    its end reaches the session on the UI thread (a queued signal from the lane)."""
    import threading

    from PySide6.QtCore import QThread

    from packshot.core.operation import Operation, Result
    from packshot.desktop import main_window

    class GpuInvert(Operation):
        id, title, family, uses_gpu = "other.test_gpu_invert", "GPU invert (test)", "other", True

        def run(self, inputs, params, ctx):
            return Result(inputs.image.with_float(1 - inputs.image.rgb()))

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            return [GpuInvert()]

    drawn_on: list[str] = []
    real = main_window.render
    monkeypatch.setattr(main_window, "render", lambda image, **kw: drawn_on.append(
        f"{QThread.currentThread().objectName()} {threading.current_thread().name}") or real(image, **kw))
    window = make_packshot_window(Plugin())
    finished_on: list[bool] = []
    finish = window.session.finish_operation
    monkeypatch.setattr(window.session, "finish_operation", lambda job: finished_on.append(
        QThread.currentThread() is QApplication.instance().thread()) or finish(job))
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: window.document is not None and window.document.ready, timeout=10_000)
    job = window.run_operation("other.test_gpu_invert", {})
    qtbot.waitUntil(lambda: job.ended and not window.session.is_pending(job), timeout=10_000)
    qtbot.waitUntil(lambda: window.renders.get(window.document.current) is window.canvas.after, timeout=10_000)
    assert job.state == "done" and len(drawn_on) >= 2  # the original and the result
    assert not [name for name in drawn_on if "packshot-" in name]  # the lanes' threads (Qt or plain)
    assert finished_on == [True]  # the job's end was brought into the session on the UI thread


def test_finished_jobs_are_let_go_by_the_window(qtbot, window, shots, ui):
    """Neither the runner, the session, the bridge nor the queue keeps a finished job (and with it
    the pictures it worked on)."""
    import gc
    import weakref

    ui.open_first(shots)
    gone = []
    for amount in (1.0, 0.5, 0.25):
        job = ui.run("test.invert", {"amount": amount})
        assert job.state == "done"
        gone.append(weakref.ref(job))
        del job
    qtbot.wait(50)  # let the queued signals that carried them be delivered
    gc.collect()
    assert [ref() for ref in gone] == [None, None, None]
    assert window.session.runner.jobs == [] and window.session.last_job is None


@pytest.mark.filterwarnings("ignore:.*restored from its backup")
def test_a_library_restored_from_its_backup_is_told_in_the_window(qtbot, window, shots):
    """A library emptied to 0 bytes (a crash, a full disk) comes back from its backup with its
    ratings, and the window says so in the message bar, once."""
    from packshot.core.library import Library

    with Library.open() as lib:
        lib.add_folder(shots[0].parent, recursive=False)
        lib.set_rating(shots[1], 4)
        path = lib.path
    Library.open().close()  # a second open backs the rated library up
    path.write_bytes(b"")
    with qtbot.waitSignal(window.library.marksLoaded, timeout=10_000):
        window.open_folder(shots[0].parent)
    told = [text for _, text in window.message_bar.history if "restored from its backup" in text]
    assert len(told) == 1 and "changes made since are lost" in told[0]
    assert window.library.model.entries[1].rating == 4
    with qtbot.waitSignal(window.library.marksLoaded, timeout=10_000):
        window.open_folder(shots[0].parent)
    assert len([text for _, text in window.message_bar.history if "restored from its backup" in text]) == 1


def test_a_damaged_library_with_no_backup_is_told_in_the_window(qtbot, window, shots):
    """Corrupt pages and no backup: the pictures still show, and the message bar (not a status
    line that fades) says the library cannot be read and what to do."""
    from packshot.core.library import Library

    with Library.open() as lib:
        lib.add_folder(shots[0].parent, recursive=False)
        path = lib.path
    for backup in path.parent.glob(f"{path.name}.backup*"):
        backup.unlink()
    data = bytearray(path.read_bytes())
    data[4096:4096 * 3] = b"\x5a" * 8192
    path.write_bytes(bytes(data))
    window.open_folder(shots[0].parent)
    qtbot.waitUntil(lambda: any("could not be loaded" in text for _, text in window.message_bar.history),
                    timeout=10_000)
    told = [text for _, text in window.message_bar.history if "could not be loaded" in text]
    assert len(told) == 1 and "is damaged" in told[0] and "has no backup" in told[0]
    assert window.library.model.rowCount() == len(shots)


def test_the_window_opens_within_the_screen(qtbot, fake_host, packshot_offscreen):
    """A 1400 px wide screen lost the operations panel past its right edge."""
    from packshot.core.settings import Settings
    from packshot.desktop.main_window import MainWindow

    window = MainWindow(host=fake_host, settings=Settings(), open_on_start=False)
    qtbot.addWidget(window)
    free = window.screen().availableGeometry()
    assert free.width() < 1440 or free.height() < 900, "the test screen is too large to tell"
    assert window.width() <= free.width() and window.height() <= free.height()
    window.close()
