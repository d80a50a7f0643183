"""What a person reads off the library grid, the F1 list and the folder chooser."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractItemView

from packshot.desktop.folder_dialog import folder_dialog
from packshot.desktop.library_panel import name_lines
from packshot.desktop.shortcuts import ShortcutsDialog
from packshot.desktop.theme import stylesheet


def test_names_keep_the_end_that_tells_variants_apart():
    def fits(text: str) -> bool:  # a cell twelve characters wide
        return len(text) <= 12

    cast, edited = name_lines("bottle_warm_cast.jpg", fits), name_lines("bottle_warm_edited.jpg", fits)
    assert cast == ["bottle_warm_", "cast.jpg"] and edited == ["bottle_warm_", "edited.jpg"]
    long = name_lines("box_dusty_with_a_very_long_name_2026_final.jpg", fits)
    assert len(long) == 2 and all(fits(line) for line in long) and long[1].endswith("final.jpg")
    assert name_lines("mug.jpg", fits) == ["mug.jpg"]


def _cell(window, row: int) -> np.ndarray:
    """A library cell as drawn, RGB."""
    view = window.library.view
    image = view.viewport().grab(view.visualRect(view.model().index(row, 0))).toImage()
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, : image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)


def test_the_selected_picture_stands_out_and_a_rejected_one_is_faded(qtbot, window, shots, ui):
    ui.open_first(shots)
    qtbot.waitUntil(lambda: len(window.library.model.pixmaps) == len(shots), timeout=15_000)
    window.library.select_row(2)
    window.mark(flag="reject")
    window.library.select_row(0)
    qtbot.wait(50)
    chosen, plain, rejected = _cell(window, 0), _cell(window, 1), _cell(window, 2)
    def edge(cell):  # the top edge of the cell
        return cell[4, 10:-10].mean()

    def thumb(cell):
        return cell[12:110, 12:-12].mean()

    assert edge(chosen) > 200 and edge(plain) < 90  # a light frame around the chosen picture only
    assert thumb(rejected) < 0.6 * thumb(plain)


def test_the_f1_list_is_wide_enough_for_every_action(qtbot):
    dialog = ShortcutsDialog()
    dialog.setStyleSheet(stylesheet())  # the window's font size
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.findChild(QAbstractItemView)
    metrics = table.fontMetrics()
    widest = max(metrics.horizontalAdvance(table.item(r, 1).text()) for r in range(table.rowCount()))
    visible = table.viewport().width() - table.columnWidth(0)  # what the Action column shows unscrolled
    assert visible >= widest + 8


def test_the_folder_chooser_shows_the_pictures_inside(qtbot, shots):
    dialog = folder_dialog(None, "Open a folder of pictures", shots[0].parent)
    qtbot.addWidget(dialog)
    dialog.show()
    views = [v for v in dialog.findChildren(QAbstractItemView) if v.objectName() in ("listView", "treeView")]

    def names():
        view = views[0]
        root = view.rootIndex()
        return {view.model().index(r, 0, root).data() for r in range(view.model().rowCount(root))}

    qtbot.waitUntil(lambda: {p.name for p in shots} <= names(), timeout=5_000)
