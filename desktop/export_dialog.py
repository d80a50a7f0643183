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

EXPORT_FOLDER = "export"


def default_export_folder(source: Path | None) -> Path:
    """``export/`` inside the shoot's folder: beside the originals, never among them."""
    return source.parent / EXPORT_FOLDER if source is not None else Path.home() / EXPORT_FOLDER


class ExportDialog(ExportDialogBase):
    """Choose how to export ``doc``'s current picture; ``options()`` and ``target()`` give the answer."""

    def __init__(self, doc: Document, presets: Sequence[Mapping[str, Any]] = (), parent: QWidget | None = None,
                 folder: Path | None = None) -> None:
        super().__init__(f"Export {doc.name}", presets, folder or default_export_folder(doc.path), parent)
        self.doc = doc
        stem = doc.path.stem if doc.path else "untitled"
        self.name = QLineEdit(f"{stem}_edited")
        self.form.addRow("File name", self.name)

    def target(self) -> Path:
        ext = EXTENSIONS[self.form.format.currentText()]
        return self.folder.path() / f"{Path(self.name.text()).name}.{ext}"

    def check(self) -> None:
        folder = self.target().parent
        if not folder.is_dir() and not folder.parent.is_dir():  # one new folder level is made on export
            raise BadInput(f"{folder}: folder does not exist")
        if self.target().exists():
            raise BadInput(f"{self.target().name} already exists; choose another name")
