"""The neutral dark-grey theme: a grey palette for native widgets plus the bundled stylesheet."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from packshot.core.resources import resource_path

STYLESHEET = ("style", "dark.qss")


def palette() -> QPalette:
    pal = QPalette()
    grey = {
        QPalette.ColorRole.Window: 46, QPalette.ColorRole.Base: 36, QPalette.ColorRole.AlternateBase: 42,
        QPalette.ColorRole.Button: 61, QPalette.ColorRole.ToolTipBase: 31, QPalette.ColorRole.Highlight: 90,
    }
    for role, v in grey.items():
        pal.setColor(role, QColor(v, v, v))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.ToolTipText, QPalette.ColorRole.HighlightedText):
        pal.setColor(role, QColor(216, 216, 216))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(120, 120, 120))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(120, 120, 120))
    return pal


def stylesheet() -> str:
    """The stylesheet, its ``@style@`` (the images beside it, e.g. the checkbox tick) made an absolute path."""
    path = resource_path(*STYLESHEET)
    return path.read_text("utf-8").replace("@style@", path.parent.as_posix())


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setStyleSheet(stylesheet())
