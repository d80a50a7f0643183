"""Live previews while a slider moves: proxy renders in a worker, newest first, stale ones dropped.

A change to a quick operation's form asks for a frame (the engine's preview of the stack
with the new values, on a screen-sized proxy within a frame budget). One frame renders
at a time; requests that arrive meanwhile replace each other, so a fast drag never
queues frames it has already moved past. :meth:`LivePreview.cancel` drops the frame under
way (the picture or the operation changed, or the value was committed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from .workers import Workers

FRAME_BUDGET_S = 0.05  # a preview frame's steps should fit in this (the engine picks the proxy size)
SETTLE_MS = 300  # a slider still this long has stopped: the full-resolution render follows

Frame = Callable[[], Any]


class LivePreview(QObject):
    """Latest-wins frames on the window's workers; ``show(value)`` gets each finished frame
    that is still wanted (a frame that returns None is not shown)."""

    def __init__(self, workers: Workers, show: Callable[[Any], None], error: Callable[[str], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workers = workers
        self.show = show
        self.error = error
        self.generation = 0
        self.busy = False
        self._pending: tuple[int, Frame] | None = None

    def request(self, frame: Frame) -> None:
        """Render ``frame()`` next, in place of any frame still waiting."""
        self._pending = (self.generation, frame)
        if not self.busy:
            self._start()

    def cancel(self) -> None:
        """Forget the waiting frame and drop the one under way."""
        self.generation += 1
        self._pending = None

    def _start(self) -> None:
        if self._pending is None:
            self.busy = False
            return
        generation, frame = self._pending
        self._pending = None
        self.busy = True
        self.workers.start(frame, lambda value: self._done(generation, value),
                           lambda message: self._failed(generation, message))

    def _done(self, generation: int, value: Any) -> None:
        if generation == self.generation and value is not None:
            self.show(value)
        self._start()

    def _failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.error(message)
        self._start()
