"""Edits onto many pictures: sync and paste in a job, named presets, never a painted mask copied."""

from __future__ import annotations

import hashlib

import numpy as np
from PySide6.QtCore import Qt

from packshot.core.imageio import load_image
from packshot.core.recipe import Step, load_sidecar
from packshot.desktop.edit_sync import load_preset, preset_names, save_preset
from packshot.desktop.steps_dialog import StepsDialog


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wait(qtbot, window, job):
    qtbot.waitUntil(lambda: job.ended and not window.session.is_pending(job), timeout=20_000)


def test_sync_gives_the_selected_pictures_the_open_pictures_edits(qtbot, window, shots, ui):
    before = {p: _digest(p) for p in shots}
    ui.open_first(shots)
    ui.click(1)  # open the second picture, so one target is open in the window during the job
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == shots[1], timeout=10_000)
    ui.click(0)
    qtbot.waitUntil(lambda: window.document.path == shots[0] and window.document.ready, timeout=10_000)
    ui.wait_shown()
    ui.run("test.invert", {"amount": 1.0})
    view = window.library.view
    for row in (1, 2):  # Ctrl+click adds them; the edited picture stays the open one
        view.selectionModel().select(view.model().index(row, 0), view.selectionModel().SelectionFlag.Select)
    targets = [p for p in window.library.selected_paths() if p != shots[0]]
    assert targets == [shots[1], shots[2]] and window.document.path == shots[0]
    job = window.apply_steps(targets, window.document.stack.applied, "Sync settings")
    _wait(qtbot, window, job)
    assert job.state == "done" and "2 picture(s) edited" in window.message_bar.history[-1][1]
    for path in targets:
        assert [s.op for s in load_sidecar(path).steps] == ["test.invert"]
    assert load_sidecar(shots[3]) is None
    opened = window.docs[shots[1]]  # the open one now carries the edit, rendered
    qtbot.waitUntil(lambda: opened.ready, timeout=10_000)
    assert [s.op for s in opened.steps] == ["test.invert"]
    original = load_image(shots[1]).pixels.astype(int)
    assert np.abs(opened.current.pixels.astype(int) - (255 - original)).max() <= 1
    assert {p: _digest(p) for p in shots} == before  # originals untouched


def test_a_named_preset_goes_onto_a_selection(qtbot, window, shots, ui):
    ui.open_first(shots)
    ui.run("test.invert", {"amount": 0.5})
    save_preset("Half invert", window.document.stack.applied)
    assert "Half invert" in preset_names() and load_preset("Half invert")[0].params == {"amount": 0.5}
    window.library.select_all()
    job = window.apply_edits_preset("Half invert")
    _wait(qtbot, window, job)
    assert [s.op for s in load_sidecar(shots[3]).steps] == ["test.invert"]
    assert [s.op for s in window.document.steps] == ["test.invert", "test.invert"]  # the open picture too
    window.undo()  # on the open picture, a paste is one undoable change
    assert [s.op for s in window.document.stack.applied] == ["test.invert"]


def test_a_painted_mask_step_is_never_offered_for_copying(qtbot):
    steps = [Step("test.invert", {"amount": 1.0}), Step("test.fill_mask", mask="shot.packshot-masks/mask-1.png")]
    dialog = StepsDialog(steps, lambda op: op, "Copy settings")
    qtbot.addWidget(dialog)
    assert [s.op for s in dialog.chosen()] == ["test.invert"]
    assert not dialog.list.item(1).flags() & Qt.ItemFlag.ItemIsEnabled
