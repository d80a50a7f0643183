"""Fixtures for the desktop tests: a window with the shared test operations, and folders of pictures.

The window is the author kit's (:mod:`packshot.desktop.testing`) and the operations are the fakes
of tests/conftest.py, so these tests drive what plugin authors and the core tests use.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.synthetic import studio_shot
from packshot.desktop.testing import open_pictures, run_in_window


@pytest.fixture
def window(make_packshot_window, fake_host):
    """The author kit's offscreen window with the shared test operations (tests/conftest.py)."""
    return make_packshot_window(host=fake_host)


def write_shots(folder: Path, count: int = 4, size: tuple[int, int] = (160, 120)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    shapes = ("bottle", "mug", "box", "ball")
    for i in range(count):
        rgb, _ = studio_shot(size[1], size[0], shape=shapes[i % 4], seed=i)
        path = folder / f"shot_{i:02d}.{'png' if i % 2 else 'jpg'}"
        save_image(from_array(rgb), path)
        paths.append(path)
    return paths


@pytest.fixture
def op_calls(monkeypatch) -> list[str]:
    """The ids of the operations run from now on, in any thread (every run goes through jobs.execute)."""
    from packshot.core import jobs

    calls: list[str] = []
    real = jobs.execute
    monkeypatch.setattr(jobs, "execute", lambda op, *args, **kwargs: calls.append(op.id) or real(op, *args, **kwargs))
    return calls


@pytest.fixture
def shots(tmp_path) -> list[Path]:
    return write_shots(tmp_path / "shoot")


@pytest.fixture
def many_shots(tmp_path) -> list[Path]:
    return write_shots(tmp_path / "catalogue", count=9, size=(64, 48))


class UI:
    """Steps the tests repeat: open a folder and wait, click a library cell, run an operation."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window = qtbot, window

    def open_first(self, paths):
        """Open the pictures' folder and wait until the first one is on the canvas."""
        open_pictures(self.window, self.qtbot, [paths[0].parent])
        self.qtbot.waitUntil(lambda: self.window.document.path == paths[0], timeout=10_000)
        self.wait_shown()
        return self.window.document

    def wait_shown(self):
        """Until the canvas shows the document's current picture."""
        w = self.window
        self.qtbot.waitUntil(lambda: w.canvas.after is not None and w.renders.get(w.document.current) is w.canvas.after,
                             timeout=10_000)

    def click(self, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        """Click a cell of the library grid, with Ctrl or Shift to add to the selection."""
        view = self.window.library.view
        rect = view.visualRect(view.model().index(row, 0))
        self.qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    def run(self, op_id, params=None, **kwargs):
        return run_in_window(self.window, self.qtbot, op_id, params, timeout_ms=20_000, **kwargs)


@pytest.fixture
def ui(qtbot, window) -> UI:
    return UI(qtbot, window)
