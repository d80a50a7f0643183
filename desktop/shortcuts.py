"""The F1 / ? list of keys, read from the window's actions (:mod:`packshot.desktop.actions`), never typed twice."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .actions import ACTIONS, GESTURES, keys_text


def shortcut_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for every action with keys, then the mouse gestures and held keys."""
    return [(keys_text(a), a.description) for a in ACTIONS if a.keys] + list(GESTURES)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        table = QTableWidget(len(rows), 2)
        table.setObjectName("shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        for row, (keys, action) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(action))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        # As wide as the longest keys and action read in full (plus the scroll bar and margins).
        columns = table.columnWidth(0) + table.columnWidth(1) + 24
        scroll = table.verticalScrollBar().sizeHint().width()
        margins = layout.contentsMargins().left() + layout.contentsMargins().right() + 2 * table.frameWidth()
        self.resize(max(520, columns + scroll + margins + 16), 640)
