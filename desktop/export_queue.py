"""Selection exports in the background, reported on the UI thread as Qt signals.

Exports run one after another on their own worker thread (a second export waits in the
queue rather than halving the speed of the first), so the window stays responsive and
operations keep their own lanes. Like :class:`packshot.desktop.workers.JobBridge`, the worker
thread's progress becomes queued signals; Cancel sets the export's token.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from packshot.core.batch import DEFAULT_TEMPLATE
from packshot.core.export import ExportOptions
from packshot.core.plugin_host import PluginHost

from .selection_export import ExportResult, SelectionExport, run_export
from .workers import Tasks


class ExportQueue(QObject):
    """``start()`` an export; ``progressed`` follows each file, then ``finished`` or ``failed``."""

    changed = Signal(object)  # a SelectionExport queued, progressed or ended (the queue panel listens)
    finished = Signal(object, object)  # SelectionExport, ExportResult
    failed = Signal(object, str)  # SelectionExport, why the export as a whole could not run

    def __init__(self, host: PluginHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.tasks = Tasks(threads=1, parent=self)
        self.tasks.done.connect(self._done)
        self.tasks.error.connect(self._error)
        self._active: dict[int, SelectionExport] = {}
        self._ids = itertools.count(1)

    def start(self, paths: Sequence[Path], out_dir: Path, options: ExportOptions, *, preset: str = "",
              template: str = DEFAULT_TEMPLATE, overwrite: bool = False) -> SelectionExport:
        export = SelectionExport(next(self._ids), [Path(p) for p in paths], Path(out_dir), options,
                                 preset=preset, template=template, overwrite=overwrite)
        self._active[export.id] = export
        self.tasks.start(export, lambda: run_export(export, self.host, lambda: self.changed.emit(export)))
        self.changed.emit(export)
        return export

    def active(self) -> list[SelectionExport]:
        return list(self._active.values())

    def cancel_all(self) -> None:
        for export in self.active():
            export.cancel()

    def stop(self, wait_ms: int = 10_000) -> None:
        """Cancel every export and wait for the file under way (the window is closing)."""
        self.cancel_all()
        self.tasks.wait(wait_ms)

    def _done(self, export: SelectionExport, result: ExportResult) -> None:
        self._active.pop(export.id, None)
        self.changed.emit(export)
        self.finished.emit(export, result)

    def _error(self, export: SelectionExport, message: str) -> None:
        self._active.pop(export.id, None)
        self.changed.emit(export)
        self.failed.emit(export, message)
