"""Selection exports as Qt signals: the session runs them as jobs, this reports them to widgets.

An export is a job on the session's runner (the GPU lane, since its saved edits may load
models: the window's model store serves them, so no second copy of a model is loaded);
a second export waits in the lane rather than halving the speed of the first. ``changed``
follows each file (emitted from the lane's thread, so connect it queued unless the slot
is thread-safe) and every start and end; ``finished`` or ``failed`` comes on the UI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from packshot.core.batch import DEFAULT_TEMPLATE
from packshot.core.export import ExportOptions
from packshot.core.jobs import Job

from .selection_export import SelectionExport
from .session import EditorSession
from .workers import JobBridge, Listener


class ExportQueue(QObject):
    """``start()`` an export; ``changed`` follows each file, then ``finished`` or ``failed``."""

    changed = Signal(object)  # a SelectionExport queued, progressed or ended (the queue panel listens)
    finished = Signal(object, object)  # SelectionExport, ExportResult
    failed = Signal(object, str)  # SelectionExport, why the export as a whole could not run

    def __init__(self, session: EditorSession, bridge: JobBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.bridge = session, bridge

    def start(self, paths: Sequence[Path], out_dir: Path, options: ExportOptions, *, preset: str = "",
              template: str = DEFAULT_TEMPLATE, overwrite: bool = False) -> SelectionExport:
        def submit(listener: Listener) -> Job:
            return self.session.export_selection(paths, out_dir, options, preset=preset, template=template,
                                                 overwrite=overwrite, on_file=self.changed.emit,
                                                 listener=listener)[1]

        export = self.session.exports[self.bridge.track(submit, self._ended)]
        self.changed.emit(export)
        return export

    def active(self) -> list[SelectionExport]:
        return list(self.session.exports.values())

    def cancel_all(self) -> None:
        for export in self.active():
            export.cancel()

    def _ended(self, job: Job) -> None:
        export, result = self.session.finish_selection_export(job)
        self.changed.emit(export)
        if result is None:
            self.failed.emit(export, describe(job))
        else:
            self.finished.emit(export, result)


def describe(job: Job) -> str:
    from .document import describe_error

    return describe_error(job.error) if job.error is not None else job.state
