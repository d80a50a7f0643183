"""Ratings, flags and labels on a selection of the library grid, as in Lightroom."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from PySide6.QtCore import Qt


@pytest.fixture
def five(shots) -> list[Path]:
    """The four generated shots and a fifth, plain grey one, as the library names them."""
    extra = shots[0].parent / "shot_04.png"
    PILImage.fromarray(np.full((120, 160, 3), 128, np.uint8)).save(extra)
    return [p.resolve() for p in (*shots, extra)]


def _marks(window, paths: list[Path]) -> list[tuple[int, str, str]]:
    """(rating, flag, label) of each picture as the library database holds them."""
    records = [window.catalogue.library.file(p) for p in paths]
    return [(r.rating, r.flag, r.label) for r in records]


def _shown(window, paths: list[Path]) -> list[tuple[int, str, str]]:
    """(rating, flag, label) of each picture as the grid shows them."""
    entries = {e.path: e for e in window.library.model.entries}
    return [(entries[p].rating, entries[p].flag, entries[p].label) for p in paths]


def test_keys_rate_flag_and_label_every_selected_picture_and_no_other(qtbot, window, ui, five):
    with qtbot.waitSignal(window.library.marksLoaded, timeout=10_000):
        ui.open_first(five)
    view = window.library.view
    ui.click(1)
    qtbot.keyClick(view, Qt.Key.Key_2)  # one picture alone, as before: two stars
    ui.click(0)
    ui.click(2, Qt.KeyboardModifier.ControlModifier)
    ui.click(3, Qt.KeyboardModifier.ControlModifier)
    chosen, others = [five[0], five[2], five[3]], [five[1], five[4]]
    assert window.library.selected_paths() == chosen

    qtbot.keyClick(view, Qt.Key.Key_4)
    assert _marks(window, chosen) == _shown(window, chosen) == [(4, "", "")] * 3
    assert _marks(window, others) == _shown(window, others) == [(2, "", ""), (0, "", "")]
    assert "3 pictures: ★★★★" in window.statusBar().currentMessage()

    qtbot.keyClick(view, Qt.Key.Key_X)
    assert _marks(window, chosen) == _shown(window, chosen) == [(4, "reject", "")] * 3
    assert _marks(window, others) == [(2, "", ""), (0, "", "")]
    window.library.filter.setCurrentIndex(7)  # rejects only
    assert window.library.paths() == chosen
    window.library.filter.setCurrentIndex(0)

    window.library.select_all()
    qtbot.keyClick(view, Qt.Key.Key_U)
    assert [flag for _, flag, _ in _marks(window, five)] == [""] * 5


def test_a_label_key_pressed_again_removes_the_label_from_the_whole_selection(qtbot, window, ui, five):
    with qtbot.waitSignal(window.library.marksLoaded, timeout=10_000):
        ui.open_first(five)
    view = window.library.view
    ui.click(4)
    qtbot.keyClick(view, Qt.Key.Key_8)  # the last one green first: a mixed selection next
    ui.click(3, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_8)
    assert [label for _, _, label in _marks(window, five)] == ["", "", "", "Green", "Green"]
    qtbot.keyClick(view, Qt.Key.Key_8)
    assert [label for _, _, label in _marks(window, five)] == [""] * 5
