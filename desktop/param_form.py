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
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
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
        slider = QLabeledDoubleSlider()
        slider.setOrientation(Qt.Orientation.Horizontal)
        slider.setDecimals(_decimals(p))
        slider.setRange(p.minimum, p.maximum)
        slider.setSingleStep(p.step or (p.maximum - p.minimum) / 100.0)  # type: ignore[arg-type]  # stub says int
        slider.setValue(float(p.default))
        return (slider, lambda: min(max(slider.value(), p.minimum), p.maximum), lambda v: slider.setValue(float(v)),
                slider.valueChanged)
    if isinstance(p, Float):
        spin = QDoubleSpinBox()
        spin.setDecimals(_decimals(p) if math.isfinite(p.maximum - p.minimum) else 3)
        spin.setRange(max(p.minimum, -1e12), min(p.maximum, 1e12))
        spin.setValue(float(p.default))
        return spin, spin.value, lambda v: spin.setValue(float(v)), spin.valueChanged
    if isinstance(p, Int) and p.maximum - p.minimum <= SLIDER_MAX_STEPS and p.name != "seed":
        int_slider = QLabeledSlider()
        int_slider.setOrientation(Qt.Orientation.Horizontal)
        int_slider.setRange(p.minimum, p.maximum)
        int_slider.setValue(int(p.default))
        return int_slider, int_slider.value, lambda v: int_slider.setValue(int(v)), int_slider.valueChanged
    if isinstance(p, Int) and -(2**31) <= p.minimum and p.maximum <= 2**31 - 1:
        int_spin = QSpinBox()
        int_spin.setRange(p.minimum, p.maximum)
        int_spin.setValue(int(p.default))
        return int_spin, int_spin.value, lambda v: int_spin.setValue(int(v)), int_spin.valueChanged
    if isinstance(p, Int):  # wider than QSpinBox's 32 bits (a 64-bit seed): a double holds 2**53 exactly
        wide_spin = QDoubleSpinBox()
        wide_spin.setDecimals(0)
        wide_spin.setRange(max(p.minimum, -(2**53)), min(p.maximum, 2**53))
        wide_spin.setValue(int(p.default))
        return wide_spin, lambda: int(wide_spin.value()), lambda v: wide_spin.setValue(int(v)), wide_spin.valueChanged
    if isinstance(p, Bool):
        check = QCheckBox()
        check.setChecked(bool(p.default))
        return check, check.isChecked, lambda v: check.setChecked(bool(v)), check.toggled
    if isinstance(p, Choice):
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        combo.addItems(list(p.choices))
        combo.setCurrentText(str(p.default))
        return combo, combo.currentText, lambda v: combo.setCurrentText(str(v)), combo.currentTextChanged
    if isinstance(p, Colour):
        colour = ColourButton(str(p.default))
        return colour, colour.value, colour.set_value, colour.changed
    if isinstance(p, Text) and p.multiline:
        text_box = QPlainTextEdit(str(p.default))
        text_box.setFixedHeight(72)
        return text_box, text_box.toPlainText, lambda v: text_box.setPlainText(str(v)), text_box.textChanged
    line = QLineEdit(_as_text(p.default))
    shown_default = _as_text(p.default)

    def get() -> Any:  # an untouched field gives the default as declared (an empty "not set" point...)
        return p.default if line.text().strip() == shown_default else p.parse(line.text())

    return line, get, lambda v: line.setText(_as_text(v)), line.textChanged


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
            field = _with_pick_button(self, p, widget) if isinstance(p, Numbers) and on_picture else widget
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
