"""The window edits parametrically (issue 13): re-adjusting a step, the History panel, undo of
changes, live proxy previews, renders reused from the cache, and the sidecar shared with the CLI."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.imageio import load_image, save_image
from packshot.core.jobs import execute
from packshot.core.operation import Inputs
from packshot.core.recipe import load_sidecar
from packshot.core.synthetic import studio_shot
from packshot.desktop.testing import run_in_window


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if err == 0 else 10 * np.log10(255.0**2 / err)


@pytest.fixture
def real_host():
    """Every installed plugin, as ``packshot edit`` loads them (the same plugin versions: the same cache keys)."""
    from packshot.core.plugin_host import load_plugins

    host = load_plugins()
    if "colour.exposure" not in host.operations():
        pytest.skip("the colour plugin is not installed in this tree")
    return host


@pytest.fixture
def mug(tmp_path):
    """A blue mug on a white backdrop (what turned teal when exposure was stacked), as a lossless PNG."""
    rgb, _ = studio_shot(120, 160, shape="mug", seed=7)
    path = tmp_path / "shoot" / "mug.png"
    path.parent.mkdir()
    save_image(from_array(rgb), path)
    return path


@pytest.fixture
def colour_window(make_packshot_window, real_host):
    return make_packshot_window(host=real_host)


def _open(qtbot, window, path):
    window.open_paths([path])
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == path.resolve()
                    and window.document.ready, timeout=10_000)
    return window.document


def _alone(host, op_id, image, params):
    op = host.operation(op_id)
    return execute(op, Inputs(image), op.validate(params), Context()).image.pixels


def test_re_adjusting_exposure_equals_one_run_on_the_original(qtbot, colour_window, real_host, mug):
    doc = _open(qtbot, colour_window, mug)
    run_in_window(colour_window, qtbot, "colour.exposure", {"stops": 2.78})
    run_in_window(colour_window, qtbot, "colour.exposure", {"stops": -2.25})
    assert [(s.op, s.params["stops"]) for s in doc.steps] == [("colour.exposure", -2.25)]
    single = _alone(real_host, "colour.exposure", doc.original, {"stops": -2.25})
    assert psnr(doc.current.pixels, single) > 60
    stacked = _alone(real_host, "colour.exposure", from_array(_alone(real_host, "colour.exposure", doc.original,
                                                                      {"stops": 2.78})), {"stops": -2.25})
    assert psnr(stacked, single) < 30  # what the window used to show: the clipped backdrop gone grey


def test_new_step_box_or_shift_run_stacks_a_second_step(qtbot, colour_window, mug):
    doc = _open(qtbot, colour_window, mug)
    panel = colour_window.operations
    panel.select("colour.exposure")
    run_in_window(colour_window, qtbot, "colour.exposure", {"stops": 0.5})
    panel.form.set_values({"stops": 0.25})
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: len(doc.steps) == 2 and doc.ready and colour_window.session.busy_job(doc) is None,
                    timeout=10_000)
    panel.new_step.setChecked(True)
    panel.request_run()
    qtbot.waitUntil(lambda: len(doc.steps) == 3 and doc.ready and colour_window.session.busy_job(doc) is None,
                    timeout=10_000)
    assert [s.params["stops"] for s in doc.steps] == [0.5, 0.25, 0.25]


def test_history_panel_reopens_hides_and_deletes_steps(qtbot, colour_window, real_host, mug, op_calls):
    window = colour_window
    doc = _open(qtbot, window, mug)
    run_in_window(window, qtbot, "colour.exposure", {"stops": 1.0})
    run_in_window(window, qtbot, "colour.auto_levels", {})
    history = window.history.list
    qtbot.mouseClick(history.viewport(), Qt.MouseButton.LeftButton,
                     pos=history.visualItemRect(history.item(1)).center())
    assert doc.editing == 1 and window.operations.op.id == "colour.exposure"
    assert window.operations.form.values()["stops"] == pytest.approx(1.0)
    run_in_window(window, qtbot, "colour.exposure", {"stops": -0.5})  # Run changes the re-opened step
    assert [s.op for s in doc.steps] == ["colour.exposure", "colour.auto_levels"]
    assert doc.steps[0].params["stops"] == -0.5
    levelled = _alone(real_host, "colour.auto_levels",
                      from_array(_alone(real_host, "colour.exposure", doc.original, {"stops": -0.5})), {})
    assert psnr(doc.current.pixels, levelled) > 60

    history.item(1).setCheckState(Qt.CheckState.Unchecked)  # hide the exposure
    qtbot.waitUntil(lambda: doc.ready, timeout=10_000)
    assert not doc.steps[0].enabled and not load_sidecar(mug).steps[0].enabled
    assert psnr(doc.current.pixels, _alone(real_host, "colour.auto_levels", doc.original, {})) > 60

    history.setCurrentRow(2)
    qtbot.mouseClick(window.history.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: doc.ready, timeout=10_000)
    assert [s.op for s in doc.steps] == ["colour.exposure"] and np.array_equal(doc.current.pixels,
                                                                                doc.original.pixels)
    calls = len(op_calls)
    window.undo()  # the deletion taken back: from the render cache, nothing runs
    assert doc.ready and [s.op for s in doc.steps] == ["colour.exposure", "colour.auto_levels"]
    assert len(op_calls) == calls


def test_undo_after_re_adjusting_restores_the_previous_values_and_render(qtbot, colour_window, mug, op_calls):
    window = colour_window
    doc = _open(qtbot, window, mug)
    run_in_window(window, qtbot, "colour.exposure", {"stops": 1.0})
    first = doc.current.pixels.copy()
    run_in_window(window, qtbot, "colour.exposure", {"stops": 0.4})
    assert not np.array_equal(doc.current.pixels, first)
    window.undo()
    assert doc.ready and doc.steps[0].params["stops"] == 1.0 and np.array_equal(doc.current.pixels, first)
    assert op_calls == ["colour.exposure", "colour.exposure"]
    qtbot.waitUntil(lambda: window.renders.get(doc.shown) is window.canvas.after, timeout=10_000)
    window.redo()
    assert doc.steps[0].params["stops"] == pytest.approx(0.4)


def test_a_slider_previews_on_a_proxy_and_the_full_render_follows(qtbot, colour_window, tmp_path, op_calls):
    from packshot.core.render import PROXY_EDGE

    window = colour_window
    from PIL import Image as PILImage

    rgb, _ = studio_shot(135, 180, shape="mug", seed=2)  # enlarged: larger than the 1600 px proxy, made quickly
    big = PILImage.fromarray((rgb * 255).astype(np.uint8)).resize((1800, 1350), PILImage.Resampling.BICUBIC)
    path = tmp_path / "big.png"
    save_image(from_array(np.asarray(big)), path)
    doc = _open(qtbot, window, path)
    frames = []  # (drawn width, width it stands for) of each frame put on the canvas
    show = window.previews.show
    window.previews.show = lambda value: frames.append((value[1].preview.width(), value[1].width)) or show(value)
    window.operations.select("colour.exposure")
    qtbot.waitUntil(lambda: window.canvas.after is not None and window.canvas.after.width == 1800, timeout=10_000)
    qtbot.waitUntil(lambda: not window.previews.busy, timeout=10_000)  # the proxy of the stack, made unseen
    assert frames == []
    window.operations.form.set_values({"stops": 1.0})  # a new operation: previewed, not applied
    # full size once the slider is still
    qtbot.waitUntil(lambda: bool(frames) and frames[-1][0] == 1800, timeout=10_000)
    assert frames[0][0] <= PROXY_EDGE and frames[0][1] == 1800  # a proxy first, drawn in the picture's place
    assert doc.steps == [] and "Run to apply" in window.operations.status.text()

    run_in_window(window, qtbot, "colour.exposure", {"stops": 1.0})
    committed = len(op_calls)
    window.operations.form.set_values({"stops": -1.0})  # now the slider adjusts the last step
    qtbot.waitUntil(lambda: doc.steps[0].params["stops"] == -1.0 and doc.ready
                    and window.session.busy_job(doc) is None, timeout=10_000)
    assert len(doc.steps) == 1 and len(op_calls) > committed
    window.undo()
    assert doc.steps[0].params["stops"] == 1.0

    window.operations.select("colour.auto_white_balance")
    window.operations.select("enhance.denoise")
    window.operations.form.changed.emit()
    assert "Run to see" in window.operations.status.text()  # a heavy operation does not preview


def test_previews_drop_the_frames_a_fast_drag_has_moved_past(qtbot, window):
    from packshot.desktop.live_preview import LivePreview

    started, shown = [], []
    gate = threading.Event()
    previews = LivePreview(window.workers, shown.append, window.show_error, parent=window)

    def frame(n):
        def make():
            started.append(n)
            if n == 0:
                gate.wait(5)
            return n
        return make

    for n in range(6):
        previews.request(frame(n))
    time.sleep(0.05)
    gate.set()
    qtbot.waitUntil(lambda: shown == [0, 5], timeout=5_000)
    assert started == [0, 5]
    previews.request(frame(6))
    previews.cancel()  # a committed value: the frame under way is not shown
    qtbot.wait(200)
    assert shown == [0, 5]


def test_an_edited_picture_reopens_from_the_cache_and_its_thumbnail_shows_the_edit(
        qtbot, make_packshot_window, real_host, mug, op_calls):
    first = make_packshot_window(host=real_host)
    doc = _open(qtbot, first, mug)
    run_in_window(first, qtbot, "colour.exposure", {"stops": -2.0})
    edited = doc.current.pixels.copy()
    qtbot.waitUntil(lambda: _thumb_mean(first, mug) < 0.6 * float(doc.original.pixels.mean()), timeout=10_000)
    first.close()

    del op_calls[:]
    second = make_packshot_window(host=real_host)  # a restart: memory empty, the disk cache kept
    second.open_folder(mug.parent)
    qtbot.waitUntil(lambda: second.library.pending == 0, timeout=10_000)
    assert _thumb_mean(second, mug) < 0.6 * float(doc.original.pixels.mean())  # the grid shows the edit
    again = _open(qtbot, second, mug)
    assert np.array_equal(again.current.pixels, edited) and op_calls == []  # no replay
    assert [s.op for s in again.steps] == ["colour.exposure"] and second.history.list.count() == 2


def _thumb_mean(window, path) -> float:
    pixmap = window.library.model.pixmaps.get(path.resolve())
    if pixmap is None:
        return float("inf")
    image = pixmap.toImage()
    return float(np.mean([image.pixelColor(x, y).lightness() for x in range(0, image.width(), 8)
                          for y in range(0, image.height(), 8)]))


def test_exports_use_the_cached_render_and_run_nothing(qtbot, colour_window, mug, tmp_path, op_calls):
    from packshot.core.export import ExportOptions

    window = colour_window
    doc = _open(qtbot, window, mug)
    run_in_window(window, qtbot, "colour.exposure", {"stops": -1.5})
    del op_calls[:]
    out = tmp_path / "out"
    export = window.export_selection([mug.resolve()], out, ExportOptions(format="png"))
    qtbot.waitUntil(lambda: not window.exports.active() and export.done == 1, timeout=20_000)
    job = window.export(doc.current, tmp_path / "single.png", ExportOptions(format="png"))
    qtbot.waitUntil(lambda: job.ended and not window.session.is_pending(job), timeout=10_000)
    assert op_calls == []  # neither export replayed the stack
    written = list(out.glob("*.png"))
    assert len(written) == 1 and psnr(load_image(written[0]).pixels, doc.current.pixels) > 60
    assert psnr(load_image(tmp_path / "single.png").pixels, doc.current.pixels) > 60


def test_the_window_and_packshot_edit_share_the_sidecar(qtbot, colour_window, real_host, mug, capsys):
    from packshot.core.cli import main

    assert main(["edit", str(mug), "--op", "colour.exposure", "--set", "stops=-1"]) == 0
    doc = _open(qtbot, colour_window, mug)
    assert [(s.op, s.params["stops"]) for s in doc.steps] == [("colour.exposure", -1.0)]
    assert psnr(doc.current.pixels, _alone(real_host, "colour.exposure", doc.original, {"stops": -1.0})) > 60
    run_in_window(colour_window, qtbot, "colour.exposure", {"stops": -2.0})  # re-adjusts the CLI's step
    run_in_window(colour_window, qtbot, "colour.auto_levels", {})
    capsys.readouterr()
    assert main(["edit", str(mug), "--list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert "colour.auto_levels" in listed and "-2" in listed and listed.count("colour.exposure") == 1
    out = mug.parent / "rendered.png"
    assert main(["render", str(mug), "-o", str(out)]) == 0
    assert psnr(load_image(out).pixels, doc.current.pixels) > 60


def test_a_heavy_step_after_the_adjusted_one_says_run_to_see(qtbot, colour_window, mug):
    window = colour_window
    doc = _open(qtbot, window, mug)
    run_in_window(window, qtbot, "colour.exposure", {"stops": 0.5})
    run_in_window(window, qtbot, "enhance.denoise", {})
    session = window.session
    assert session.preview(doc, "colour.exposure", {"stops": 1.0}) is not None  # a new last step: previewed
    window.open_step(1)
    assert session.preview(doc, "colour.exposure", {"stops": 1.0}) is None  # the denoise would re-run per frame
    window.operations.form.set_values({"stops": 1.0})
    assert "Run to see" in window.operations.status.text() and doc.steps[0].params["stops"] == 0.5
