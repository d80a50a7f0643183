"""Sliders, spin boxes and drop-downs take the mouse wheel only once clicked (focused).

Scrolling a panel of parameters with the wheel must scroll the panel: a drop-down that
passes under the pointer must not switch Denoise from "balanced" to "fast". An unfocused
editor leaves the wheel event unaccepted, so Qt hands it on to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSlider, QAbstractSpinBox, QApplication, QComboBox, QWidget

WHEEL_EDITORS = (QAbstractSlider, QAbstractSpinBox, QComboBox)


class _WheelGuard(QObject):
    """Owned by one editor; filters the wheel for it and its parts."""

    def __init__(self, editor: QWidget) -> None:
        super().__init__(editor)
        self.editor = editor

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel:
            focus = QApplication.focusWidget()
            if not (focus is self.editor or (focus is not None and self.editor.isAncestorOf(focus))):
                event.ignore()  # on to the scroll area
                return True
        return super().eventFilter(obj, event)


def wheel_only_when_focused(editor: QWidget) -> None:
    """Make ``editor`` (and the sliders, spin boxes and drop-downs inside it) ignore the wheel until focused."""
    guard = _WheelGuard(editor)
    for part in (editor, *editor.findChildren(QWidget)):
        if isinstance(part, WHEEL_EDITORS):
            part.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wheel turn never takes the focus
            part.installEventFilter(guard)
