"""An operation's report read by a person: a line per figure, on demand, never a raw dict in the status bar.

The status bar says what happened in a sentence (the result's message); the figures
behind it (noise levels, ΔE, pixel counts, the method chosen) are one click away in the
status bar's Report button, and in its tooltip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QMessageBox, QToolButton, QWidget


def say_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(say_value(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {say_value(v)}" for k, v in value.items())
    return str(value)


def report_lines(report: Mapping[str, Any]) -> list[str]:
    """``backdrop noise: 0.0029`` per entry: names with spaces, floats to three figures, yes/no."""
    return [f"{str(key).replace('_', ' ')}: {say_value(value)}" for key, value in report.items()]


class ReportButton(QToolButton):
    """The status bar's "Report" button: the newest result's figures as a tooltip and, clicked, a dialog."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportButton")
        self.setText("Report")
        self.title = ""
        self.lines: list[str] = []
        self.clicked.connect(self.show_details)
        self.hide()

    def set_report(self, title: str, report: Mapping[str, Any] | None) -> None:
        self.title, self.lines = title, report_lines(report or {})
        self.setToolTip(f"{title}\n" + "\n".join(self.lines) if self.lines else "")
        self.setVisible(bool(self.lines))

    def show_details(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, f"{self.title}: report", "\n".join(self.lines),
                          QMessageBox.StandardButton.Close, self.window())
        box.exec()
