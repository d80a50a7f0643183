"""Settings: compute device, models folder, tile size and cache size (``packshot.core.settings``).

They are the same settings the command line reads, so a choice made here also holds
for an overnight batch.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
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
from packshot.core.settings import DEVICES, Settings, save_settings

DEVICE_TITLES = {"auto": "Automatic (GPU when available)", "cuda": "NVIDIA GPU (CUDA)", "mps": "Apple GPU (MPS)",
                 "cpu": "CPU only"}


class SettingsDialog(QDialog):
    """Edits a copy of the settings; on OK they are validated and saved, and ``saved`` holds them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.original = settings
        self.saved: Settings | None = None
        self.device = QComboBox()
        for d in DEVICES:
            self.device.addItem(DEVICE_TITLES.get(d, d), d)
        self.device.setCurrentIndex(DEVICES.index(settings.device) if settings.device in DEVICES else 0)
        self.models_dir = QLineEdit(settings.models_dir)
        self.models_dir.setPlaceholderText(str(settings.models_path))
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.models_dir, 1)
        row.addWidget(browse)
        self.tile_size = QSpinBox()
        self.tile_size.setRange(64, 8192)
        self.tile_size.setSingleStep(64)
        self.tile_size.setSuffix(" px")
        self.tile_size.setValue(settings.tile_size)
        self.tile_size.setToolTip("Large pictures are processed in tiles this big; smaller tiles use less GPU memory")
        self.cache_mb = QSpinBox()
        self.cache_mb.setRange(0, 1_000_000)
        self.cache_mb.setSuffix(" MB")
        self.cache_mb.setValue(settings.cache_mb)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Compute device", self.device)
        form.addRow("Models folder", row)
        form.addRow("Tile size", self.tile_size)
        form.addRow("Cache size", self.cache_mb)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Models folder", str(self.original.models_path))
        if folder:
            self.models_dir.setText(folder)

    def settings(self) -> Settings:
        return replace(self.original, device=self.device.currentData(), models_dir=self.models_dir.text().strip(),
                       tile_size=self.tile_size.value(), cache_mb=self.cache_mb.value()).validate()

    def accept(self) -> None:
        try:
            chosen = self.settings()
            save_settings(chosen)
        except (PackshotError, OSError) as exc:
            self.problem.setText(str(exc))
            return
        self.saved = chosen
        super().accept()
