"""The mask tools: brush and eraser, size ([ and ]), hardness, overlay opacity, clear, invert,
and "use as mask" to adopt the mask an operation produced (a cut-out's alpha).

The sliders (superqt, whose import costs most of a second) are built the first time the
panel is shown or used, so they do not slow the window's start.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

TOOLS = (("hand", "Hand (H)", "Pan the picture"), ("brush", "Brush (B)", "Paint the mask"),
         ("eraser", "Eraser (E)", "Erase the mask"), ("heal", "Heal (Q)", "Click a dust spot to heal it"))
MIN_SIZE, MAX_SIZE = 1, 1000
TOUCHED = 0.5 / 255  # a mask value an operation sees as non-zero once the mask is stored at 8 bits
DEFAULTS = {"size": 40, "hardness": 0.8, "opacity": 0.5}


def coverage(mask: np.ndarray) -> float:
    """The share of the picture the mask touches (soft edges included), 0..1."""
    return float(np.count_nonzero(mask >= TOUCHED)) / max(mask.size, 1)


def coverage_text(mask: np.ndarray) -> str:
    """``0.12 % (1,340 px)``: two significant figures, so a dust spot never reads 0.0 %."""
    share = coverage(mask)
    pixels = int(np.count_nonzero(mask >= TOUCHED))
    if pixels == 0:
        return "0 %"
    percent = share * 100
    shown = f"{percent:.0f}" if percent >= 10 else f"{percent:.2g}" if percent >= 0.01 else "< 0.01"
    return f"{shown} % ({pixels:,} px)"


class MaskTools(QWidget):
    """Controls for painting masks; the canvas does the painting, the document holds the mask."""

    toolChanged = Signal(str)
    sizeChanged = Signal(float)
    hardnessChanged = Signal(float)
    opacityChanged = Signal(float)
    clearRequested = Signal()
    invertRequested = Signal()
    useResultRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        row = QHBoxLayout()
        for name, text, tip in TOOLS:
            b = QPushButton(text)
            b.setCheckable(True)
            b.setToolTip(tip)
            b.clicked.connect(lambda _=False, n=name: self.set_tool(n))
            group.addButton(b)
            row.addWidget(b)
            self.buttons[name] = b
        self.buttons["hand"].setChecked(True)
        self.grid = QGridLayout()
        self._sliders: tuple | None = None
        actions = QHBoxLayout()
        for text, signal, tip in (("Clear", self.clearRequested, "Remove the painted mask"),
                                  ("Invert", self.invertRequested, "Swap masked and unmasked"),
                                  ("Use result mask", self.useResultRequested,
                                   "Take the mask the last operation produced (e.g. a cut-out)")):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.clicked.connect(signal.emit)
            actions.addWidget(b)
        self.status = QLabel("No mask")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addLayout(self.grid)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def showEvent(self, event) -> None:
        self._build_sliders()
        super().showEvent(event)

    def _build_sliders(self) -> tuple:
        if self._sliders is not None:
            return self._sliders
        from superqt import QLabeledDoubleSlider, QLabeledSlider

        size = QLabeledSlider(Qt.Orientation.Horizontal)
        size.setRange(MIN_SIZE, MAX_SIZE)
        size.setValue(int(DEFAULTS["size"]))
        size.setToolTip("Brush diameter in image pixels ([ smaller, ] larger)")
        size.valueChanged.connect(lambda v: self.sizeChanged.emit(float(v)))
        hardness = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        hardness.setRange(0.0, 1.0)
        hardness.setValue(DEFAULTS["hardness"])
        hardness.setToolTip("1: crisp edge, 0: soft fall-off from the centre")
        hardness.valueChanged.connect(self.hardnessChanged.emit)
        opacity = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        opacity.setRange(0.0, 1.0)
        opacity.setValue(DEFAULTS["opacity"])
        opacity.setToolTip("How strongly the mask is tinted over the picture")
        opacity.valueChanged.connect(self.opacityChanged.emit)
        for i, (label, widget) in enumerate((("Size", size), ("Hardness", hardness), ("Overlay", opacity))):
            self.grid.addWidget(QLabel(label), i, 0)
            self.grid.addWidget(widget, i, 1)
        self._sliders = (size, hardness, opacity)
        return self._sliders

    @property
    def size(self):
        return self._build_sliders()[0]

    @property
    def hardness(self):
        return self._build_sliders()[1]

    @property
    def opacity(self):
        return self._build_sliders()[2]

    def set_tool(self, tool: str) -> None:
        self.buttons[tool].setChecked(True)
        self.toolChanged.emit(tool)

    def grow(self, factor: float) -> None:
        """[ and ]: change the brush size by a factor (at least one pixel)."""
        value = self.size.value()
        new = round(value * factor)
        if new == value:
            new = value + (1 if factor > 1 else -1)
        self.size.setValue(min(max(new, MIN_SIZE), MAX_SIZE))

    def set_status(self, mask: np.ndarray | None) -> None:
        self.status.setText(f"Mask covers {coverage_text(mask)} of the picture" if mask is not None else "No mask")
