"""Photo > Learn Look from Selection: the selected pictures' saved edits become a look, in a job
that reports its end and can be cancelled."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from packshot.core.looks import list_looks
from packshot.core.recipe import EditStack, make_step, save_sidecar

pytest.importorskip("torch")

from packshot.core.looks.train import TrainOptions  # noqa: E402
from packshot.desktop import learn_look  # noqa: E402


@pytest.fixture
def edited(shots, window):
    """Three of the four shots with a saved edit (an invert), as the library names them."""
    paths = [p.resolve() for p in shots]
    for i, path in enumerate(paths[:3]):
        stack = EditStack()
        stack.push(make_step(window.host, "test.invert", {"amount": 0.5 + 0.1 * i}))
        save_sidecar(path, stack)
    return paths


@pytest.fixture
def messages(window, monkeypatch):
    """The window's messages about looks (a reopened picture's replay says its own)."""
    said = []
    monkeypatch.setattr(window.session, "on_message",
                        lambda kind, text: said.append((kind, text)) if "look" in text else None)
    return said


def test_learns_a_look_from_the_selection_and_says_so(qtbot, window, ui, edited, messages, monkeypatch):
    ui.open_first(edited)
    window.library.select_all()
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: asked.append(a[2]) or ("studio", True))
    real = learn_look.start
    monkeypatch.setattr(learn_look, "start", lambda w, paths, name: real(w, paths, name, TrainOptions(epochs=3)))
    window.commands["photo.learn_look"].trigger()
    assert "4 edited pictures" in asked[0]
    qtbot.waitUntil(lambda: bool(messages), timeout=60_000)
    kind, text = messages[-1]
    assert kind == "info" and "Learned look 'studio' from" in text and "left out 1" in text
    (look,) = list_looks(window.session.models.folder)
    assert look.name == "studio" and len(look.description["pairs"]["train"]) + len(
        look.description["pairs"]["validation"]) == 3


def test_cancel_leaves_no_look(qtbot, window, ui, edited, messages):
    ui.open_first(edited)
    job = learn_look.start(window, edited[:3], "never", TrainOptions(epochs=10_000))
    qtbot.waitUntil(lambda: job.state == "running" and job.progress.fraction > 0.2, timeout=60_000)
    job.token.cancel()
    qtbot.waitUntil(lambda: bool(messages), timeout=60_000)
    assert messages[-1] == ("info", "Learning the look 'never' was cancelled; no look was saved.")
    assert list_looks(window.session.models.folder) == []

