"""Whether a key press is typing: then single-key shortcuts (ratings, flags, labels, tools) stay quiet.

A person typing into a text field, a spin box, a drop-down or a list (whose keys search
it) means the letters, not the commands: "Ex" in the operations list must not reject the
picture. A widget whose keys are meant as commands (the library grid, where 1-5, P and X
mark the pictures as in Lightroom's grid) says so with the ``SINGLE_KEY_COMMANDS`` property.
"""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

SINGLE_KEY_COMMANDS = "singleKeyCommands"
TYPING_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox, QAbstractItemView)
COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                     | Qt.KeyboardModifier.MetaModifier)


def takes_typing(widget: QWidget | None) -> bool:
    """Whether characters typed into ``widget`` are text for it (not commands)."""
    return isinstance(widget, TYPING_WIDGETS) and not widget.property(SINGLE_KEY_COMMANDS)


def is_character(event: QEvent) -> bool:
    """A printable key without Ctrl, Alt or Meta: what a single-key shortcut and typing share.

    ``event`` is a key press or a shortcut override, both key events (Qt's event filters see QEvent)."""
    key = cast(QKeyEvent, event)
    text = key.text()
    return bool(text) and text.isprintable() and not (key.modifiers() & COMMAND_MODIFIERS)
