"""What both export dialogs share: a shop's preset or format, size, quality and more, a
folder, Export / Cancel and the line that says what is wrong.

One form, so exporting one picture and exporting a selection offer exactly the same
options and turn them into the same :class:`packshot.core.export.ExportOptions`; each dialog adds
only how its files are named and checks its own fields in :meth:`ExportDialogBase.check`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from packshot.core.errors import PackshotError
from packshot.core.export import COLOUR_SPACES, FITS, METADATA_POLICIES, ExportOptions, options_from_preset
from packshot.core.params import Colour

from .folder_dialog import choose_folder
from .param_form import ColourButton

FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")
METADATA_TITLES = {"keep": "Keep all", "strip-gps": "Strip location (GPS)", "strip-all": "Strip all"}


class ExportOptionsForm(QFormLayout):
    """Preset, format, quality, size, fit, background, file size, colour space and metadata.

    Choosing a preset fills the fields; any field can then be changed. ``problem`` is a
    label the form writes a bad preset's reason into (the dialog shows it).
    """

    def __init__(self, presets: Sequence[Mapping[str, Any]], problem: QLabel) -> None:
        super().__init__()
        self.presets = list(presets)
        self.problem = problem
        self.preset = QComboBox()
        self.preset.addItem("Custom")
        for p in self.presets:
            self.preset.addItem(str(p.get("title") or p["name"]))
            self.preset.setItemData(self.preset.count() - 1, str(p.get("source", "")), 3)  # tooltip role
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(90)
        self.width = QSpinBox()
        self.height = QSpinBox()
        for box in (self.width, self.height):
            box.setRange(0, 65535)
            box.setSpecialValueText("as is")
            box.setSuffix(" px")
        self.fit = QComboBox()
        self.fit.addItems(FITS)
        self.background = ColourButton("#ffffff")
        self.max_kb = QSpinBox()
        self.max_kb.setRange(0, 1_000_000)
        self.max_kb.setSpecialValueText("no limit")
        self.max_kb.setSuffix(" KB")
        self.max_kb.valueChanged.connect(lambda kb: setattr(self, "_max_bytes", kb * 1024 or None))
        self._max_bytes: int | None = None  # exact bytes from a preset; the field shows KB
        self.colour = QComboBox()
        self.colour.addItems(COLOUR_SPACES)
        self.colour.setToolTip("sRGB converts from the picture's profile and embeds sRGB (what shops expect)")
        self.metadata = QComboBox()
        for policy in METADATA_POLICIES:
            self.metadata.addItem(METADATA_TITLES.get(policy, policy), policy)
        self.metadata.setCurrentIndex(METADATA_POLICIES.index("strip-gps"))
        for label, widget in (("Preset", self.preset), ("Format", self.format), ("Quality", self.quality),
                              ("Width", self.width), ("Height", self.height), ("Fit", self.fit),
                              ("Background", self.background), ("Largest file", self.max_kb),
                              ("Colour space", self.colour), ("Metadata", self.metadata)):
            self.addRow(label, widget)
        self._preset_options: ExportOptions | None = None
        self.preset.currentIndexChanged.connect(self._preset_chosen)

    def _preset_chosen(self, index: int) -> None:
        if index <= 0:
            return
        try:
            options = options_from_preset(self.presets[index - 1])
        except PackshotError as exc:
            self.problem.setText(str(exc))
            return
        self.format.setCurrentText(options.format)
        self.quality.setValue(options.quality)
        self.width.setValue(options.width or 0)
        self.height.setValue(options.height or 0)
        self.fit.setCurrentText(options.fit)
        self.background.set_value(Colour(name="background", default="#ffffff").check(list(options.background)))
        self.max_kb.blockSignals(True)
        self.max_kb.setValue((options.max_bytes or 0) // 1024)
        self.max_kb.blockSignals(False)
        self._max_bytes = options.max_bytes
        self.colour.setCurrentText(options.colour_space)
        self.metadata.setCurrentIndex(METADATA_POLICIES.index(options.metadata))
        self._preset_options = options

    def preset_name(self) -> str:
        """The chosen preset's name ("" for Custom): output names and the export history use it."""
        index = self.preset.currentIndex()
        return str(self.presets[index - 1]["name"]) if index > 0 else ""

    def options(self) -> ExportOptions:
        """The chosen options, checked (raises BadParameter naming what is wrong)."""
        base = self._preset_options if self.preset.currentIndex() > 0 else None
        values = {
            "width": self.width.value() or None, "height": self.height.value() or None,
            "fit": self.fit.currentText(), "background": Colour.to_rgb(self.background.value()),
            "format": self.format.currentText(), "quality": self.quality.value(), "max_bytes": self._max_bytes,
            "colour_space": self.colour.currentText(), "metadata": self.metadata.currentData(),
        }
        if base is not None:
            return replace(base, **values).validated()
        return ExportOptions(**values).validated()


class FolderField(QWidget):
    """A folder path typed or chosen with Browse...; ``path()`` gives it, ``~`` expanded."""

    def __init__(self, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(str(folder))
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(browse)

    def path(self) -> Path:
        return Path(self.edit.text()).expanduser()

    def _browse(self) -> None:
        folder = choose_folder(self, "Export into", self.edit.text())
        if folder is not None:
            self.edit.setText(str(folder))


class ExportDialogBase(QDialog):
    """The frame of an export dialog: options form, folder, Export / Cancel, a problem line.

    Subclasses add their rows to ``form`` and their checks to :meth:`check`; Export
    closes the dialog only when the options and those checks pass.
    """

    def __init__(self, title: str, presets: Sequence[Mapping[str, Any]], folder: Path,
                 parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.form = ExportOptionsForm(presets, self.problem)
        self.folder = FolderField(folder)
        self.form.addRow("Folder", self.folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if note:
            layout.addWidget(QLabel(note))
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def options(self) -> ExportOptions:
        """The chosen options, checked (raises BadParameter naming what is wrong)."""
        return self.form.options()

    def check(self) -> None:
        """Raise a PackshotError naming what stops this export (beyond the options)."""

    def accept(self) -> None:
        try:
            self.options()
            self.check()
        except PackshotError as exc:
            self.problem.setText(str(exc))
            return
        super().accept()
