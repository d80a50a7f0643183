"""A one-line progress display on stderr for long CLI work."""

from __future__ import annotations

import sys
import time


class ProgressLine:
    """Redraws ``[#####.....]  42%  message`` at most ten times a second."""

    def __init__(self, enabled: bool = True, width: int = 30) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.width = width
        self._last = 0.0
        self._shown = False

    def update(self, fraction: float, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {fraction * 100:5.1f}%  {message[:40]:<40}")
        sys.stderr.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._shown = False
