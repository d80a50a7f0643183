"""Typing goes where the focus is: letters in a list or a field never rate, flag or switch tools."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit


def _type(qtbot, text: str) -> None:
    """Key by key into whatever has the focus now, as a person types."""
    for ch in text:
        qtbot.keyClick(QApplication.focusWidget(), ch)


def _focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2_000)


def test_typing_in_the_operations_list_filters_it_and_marks_nothing(qtbot, window, shots, ui):
    ui.open_first(shots)
    window.operations.select("test.invert")
    _focus(qtbot, window.operations.tree)
    _type(qtbot, "Expo")  # X rejects, P picks, E picks the eraser: none of them may fire
    entry = window.library.current_entry()
    assert (entry.flag, entry.rating) == ("", 0)
    assert window.canvas.tool == "hand"
    assert window.operations.search.text() == "Expo"
    assert window.operations.shown_ids() == []  # no test operation is called "Expo"
    window.operations.search.clear()
    _type(qtbot, "fill")
    assert window.operations.shown_ids() == ["test.fill_mask"]
    qtbot.keyClick(window.operations.search, Qt.Key.Key_Return)
    assert window.operations.op.id == "test.fill_mask"
    assert window.canvas.tool == "hand" and window.library.current_entry().flag == ""


def test_typing_in_a_spin_box_changes_no_mark_or_tool(qtbot, window, shots, ui):
    ui.open_first(shots)
    window.operations.select("test.slow")
    slider_field = window.operations.form.editors["steps"].findChild(QLineEdit)  # the slider's number
    for spin in (slider_field, window.operations.seed):
        _focus(qtbot, spin)
        _type(qtbot, "5b3x")
        assert window.canvas.tool == "hand"
        entry = window.library.current_entry()
        assert (entry.rating, entry.flag) == (0, "")


def test_the_library_grid_still_takes_the_marking_keys(qtbot, window, shots, ui):
    ui.open_first(shots)
    _focus(qtbot, window.library.view)
    _type(qtbot, "3p")
    entry = window.library.current_entry()
    assert (entry.rating, entry.flag) == (3, "pick")
