"""The Export Selection dialog: the single-picture export choices, plus how many files are named.

Files are named by a template (``{stem}_{preset}.{ext}``...) that the core checks can
never leave the output folder; files already there are kept unless the person chooses
Replace, so nothing is overwritten silently. The export itself runs in the background.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget

from packshot.core.batch import DEFAULT_TEMPLATE, OutputTemplate
from packshot.core.batch.naming import FIELDS
from packshot.core.errors import BadInput

from .export_form import ExportDialogBase

EXISTING = (("Skip them (keep the files already there)", False), ("Replace them", True))


class SelectionExportDialog(ExportDialogBase):
    """Choose how to export ``count`` pictures; ``options()``, ``folder.path()``, ``template()``
    and ``overwrite()`` give the answer."""

    def __init__(self, count: int, presets: Sequence[Mapping[str, Any]], parent: QWidget | None = None,
                 folder: Path | None = None, template: str = DEFAULT_TEMPLATE) -> None:
        super().__init__(f"Export {count} picture{'s' if count != 1 else ''}", presets, folder or Path.home(), parent,
                         note="Each picture is exported with its saved edits; the originals are never changed.")
        self.folder.setToolTip("Created if missing")
        self.names = QLineEdit(template)
        self.names.setToolTip("Fields: " + " ".join(f"{{{f}}}" for f in FIELDS)
                              + "; '/' makes sub-folders inside the output folder")
        self.existing = QComboBox()
        for title, replace in EXISTING:
            self.existing.addItem(title, replace)
        self.form.addRow("File names", self.names)
        self.form.addRow("Existing files", self.existing)

    def template(self) -> str:
        return self.names.text().strip()

    def overwrite(self) -> bool:
        return bool(self.existing.currentData())

    def check(self) -> None:
        OutputTemplate(self.template())
        if self.folder.path().exists() and not self.folder.path().is_dir():
            raise BadInput(f"{self.folder.path()}: not a folder")
