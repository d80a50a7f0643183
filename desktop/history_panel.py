"""The history panel: the picture's edit stack, one row per step, each re-openable, hideable, deletable.

Row 0 is the original; row ``n`` is step ``n``. Clicking a step re-opens it (its values go
into the operation's form, and Run changes that step); its check box shows or hides its
effect; Delete (the button or the key) removes it. Undo and Redo walk these changes.
Steps beyond the stack's cursor (left by an older Packshot's undo) are shown greyed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from .document import Document


def step_text(step, title: str = "") -> str:
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in step.params.items())
    extra = " + mask" if step.mask else ""
    return f"{title or step.op}{extra}" + (f"  ({params})" if params else "")


class HistoryPanel(QWidget):
    """``stepOpened(n)``, ``stepToggled(n, on)`` and ``stepDeleted(n)`` ask the window to change step ``n``."""

    stepOpened = Signal(int)
    stepToggled = Signal(int, bool)
    stepDeleted = Signal(int)

    def __init__(self, titles: Callable[[str], str] = lambda op_id: "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.titles = titles
        self.applied = 0
        self._filling = False
        self.list = QListWidget()
        self.list.setObjectName("history")
        self.list.itemClicked.connect(self._clicked)
        self.list.itemChanged.connect(self._changed)
        self.delete_button = QPushButton("Delete step")
        self.delete_button.setObjectName("deleteStep")
        self.delete_button.setToolTip("Remove the selected step (Delete); Undo brings it back")
        self.delete_button.clicked.connect(self._delete_selected)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self._delete_selected)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)

    def show_document(self, doc: Document | None) -> None:
        self._filling = True
        try:
            self._fill(doc)
        finally:
            self._filling = False

    def _fill(self, doc: Document | None) -> None:
        self.list.clear()
        self.applied = doc.cursor if doc is not None else 0
        self.delete_button.setEnabled(bool(self.applied))
        if doc is None:
            return
        self.list.addItem(QListWidgetItem("Original"))
        for i, step in enumerate(doc.steps, 1):
            item = QListWidgetItem(f"{i}. {step_text(step, self.titles(step.op))}")
            item.setToolTip(f"{step.op} from plugin {step.plugin or '?'} {step.plugin_version}\n"
                            f"params: {step.params}\nseed: {step.seed}\n"
                            "Click to change it; untick to hide it")
            if i > doc.cursor:
                item.setForeground(QColor(120, 120, 120))  # beyond the cursor: not applied
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if step.enabled else Qt.CheckState.Unchecked)
                if not step.enabled:
                    item.setForeground(QColor(140, 140, 140))
            if i == doc.editing:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
                item.setText("\u270e " + item.text())  # a pencil: Run changes this step
            self.list.addItem(item)
        self.list.setCurrentRow(doc.editing or doc.cursor)

    def _clicked(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 1 <= row <= self.applied:
            self.stepOpened.emit(row)

    def _changed(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if not self._filling and 1 <= row <= self.applied:
            self.stepToggled.emit(row, item.checkState() == Qt.CheckState.Checked)

    def _delete_selected(self) -> None:
        row = self.list.currentRow()
        if 1 <= row <= self.applied:
            self.stepDeleted.emit(row)
