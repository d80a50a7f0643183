"""The keyboard shortcuts, in one table: the menus bind them and F1 / ? lists them."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

# (keys, what they do). Ratings and flags follow Lightroom; zoom follows Lightroom's Z
# and Photoshop's Ctrl+1 / Ctrl+0 (plain 1 is one star, as in Lightroom).
SHORTCUTS: list[tuple[str, str]] = [
    ("Ctrl+O", "Open a folder"),
    ("Ctrl+Shift+O", "Open image files"),
    ("Ctrl+E", "Export the current picture"),
    ("Ctrl+Shift+E", "Export the selected pictures, each with its saved edits"),
    ("Ctrl+A", "Select all pictures in the library"),
    ("Ctrl+click / Shift+click", "Add a picture to the selection / select a range"),
    ("Ctrl+Z", "Undo"),
    ("Ctrl+Shift+Z / Ctrl+Y", "Redo"),
    ("Ctrl+Return", "Run the chosen operation"),
    ("Esc", "Cancel the running operation"),
    ("Left / Right, Up / Down", "Previous / next picture"),
    ("1 - 5", "Rate the selected pictures 1 to 5 stars"),
    ("0", "Clear the selected pictures' rating"),
    ("P / X / U", "Pick / reject / unflag the selected pictures"),
    ("6 / 7 / 8 / 9", "Red / yellow / green / blue label on the selected pictures (again to remove)"),
    ("Z", "Toggle fit and 100 %"),
    ("Ctrl+1 / Ctrl+0", "100 % / fit to window"),
    ("Mouse wheel", "Zoom around the cursor"),
    ("Drag, or Space + drag", "Pan"),
    ("\\ (hold)", "Show the original (before)"),
    ("Y", "Toggle the before/after split"),
    ("H / B / E", "Hand / mask brush / mask eraser"),
    ("[ / ]", "Smaller / larger brush"),
    ("F1 or ?", "This list"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        table = QTableWidget(len(SHORTCUTS), 2)
        table.setObjectName("shortcuts")
        table.setHorizontalHeaderLabels(["Keys", "Action"])
        table.verticalHeader().hide()
        for row, (keys, action) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(action))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(480, 560)
