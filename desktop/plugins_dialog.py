"""The Plugins dialog: what is loaded, its version and operations, what failed and why.

Unticking a plugin disables it from the next start (saved in ``packshot.core.settings``
``disabled_plugins``, the same list ``packshot plugins --disable`` writes).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from packshot.core.errors import PackshotError
from packshot.core.plugin_host import PluginHost
from packshot.core.settings import Settings, load_settings, save_settings

COLUMNS = ("Enabled", "Plugin", "Version", "Status", "Operations", "Error")


class PluginsDialog(QDialog):
    def __init__(self, host: PluginHost, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plugins")
        self.host = host
        self.settings = settings
        infos = host.plugins()
        self.table = QTableWidget(len(infos), len(COLUMNS))
        self.table.setObjectName("plugins")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        for row, info in enumerate(infos):
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Unchecked if info.name in settings.disabled_plugins
                                else Qt.CheckState.Checked)
            check.setData(Qt.ItemDataRole.UserRole, info.name)
            self.table.setItem(row, 0, check)
            origin = " (built-in)" if info.builtin else f" ({info.distribution})" if info.distribution else ""
            name = f"{info.name}{origin}"
            for col, text in enumerate((name, info.version, info.status, ", ".join(info.operations), info.error), 1):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemChanged.connect(self._changed)
        self.note = QLabel("Changes take effect the next time Packshot starts.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(900, 360)

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Persist one plugin's choice (re-reading the saved settings so nothing else is lost)."""
        saved = load_settings()
        disabled = [n for n in saved.disabled_plugins if n != name] + ([] if enabled else [name])
        saved.disabled_plugins = sorted(set(disabled))
        try:
            save_settings(saved)
        except (PackshotError, OSError) as exc:
            self.note.setText(f"Could not save: {exc}")
            return
        self.settings.disabled_plugins = list(saved.disabled_plugins)
        self.note.setText(f"{name} will be {'enabled' if enabled else 'disabled'} the next time Packshot starts.")

    def _changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            self.set_enabled(item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked)
