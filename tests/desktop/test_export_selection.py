"""Export Selection: many pictures from the library, each with its own saved edits, in the background."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from PySide6.QtCore import Qt

from packshot.core.batch import DEFAULT_TEMPLATE
from packshot.core.export import ExportOptions, export_file, options_from_preset
from packshot.core.recipe import EditStack, load_sidecar, make_step, save_sidecar, sidecar_path
from packshot.desktop.export_selection_dialog import SelectionExportDialog
from packshot.desktop.testing import open_pictures


@pytest.fixture
def fake_host(fake_host):
    """The test operations plus the built-in marketplace presets."""
    import packshot.plugins.presets

    fake_host.register(packshot.plugins.presets, "presets", version="1.0", builtin=True)
    return fake_host


@pytest.fixture
def pictures(shots) -> list[Path]:
    """Four generated shots (two JPEG, two PNG), as the library names them (resolved)."""
    return [p.resolve() for p in shots]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _picture_mean(path: Path) -> np.ndarray:
    """Mean RGB of the middle of an exported 400 x 400 thumbnail (the picture, not the padding)."""
    with PILImage.open(path) as im:
        return np.asarray(im.convert("RGB"), np.float64)[170:230, 160:240].mean(axis=(0, 1))


def _finish(qtbot, win, start):
    """Run ``start()`` and wait for the export's end; returns (export, result)."""
    with qtbot.waitSignal(win.exports.finished, timeout=20_000) as ended:
        start()
    return ended.args


def test_selection_exports_each_picture_with_its_own_edits_and_the_preset(qtbot, window, ui, pictures, tmp_path,
                                                                         monkeypatch):
    win, paths = window, pictures[:3]
    before = {p: _digest(p) for p in paths}
    ui.open_first(paths)
    ui.run("test.invert")
    assert load_sidecar(paths[0]).recipe().steps[0].op == "test.invert"
    ui.click(2, Qt.KeyboardModifier.ShiftModifier)
    assert win.library.selected_paths() == paths
    qtbot.waitUntil(lambda: win.document is not None and win.document.path == paths[2], timeout=10_000)
    out = tmp_path / "export"

    def choose(dialog: SelectionExportDialog) -> int:
        names = [dialog.form.preset.itemText(i) for i in range(dialog.form.preset.count())]
        dialog.form.preset.setCurrentIndex(names.index("Web thumbnail (400 square)"))
        dialog.folder.edit.setText(str(out))
        return 1

    monkeypatch.setattr(SelectionExportDialog, "exec", choose)
    export, result = _finish(qtbot, win, win.show_export_selection)
    preset = next(p for p in win.host.export_presets() if p["name"] == "web-thumbnail")
    written = sorted(out.glob("*.jpg"))
    assert [p.name for p in written] == [f"{p.stem}_web-thumbnail.jpg" for p in paths]
    for path in written:
        with PILImage.open(path) as im:
            assert (im.size, im.format) == ((400, 400), "JPEG")
        assert path.stat().st_size <= preset["max_bytes"]
    plain = tmp_path / "plain"
    plain.mkdir()
    options = options_from_preset(preset)
    unedited = [_picture_mean(export_file(p, plain / f"{p.stem}.jpg", options).path) for p in paths]
    edited = [_picture_mean(p) for p in written]
    assert np.abs(edited[0] + unedited[0] - 255).max() < 6  # inverted: each channel mirrored about 127.5
    assert np.abs(edited[0] - unedited[0]).max() > 40
    for got, want in zip(edited[1:], unedited[1:]):
        assert np.abs(got - want).max() < 2  # no edits saved: exported as shot
    assert {p: _digest(p) for p in paths} == before
    assert "Exported 3 of 3 pictures" in win.message_bar.history[-1][1]
    assert win.queue.rows() == []
    exports = win.catalogue.library.exports(paths[0])
    assert exports and exports[-1]["preset"] == "web-thumbnail"


def test_a_corrupt_picture_is_reported_while_the_others_are_written(qtbot, window, pictures, tmp_path):
    win, paths = window, pictures
    corrupt = paths[0].parent / "shot_04.jpg"
    corrupt.write_bytes(b"this is not a JPEG")
    sidecar_path(paths[1]).write_text("steps = [[[", "utf-8")  # an unreadable edit history
    win.open_folder(paths[0].parent)
    qtbot.waitUntil(lambda: win.library.model.rowCount() == 5, timeout=10_000)
    win.library.view.setFocus()
    qtbot.keyClick(win.library.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    selected = win.library.selected_paths()
    assert selected == [*paths, corrupt]
    out = tmp_path / "export"
    export, result = _finish(qtbot, win, lambda: win.export_selection(selected, out, ExportOptions(width=64,
                                                                                                    format="PNG")))
    assert sorted(p.name for p in out.glob("*.png")) == ["shot_00_export.png", "shot_02_export.png",
                                                         "shot_03_export.png"]
    kind, text = win.message_bar.history[-1]
    assert kind == "error" and "Exported 3 of 5 pictures" in text and "2 failed" in text
    assert "shot_04.jpg" in text and "shot_01.png" in text and "unreadable edit history" in text


def test_existing_files_are_kept_unless_replace_is_chosen_and_originals_never(qtbot, window, pictures, tmp_path):
    win, paths = window, pictures[:2]
    out = tmp_path / "export"
    out.mkdir()
    taken = out / "shot_00_export.png"
    taken.write_bytes(b"someone else's file")
    options = ExportOptions(width=64, format="PNG")
    _finish(qtbot, win, lambda: win.export_selection(paths, out, options))
    assert taken.read_bytes() == b"someone else's file"
    assert (out / "shot_01_export.png").is_file()
    kind, text = win.message_bar.history[-1]
    assert kind == "error" and "shot_00_export.png" in text and "Replace" in text
    _finish(qtbot, win, lambda: win.export_selection(paths, out, options, overwrite=True))
    with PILImage.open(taken) as im:
        assert im.size == (64, 48)
    before = _digest(paths[0])
    _finish(qtbot, win, lambda: win.export_selection(paths[:1], paths[0].parent, ExportOptions(format="JPEG"),
                                                     template="{stem}.{ext}", overwrite=True))
    assert _digest(paths[0]) == before
    assert "refusing to overwrite the original" in win.message_bar.history[-1][1]


def test_cancel_stops_between_files_and_leaves_no_partial_files(qtbot, window, pictures, tmp_path):
    win, paths = window, pictures[:3]
    out = tmp_path / "export"
    options = ExportOptions(width=64, format="PNG")
    # Cancel from the worker thread the moment the first file is finished: deterministic.
    win.exports.changed.connect(lambda e: e.cancel() if e.done >= 1 else None, Qt.ConnectionType.DirectConnection)
    export, result = _finish(qtbot, win, lambda: win.export_selection(paths, out, options))
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert [p.name for p in files if not p.name.startswith(".")] == ["packshot-report.json", "shot_00_export.png"]
    assert not [p for p in files if p.name.endswith(".part")]
    with PILImage.open(out / "shot_00_export.png") as im:
        im.load()
        assert im.size == (64, 48)
    assert result.report.cancelled and "Export cancelled: 1 of 3" in win.message_bar.history[-1][1]
    assert "2 not started" in win.message_bar.history[-1][1]


def test_the_queue_shows_exports_and_cancels_a_waiting_one(qtbot, window, pictures, tmp_path):
    win, (slow, other) = window, pictures[:2]
    save_sidecar(slow, EditStack([make_step(win.host, "test.slow", {"steps": 50})], cursor=1))
    options = ExportOptions(width=64, format="PNG")
    first = win.export_selection([slow], tmp_path / "a", options)
    second = win.export_selection([other], tmp_path / "b", options)
    rows = win.queue.rows()
    assert len(rows) == 2 and rows[1].startswith("Export 1 picture (PNG): waiting")
    win.queue.list.item(1).setSelected(True)
    win.queue.cancel_selected()
    assert second.token.cancelled and not first.token.cancelled
    ended = []
    win.exports.finished.connect(lambda export, result: ended.append(export))
    qtbot.waitUntil(lambda: len(ended) == 2, timeout=20_000)
    assert (tmp_path / "a" / f"{slow.stem}_export.png").is_file()
    assert not (tmp_path / "b").exists() or not list((tmp_path / "b").glob("*.png"))
    assert "Export cancelled: 0 of 1" in win.message_bar.history[-1][1]
    assert win.queue.rows() == []


def test_a_masked_edit_replays_with_its_saved_mask(qtbot, window, ui, pictures, tmp_path):
    doc = ui.open_first(pictures)
    mask = np.zeros(doc.current.pixels.shape[:2], np.float32)
    mask[:, :40] = 1.0  # the left quarter
    doc.set_mask(mask)
    ui.run("test.fill_mask")
    assert load_sidecar(pictures[0]).steps[0].mask is not None
    out = tmp_path / "export"
    _finish(qtbot, window, lambda: window.export_selection(pictures[:1], out, ExportOptions(format="PNG")))
    with PILImage.open(out / "shot_00_export.png") as im:
        pixels = np.asarray(im.convert("RGB"), np.float64)
    assert pixels[:, :40].max() == 0 and pixels[:, 40:].mean() > 100


def test_the_dialog_refuses_a_name_template_that_leaves_the_folder(qtbot, tmp_path):
    dialog = SelectionExportDialog(3, [], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.names.setText("../{stem}.{ext}")
    dialog.accept()
    assert dialog.result() == 0 and "not be '.', '..'" in dialog.problem.text()
    dialog.names.setText("{preset}/{index:03d}_{stem}.{ext}")
    dialog.existing.setCurrentIndex(1)
    dialog.accept()
    assert dialog.result() == 1 and dialog.overwrite() and dialog.template() == "{preset}/{index:03d}_{stem}.{ext}"


def test_the_dialog_offers_the_folder_and_names_last_exported_with(qtbot, window, make_packshot_window, pictures,
                                                                   tmp_path, monkeypatch):
    out, names = tmp_path / "catalogue export", "{index:03d}_{stem}.{ext}"
    offered: list[tuple[Path, str]] = []

    def export_there(dialog: SelectionExportDialog) -> int:
        dialog.folder.edit.setText(str(out))
        dialog.names.setText(names)
        return 1

    def look_and_cancel(dialog: SelectionExportDialog) -> int:
        offered.append((dialog.folder.path(), dialog.template()))
        dialog.folder.edit.setText(str(tmp_path / "typed, then cancelled"))
        return 0

    open_pictures(window, qtbot, [pictures[0].parent])
    monkeypatch.setattr(SelectionExportDialog, "exec", look_and_cancel)
    window.show_export_selection()
    assert offered == [(pictures[0].parent / "export", DEFAULT_TEMPLATE)]  # nothing exported yet
    monkeypatch.setattr(SelectionExportDialog, "exec", export_there)
    _finish(qtbot, window, window.show_export_selection)
    assert (out / f"001_{pictures[0].stem}.jpg").is_file()
    monkeypatch.setattr(SelectionExportDialog, "exec", look_and_cancel)
    window.show_export_selection()
    window.show_export_selection()  # Cancel forgets what was typed
    restarted = make_packshot_window(host=window.host)
    open_pictures(restarted, qtbot, [pictures[0].parent])
    restarted.show_export_selection()
    assert offered[1:] == [(out, names)] * 3


def test_export_selection_replays_with_the_windows_plugins_and_model_store(qtbot, make_packshot_window, fake_host,
                                                                           pictures, tmp_path, monkeypatch):
    """No second plugin host and no second model store (a second copy of every model's weights)."""
    import packshot.core.models as models_module
    from packshot.core.hookspecs import hookimpl
    from packshot.core.operation import Operation, Result

    seen = []

    class Probe(Operation):
        id, title, family, uses_gpu = "test.probe", "Probe", "other", True

        def run(self, inputs, params, ctx):
            seen.append((self, ctx.models))
            return Result(inputs.image)

    probe = Probe()

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            return [probe]

    fake_host.register(Plugin(), "probe", version="1.0")
    monkeypatch.setattr(models_module, "_default", None)
    window = make_packshot_window(host=fake_host)
    save_sidecar(pictures[0], EditStack([make_step(fake_host, "test.probe", {})], cursor=1))
    _finish(qtbot, window, lambda: window.export_selection(pictures[:1], tmp_path / "out", ExportOptions(format="PNG")))
    assert (tmp_path / "out" / "shot_00_export.png").is_file()
    assert seen == [(probe, window.models)] and models_module._default is None


def test_refusals_and_skips_are_worded_for_the_window(qtbot, window, pictures, tmp_path):
    """A folder another export holds, outputs made with other settings, and a named pipe among
    the pictures: each told in the window's words (no command-line options), nothing written."""
    from packshot.core.batch.lock import OutputLock

    win, paths = window, pictures[:2]
    out = tmp_path / "export"
    _finish(qtbot, win, lambda: win.export_selection(paths, out, ExportOptions(width=64, format="PNG")))
    before = {p.name: _digest(p) for p in out.glob("*.png")}

    with qtbot.waitSignal(win.exports.failed, timeout=20_000):
        win.export_selection(paths, out, ExportOptions(width=32, format="PNG"))
    kind, text = win.message_bar.history[-1]
    assert kind == "error" and "2 picture(s) in" in text and "exported there earlier with other settings" in text
    assert "Existing files to Replace them" in text and "--" not in text

    with OutputLock(out.resolve()), qtbot.waitSignal(win.exports.failed, timeout=20_000):
        win.export_selection(paths, out, ExportOptions(width=64, format="PNG"))
    kind, text = win.message_bar.history[-1]
    assert kind == "error" and "another export is writing into" in text and "--" not in text
    assert {p.name: _digest(p) for p in out.glob("*.png")} == before

    if not hasattr(os, "mkfifo"):
        return
    pipe = paths[0].parent / "pipe.jpg"
    os.mkfifo(pipe)
    _finish(qtbot, win, lambda: win.export_selection([paths[0], pipe], tmp_path / "other",
                                                     ExportOptions(width=64, format="PNG")))
    kind, text = win.message_bar.history[-1]
    assert "Exported 1 of 2 pictures" in text and "pipe.jpg is a named pipe (FIFO)" in text
    assert "a file of that name exists" not in text
    assert sorted(p.name for p in (tmp_path / "other").glob("*.png")) == ["shot_00_export.png"]
