"""The dark theme as drawn: what a person reads off the widgets."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QCheckBox, QStyle, QStyleOptionButton, QVBoxLayout, QWidget

from packshot.desktop.theme import stylesheet


def _indicator(qtbot, checked: bool, enabled: bool = True) -> np.ndarray:
    """The pixels inside a themed checkbox's box (its border left out), as grey levels."""
    holder = QWidget()
    holder.setStyleSheet(stylesheet())
    box = QCheckBox("Clean edges")
    box.setChecked(checked)
    box.setEnabled(enabled)
    QVBoxLayout(holder).addWidget(box)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box).adjusted(2, 2, -2, -2)
    image = box.grab(rect).toImage()
    return np.array([[image.pixelColor(x, y).value() for x in range(image.width())] for y in range(image.height())])


def test_a_ticked_checkbox_shows_a_tick_and_an_empty_one_none(qtbot):
    on, off = _indicator(qtbot, True), _indicator(qtbot, False)
    assert off.max() - off.min() < 20  # an empty dark well
    assert on.mean() > off.mean() + 60  # a ticked box is light...
    assert (on < 80).mean() > 0.1 and (on > 150).mean() > 0.3  # ...with a dark tick on it
    greyed = _indicator(qtbot, True, enabled=False)
    assert greyed.max() - greyed.min() > 40  # disabled but ticked still shows its tick
