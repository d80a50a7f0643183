"""A form built from an operation's parameter descriptions (``packshot.core.params``).

One widget per kind: sliders with numeric entry for bounded numbers, spin boxes for
unbounded ones, drop-downs for choices, a colour picker, text fields for prompts and
names. Each parameter's help is its tooltip. Plugin authors get their form for free;
``ParamForm(op.params).values()`` is what a Run sends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QWidget)
from superqt import QLabeledDoubleSlider, QLabeledSlider

from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers, Param, Text

from .wheel_guard import wheel_only_when_focused

SLIDER_MAX_STEPS = 100_000


class ColourButton(QPushButton):
    """A swatch that opens a colour picker; its value is ``#rrggbb``."""

    changed = Signal(str)

    def __init__(self, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clicked.connect(self._pick)
        self.set_value(value)

    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        self._value = Colour(name="colour", default=value).check(value)
        self.setText(self._value)
        text = "#000000" if QColor(self._value).lightness() > 128 else "#ffffff"
        self.setStyleSheet(f"background: {self._value}; color: {text};")
        self.changed.emit(self._value)

    def _pick(self) -> None:
        colour = QColorDialog.getColor(QColor(self._value), self, "Choose a colour")
        if colour.isValid():
            self.set_value(colour.name())


def _decimals(p: Float) -> int:
    step = p.step or (p.maximum - p.minimum) / 100.0
    return min(max(0, -int(math.floor(math.log10(step))) + 1), 4) if step > 0 else 2


def _editor(p: Param) -> tuple[QWidget, Callable[[], Any], Callable[[Any], None], Any]:
    """A widget for one parameter, with its getter, setter and change signal."""
    if isinstance(p, Float) and math.isfinite(p.minimum) and math.isfinite(p.maximum):
        w = QLabeledDoubleSlider()
        w.setOrientation(Qt.Orientation.Horizontal)
        w.setDecimals(_decimals(p))
        w.setRange(p.minimum, p.maximum)
        w.setSingleStep(p.step or (p.maximum - p.minimum) / 100.0)
        w.setValue(float(p.default))
        return w, lambda: min(max(w.value(), p.minimum), p.maximum), lambda v: w.setValue(float(v)), w.valueChanged
    if isinstance(p, Float):
        w = QDoubleSpinBox()
        w.setDecimals(_decimals(p) if math.isfinite(p.maximum - p.minimum) else 3)
        w.setRange(max(p.minimum, -1e12), min(p.maximum, 1e12))
        w.setValue(float(p.default))
        return w, w.value, lambda v: w.setValue(float(v)), w.valueChanged
    if isinstance(p, Int) and p.maximum - p.minimum <= SLIDER_MAX_STEPS and p.name != "seed":
        w = QLabeledSlider()
        w.setOrientation(Qt.Orientation.Horizontal)
        w.setRange(p.minimum, p.maximum)
        w.setValue(int(p.default))
        return w, w.value, lambda v: w.setValue(int(v)), w.valueChanged
    if isinstance(p, Int) and -(2**31) <= p.minimum and p.maximum <= 2**31 - 1:
        w = QSpinBox()
        w.setRange(p.minimum, p.maximum)
        w.setValue(int(p.default))
        return w, w.value, lambda v: w.setValue(int(v)), w.valueChanged
    if isinstance(p, Int):  # wider than QSpinBox's 32 bits (a 64-bit seed): a double holds 2**53 exactly
        w = QDoubleSpinBox()
        w.setDecimals(0)
        w.setRange(max(p.minimum, -(2**53)), min(p.maximum, 2**53))
        w.setValue(int(p.default))
        return w, lambda: int(w.value()), lambda v: w.setValue(int(v)), w.valueChanged
    if isinstance(p, Bool):
        w = QCheckBox()
        w.setChecked(bool(p.default))
        return w, w.isChecked, lambda v: w.setChecked(bool(v)), w.toggled
    if isinstance(p, Choice):
        w = QComboBox()
        w.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        w.setMinimumContentsLength(8)
        w.addItems(list(p.choices))
        w.setCurrentText(str(p.default))
        return w, w.currentText, lambda v: w.setCurrentText(str(v)), w.currentTextChanged
    if isinstance(p, Colour):
        w = ColourButton(str(p.default))
        return w, w.value, w.set_value, w.changed
    if isinstance(p, Text) and p.multiline:
        w = QPlainTextEdit(str(p.default))
        w.setFixedHeight(72)
        return w, w.toPlainText, lambda v: w.setPlainText(str(v)), w.textChanged
    w = QLineEdit(_as_text(p.default))
    shown_default = _as_text(p.default)

    def get() -> Any:  # an untouched field gives the default as declared (an empty "not set" point...)
        return p.default if w.text().strip() == shown_default else p.parse(w.text())

    return w, get, lambda v: w.setText(_as_text(v)), w.textChanged


def _as_text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return "" if value is None else str(value)


def _with_pick_button(form: ParamForm, p: Numbers, editor: QWidget) -> QWidget:
    """An x, y field (or a box's four numbers) with a button to click the point (drag the box) on the picture."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(editor, 1)
    pick = QPushButton("Pick" if p.length == 2 else "Draw")
    pick.setObjectName(f"pick_{p.name}")
    pick.setToolTip("Click the point on the picture" if p.length == 2 else "Drag the rectangle on the picture")
    pick.clicked.connect(lambda: form.pickRequested.emit(p.name))
    layout.addWidget(pick)
    return row


def _shape_picker(shapes: Sequence[tuple[str, float]], put: Callable[[Any], None]) -> QComboBox:
    """A drop-down of named aspect ratios that sets the aspect parameter."""
    picker = QComboBox()
    picker.setObjectName("aspect_shapes")
    picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    picker.setMinimumContentsLength(12)
    for label, ratio in shapes:
        picker.addItem(label, ratio)
        picker.setItemData(picker.count() - 1, label, Qt.ItemDataRole.ToolTipRole)
    picker.currentIndexChanged.connect(lambda i: put(picker.itemData(i)))
    wheel_only_when_focused(picker)
    return picker


class ParamForm(QWidget):
    """Editors for a list of :class:`packshot.core.params.Param`; ``values()`` returns checked values.

    ``values()`` raises :class:`packshot.core.errors.BadParameter` (naming the parameter) for a
    value its description refuses, e.g. malformed numbers typed into a text field.
    """

    changed = Signal()
    pickRequested = Signal(str)  # an x, y parameter wants a point clicked (a box parameter, dragged) on the picture

    def __init__(self, params: Sequence[Param], parent: QWidget | None = None, *,
                 shapes: Sequence[tuple[str, float]] = ()) -> None:
        """``shapes``: named values for a parameter called ``aspect`` (a crop's width / height),
        offered in a drop-down above its slider."""
        super().__init__(parent)
        self.params = list(params)
        self.editors: dict[str, QWidget] = {}
        self._get: dict[str, Callable[[], Any]] = {}
        self._set: dict[str, Callable[[Any], None]] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for p in self.params:
            widget, get, put, signal = _editor(p)
            widget.setObjectName(f"param_{p.name}")
            widget.setToolTip(p.help)
            wheel_only_when_focused(widget)
            signal.connect(lambda *_: self.changed.emit())
            on_picture = isinstance(p, Numbers) and p.length in (2, 4)  # a point, or a box (fractions)
            field = _with_pick_button(self, p, widget) if on_picture else widget
            if p.name == "aspect" and shapes:
                layout.addRow("Shape", _shape_picker(shapes, put))
            layout.addRow(p.label, field)
            label = layout.labelForField(field)
            if label is not None:
                label.setToolTip(p.help)
            self.editors[p.name], self._get[p.name], self._set[p.name] = widget, get, put

    def values(self) -> dict[str, Any]:
        """Checked values; a parameter left at its declared default is passed as declared."""
        out = {}
        for p in self.params:
            value = self._get[p.name]()
            out[p.name] = value if value is p.default else p.check(value)
        return out

    def set_values(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            if name in self._set:
                self._set[name](value)

    def reset(self) -> None:
        self.set_values({p.name: p.default for p in self.params})
