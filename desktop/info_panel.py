"""The Info tab: the open picture's histogram with its clipping, and what its file says (size, depth,
profile, camera, lens, exposure). J shows the clipping on the canvas, as in Lightroom."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

CHANNEL_COLOURS = (QColor(230, 80, 80, 150), QColor(80, 200, 90, 150), QColor(90, 130, 240, 150))


class HistogramView(QWidget):
    """Three channel curves over 256 levels (square-root counts, so small peaks show)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: np.ndarray | None = None
        self.setMinimumHeight(110)

    def set_counts(self, counts: np.ndarray | None) -> None:
        self.counts = counts
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(30, 30, 30))
        if self.counts is None or not self.counts.any():
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        heights = np.sqrt(self.counts.astype(np.float64))
        heights /= max(heights.max(), 1e-9)
        w, h = self.width(), self.height()
        p.setPen(Qt.PenStyle.NoPen)
        for colour, row in zip(CHANNEL_COLOURS, heights):
            path = QPainterPath(QPointF(0, h))
            for level, value in enumerate(row):
                path.lineTo(QPointF(level / 255 * w, h - value * (h - 4)))
            path.lineTo(QPointF(w, h))
            path.closeSubpath()
            p.setBrush(colour)
            p.drawPath(path)


class InfoPanel(QWidget):
    """Histogram, clipped shares, and the picture's facts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.histogram = HistogramView()
        self.clipping = QLabel("")
        self.clipping.setObjectName("clippingText")
        self.clipping.setToolTip("J shows the clipped pixels on the picture: red blown highlights, "
                                 "blue blocked shadows")
        self.facts = QFormLayout()
        self.facts.setContentsMargins(0, 4, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.histogram)
        layout.addWidget(self.clipping)
        layout.addLayout(self.facts)
        layout.addStretch(1)

    def show_picture(self, counts: np.ndarray | None, clipped: tuple[float, float] | None,
                     facts: list[tuple[str, str]]) -> None:
        self.histogram.set_counts(counts)
        self.clipping.setText("" if clipped is None else
                              f"Highlights clipped {clipped[0]:.2%}   Shadows clipped {clipped[1]:.2%}   (J)")
        while self.facts.rowCount():
            self.facts.removeRow(0)
        for label, value in facts:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addRow(label, text)
