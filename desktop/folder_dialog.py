"""Qt's own folder chooser, showing the pictures inside each folder so a person sees which folder is the shoot.

``QFileDialog.getExistingDirectory`` lists folders only, so a folder of pictures looks
empty; here the dialog shows the image files too (they cannot be chosen, a folder is),
at a size where every column reads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QTreeView, QWidget

from packshot.core.library.probe import IMAGE_SUFFIXES


def images_filter() -> str:
    return "Images (" + " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES)) + ")"


def folder_dialog(parent: QWidget | None, caption: str, start: str | Path) -> QFileDialog:
    """The dialog, not yet shown (tests look inside it)."""
    dialog = QFileDialog(parent, caption, str(start))
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, False)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # the same dialog on every desktop
    dialog.setNameFilters([images_filter(), "All files (*)"])
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.resize(900, 560)
    details = dialog.findChild(QTreeView)
    if details is not None:  # name, size, type, date: each wide enough to read
        for column, width in enumerate((360, 90, 130, 150)):
            details.header().resizeSection(column, width)
    return dialog


def choose_folder(parent: QWidget | None, caption: str, start: str | Path) -> Path | None:
    """The folder the person chose, or None when they cancelled."""
    dialog = folder_dialog(parent, caption, start)
    if dialog.exec() and dialog.selectedFiles():
        return Path(dialog.selectedFiles()[0])
    return None
