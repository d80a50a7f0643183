"""Choose which of a picture's edits to copy, sync or save (Lightroom's Copy Settings dialog)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from packshot.core.recipe import Step

from .edit_sync import copyable


class StepsDialog(QDialog):
    """Every step with a tick box, all ticked; a step with a painted mask is shown but cannot be ticked."""

    def __init__(self, steps: Sequence[Step], title: Callable[[str], str], heading: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(heading)
        self.steps = list(steps)
        self.list = QListWidget()
        self.list.setObjectName("steps")
        for i, step in enumerate(self.steps):
            item = QListWidgetItem(f"{i + 1}. {title(step.op)}")
            if copyable(step):
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setText(item.text() + "  (painted mask: this picture's own)")
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The ticked edits, in this order:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(420, 360)

    def chosen(self) -> list[Step]:
        return [s for i, s in enumerate(self.steps)
                if self.list.item(i).checkState() == Qt.CheckState.Checked and copyable(s)]
