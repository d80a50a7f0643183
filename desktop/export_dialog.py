"""The export dialog: format, size, quality, colour space and metadata, or a shop's preset.

It only gathers choices into a :class:`packshot.core.export.ExportOptions`; the core exporter
does the work (in a worker), exactly as a batch export would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from packshot.core.errors import BadInput
from packshot.core.export import EXTENSIONS

from .document import Document
from .export_form import ExportDialogBase


class ExportDialog(ExportDialogBase):
    """Choose how to export ``doc``'s current picture; ``options()`` and ``target()`` give the answer."""

    def __init__(self, doc: Document, presets: Sequence[Mapping[str, Any]] = (), parent: QWidget | None = None,
                 folder: Path | None = None) -> None:
        super().__init__(f"Export {doc.name}", presets, folder or (doc.path.parent if doc.path else Path.home()),
                         parent)
        self.doc = doc
        stem = doc.path.stem if doc.path else "untitled"
        self.name = QLineEdit(f"{stem}_edited")
        self.form.addRow("File name", self.name)

    def target(self) -> Path:
        ext = EXTENSIONS[self.form.format.currentText()]
        return self.folder.path() / f"{Path(self.name.text()).name}.{ext}"

    def check(self) -> None:
        if not self.target().parent.is_dir():
            raise BadInput(f"{self.target().parent}: folder does not exist")
        if self.target().exists():
            raise BadInput(f"{self.target().name} already exists; choose another name")
