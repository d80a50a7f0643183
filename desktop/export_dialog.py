"""The export dialog: format, size, quality, colour space and metadata, or a shop's preset.

It only gathers choices into a :class:`core.export.ExportOptions`; the core exporter
does the work (in a worker), exactly as a batch export would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from core.errors import PackshotError
from core.export import COLOUR_SPACES, EXTENSIONS, FITS, METADATA_POLICIES, ExportOptions, options_from_preset
from core.params import Colour

from .document import Document
from .param_form import ColourButton

FORMATS = ("JPEG", "PNG", "TIFF", "WEBP")
METADATA_TITLES = {"keep": "Keep all", "strip-gps": "Strip location (GPS)", "strip-all": "Strip all"}


class ExportDialog(QDialog):
    """Choose how to export ``doc``'s current picture; ``options()`` and ``target()`` give the answer."""

    def __init__(self, doc: Document, presets: Sequence[Mapping[str, Any]] = (), parent: QWidget | None = None,
                 folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export {doc.name}")
        self.doc = doc
        self.presets = list(presets)
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
        self.folder = QLineEdit(str(folder or (doc.path.parent if doc.path else Path.home())))
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        stem = doc.path.stem if doc.path else "untitled"
        self.name = QLineEdit(f"{stem}_edited")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        for label, widget in (("Preset", self.preset), ("Format", self.format), ("Quality", self.quality),
                              ("Width", self.width), ("Height", self.height), ("Fit", self.fit),
                              ("Background", self.background), ("Largest file", self.max_kb),
                              ("Colour space", self.colour), ("Metadata", self.metadata)):
            form.addRow(label, widget)
        form.addRow("Folder", folder_row)
        form.addRow("File name", self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
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

    def options(self) -> ExportOptions:
        """The chosen options, checked (raises BadParameter naming what is wrong)."""
        base = self._preset_options if self.preset.currentIndex() > 0 else None
        values = dict(
            width=self.width.value() or None, height=self.height.value() or None, fit=self.fit.currentText(),
            background=Colour.to_rgb(self.background.value()), format=self.format.currentText(),
            quality=self.quality.value(), max_bytes=self._max_bytes,
            colour_space=self.colour.currentText(), metadata=self.metadata.currentData(),
        )
        if base is not None:
            return replace(base, **values).validated()
        return ExportOptions(**values).validated()

    def target(self) -> Path:
        ext = EXTENSIONS[self.format.currentText()]
        return Path(self.folder.text()).expanduser() / f"{Path(self.name.text()).name}.{ext}"

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def accept(self) -> None:
        try:
            self.options()
        except PackshotError as exc:
            self.problem.setText(str(exc))
            return
        if not self.target().parent.is_dir():
            self.problem.setText(f"{self.target().parent}: folder does not exist")
            return
        if self.target().exists():
            self.problem.setText(f"{self.target().name} already exists; choose another name")
            return
        super().accept()
