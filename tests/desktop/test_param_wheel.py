"""The mouse wheel scrolls the parameter panel; it changes a parameter only once its editor is clicked."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSlider, QApplication, QLineEdit

from packshot.desktop.param_form import ParamForm

from .test_dialogs import ALL_KINDS


def _wheel(widget, notches: int = -1) -> bool:
    """Turn the wheel over ``widget`` (down by default); returns whether the widget kept the event."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def test_the_wheel_passes_over_unfocused_editors_and_turns_a_focused_one(qtbot):
    form = ParamForm(ALL_KINDS)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    before = form.values()
    slider = form.editors["strength"].findChild(QAbstractSlider)
    for widget in (form.editors["method"], form.editors["radius"].findChild(QAbstractSlider), slider,
                   form.editors["gain"], form.editors["seed"]):
        assert not _wheel(widget)  # unaccepted: Qt hands it on to the scroll area
    assert form.values() == before
    form.editors["method"].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.editors["method"], timeout=2_000)
    _wheel(form.editors["method"])
    assert form.values()["method"] == "white_patch"
    form.editors["strength"].findChild(QLineEdit).setFocus()  # the slider's number field: the slider is focused
    qtbot.waitUntil(lambda: form.editors["strength"].isAncestorOf(QApplication.focusWidget()), timeout=2_000)
    _wheel(slider, 1)
    assert form.values()["strength"] > before["strength"]
