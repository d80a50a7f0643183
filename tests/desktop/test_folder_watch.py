"""An open folder is followed: new pictures appear, deleted ones go, and the open picture stays open."""

from __future__ import annotations

import shutil

from .conftest import write_shots


def test_new_and_removed_files_show_without_jumping_to_the_first_picture(qtbot, window, shots, ui, tmp_path):
    ui.open_first(shots)
    ui.click(2)
    qtbot.waitUntil(lambda: window.document is not None and window.document.path == shots[2], timeout=10_000)
    zoom_before = window.canvas.zoom
    window.canvas.zoom_to(2.0, window.canvas.rect().center().toPointF())
    opened = []
    window.library.imageSelected.connect(opened.append)
    extra = write_shots(tmp_path / "incoming", count=2)
    for i, p in enumerate(extra):
        shutil.copyfile(p, shots[0].parent / f"zz_new_{i}.png")
    qtbot.waitUntil(lambda: len(window.library.paths()) == 6, timeout=10_000)
    qtbot.waitUntil(lambda: window.library.pending == 0, timeout=10_000)
    names = [p.name for p in window.library.paths()]
    assert names[-2:] == ["zz_new_0.png", "zz_new_1.png"]
    assert window.library.current_entry().path == shots[2] and opened == []  # no jump, no reload
    assert window.canvas.zoom == 2.0 and window.canvas.zoom != zoom_before
    assert len(window.library.model.pixmaps) == 6  # the new ones got thumbnails, the old kept theirs
    shots[1].unlink()
    qtbot.waitUntil(lambda: len(window.library.paths()) == 5, timeout=10_000)
    assert shots[1] not in window.library.paths() and window.library.current_entry().path == shots[2]
    shots[2].unlink()  # the open picture itself goes: its neighbour, not the first picture, takes its place
    qtbot.waitUntil(lambda: len(window.library.paths()) == 4, timeout=10_000)
    assert window.library.current_entry().path == shots[3]
