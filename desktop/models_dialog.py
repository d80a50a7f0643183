"""The Models dialog: which model-backed operations have their weights, add a file, download one.

Everything goes through the core model store (checksums, custom files recognised by
spandrel, resumable verified downloads); the dialog only shows it and runs the slow
parts (checking, which hashes files, adding, downloading) in a worker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from packshot.core.models import ModelStatus, ModelStore, open_store
from packshot.core.plugin_host import PluginHost
from packshot.core.settings import Settings

from .operations_panel import op_title
from .workers import Tasks

COLUMNS = ("Model", "Family", "State", "Used by", "Size", "Licence", "File")


def _size(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n else "?"


class ModelsDialog(QDialog):
    def __init__(self, host: PluginHost, settings: Settings, parent: QWidget | None = None,
                 store: ModelStore | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.host = host
        self.store = store or open_store(settings, host)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("models")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.folder = QLabel(f"Models folder: {self.store.folder}")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        add = QPushButton("Add weights file...")
        add.clicked.connect(self.choose_file)
        self.download_button = QPushButton("Download selected")
        self.download_button.clicked.connect(self.download_selected)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(self.download_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._closing = False
        self.tasks = Tasks(threads=1, parent=self)
        self.tasks.done.connect(self._done)
        self.tasks.error.connect(self._failed)
        self.resize(980, 420)
        self.refresh()

    def users(self) -> dict[str, list[str]]:
        """Model name -> the operations that can use it."""
        out: dict[str, list[str]] = {}
        for op in self.host.operations().values():
            for name in op.models:
                out.setdefault(name, []).append(op_title(op))
        return out

    def refresh(self, message: str = "") -> None:
        """Check every model in the worker (it hashes files: seconds for large weights);
        the table fills when it is done, then ``message`` (or the count) is shown."""
        self._message = message
        if not message:
            self.status.setText("Checking the models folder...")
        self.tasks.start(("refresh",), self.store.statuses)

    def _fill(self, statuses: list[ModelStatus]) -> None:
        users = self.users()
        self.table.setRowCount(len(statuses))
        for row, s in enumerate(statuses):
            e = s.entry
            state = s.state + (f" ({s.detail})" if s.detail and s.state != "installed" else "")
            cells = (e.label, e.family, state, ", ".join(users.get(e.name, [])), _size(e.size), e.licence, e.file)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                item.setData(Qt.ItemDataRole.UserRole, e.name)
                item.setToolTip(e.notes or e.url)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        installed = sum(s.installed for s in statuses)
        self.status.setText(self._message or f"{installed} of {len(statuses)} models installed.")

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a weights file", "",
                                              "Weights (*.safetensors *.pth *.pt *.ckpt *.onnx *.pb);;All files (*)")
        if path:
            self.add_file(Path(path))

    def add_file(self, path: Path) -> None:
        self._busy(f"Checking and copying {path.name}...")
        self.tasks.start(("add", path), lambda: self.store.install(path))

    def download_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            self.status.setText("Select a model to download.")
            return
        name = self.table.item(min(rows), 0).data(Qt.ItemDataRole.UserRole)  # type: ignore[union-attr]  # a selected row
        self._busy(f"Downloading {name}...")
        self.progress.setRange(0, 1000)

        def progress(done: int, total: int) -> None:  # worker thread: only plain values cross
            self._progress = (done, total)

        self._progress = (0, 0)
        self.tasks.start(("download", name),
                         lambda: self.store.download(name, progress=progress, cancelled=lambda: self._closing))
        self._poll()

    def _poll(self) -> None:
        done, total = self._progress
        if total:
            self.progress.setValue(int(done / total * 1000))
            self.status.setText(f"Downloading: {done / 1e6:.1f} of {total / 1e6:.1f} MB")
        if self.progress.isVisible():
            QTimer.singleShot(200, self._poll)

    def _busy(self, text: str) -> None:
        self.status.setText(text)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)

    def done(self, result: int) -> None:
        """Closing stops a download and waits for the worker, so nothing reports into a closed dialog."""
        self._closing = True
        self.tasks.clear()
        self.tasks.wait()
        super().done(result)

    def _done(self, key, value) -> None:
        if key[0] == "refresh":
            self._fill(value)
            return
        what = getattr(value, "label", None) or getattr(value, "name", str(value))
        self._finished(f"Installed {what}." if key[0] == "add" else f"Downloaded {key[1]}.")

    def _failed(self, key, message: str) -> None:
        if key[0] == "refresh":
            self.status.setText(f"Could not check the models folder: {message}")
        else:
            self._finished(message)

    def _finished(self, message: str) -> None:
        self.progress.setVisible(False)
        self.status.setText(message)
        self.refresh(message)
