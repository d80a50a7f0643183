"""The history panel: the original, then every applied step; click one to go back to it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from .document import Document


def step_text(step, title: str = "") -> str:
    params = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in step.params.items())
    extra = " + mask" if step.mask else ""
    return f"{title or step.op}{extra}" + (f"  ({params})" if params else "")


class HistoryPanel(QWidget):
    """Row 0 is the original; row i is the picture after i steps. ``stepChosen(i)`` asks to go there."""

    stepChosen = Signal(int)

    def __init__(self, titles: Callable[[str], str] = lambda op_id: "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.titles = titles
        self.list = QListWidget()
        self.list.setObjectName("history")
        self.list.itemClicked.connect(lambda item: self.stepChosen.emit(self.list.row(item)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)

    def show_document(self, doc: Document | None) -> None:
        self.list.clear()
        if doc is None:
            return
        self.list.addItem(QListWidgetItem("Original"))
        for i, step in enumerate(doc.steps, 1):
            item = QListWidgetItem(f"{i}. {step_text(step, self.titles(step.op))}")
            item.setToolTip(f"{step.op} from plugin {step.plugin or '?'} {step.plugin_version}\n"
                            f"params: {step.params}\nseed: {step.seed}")
            if i > doc.cursor:
                item.setForeground(QColor(120, 120, 120))  # undone: redo brings it back
            if i >= len(doc.images):
                item.setText(item.text() + "  (replaying...)")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.list.setCurrentRow(doc.cursor)
