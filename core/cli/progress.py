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
        self._started: float | None = None
        self._first = 0

    def update(self, fraction: float, message: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "." * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {fraction * 100:5.1f}%  {message[:60]:<60}")
        sys.stderr.flush()
        self._shown = True

    def count(self, done: int, total: int, message: str = "") -> None:
        """Progress of ``done`` items out of ``total`` with the rate and the time left."""
        now = time.monotonic()
        if self._started is None:
            self._started, self._first = now, done
        elapsed = now - self._started
        rate = (done - self._first) / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else None
        eta = f"{int(left // 60)}:{int(left % 60):02d}" if left is not None else "--:--"
        self.update(done / max(total, 1), f"{done}/{total} {rate:.1f}/s ETA {eta} {message}")

    def done(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._shown = False
