"""The Context: what an operation may use while it runs.

The same operation runs under the desktop's worker thread, the batch runner and the
tests; each gives it a Context whose progress and cancellation are wired to its own
front end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import Cancelled

if TYPE_CHECKING:
    from .models.store import ModelStore

ProgressCallback = Callable[[float, str], None]


class CancelToken:
    """A thread-safe flag the front end sets and the operation checks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class Context:
    """Progress, cancellation, device, models, a seeded RNG and the tile size.

    ``device`` is ``"cpu"``, ``"cuda"`` or ``"mps"`` (or ``"auto"``, resolved by the
    model runtime on first use). ``models`` is the model store, or None where no model
    store is configured. ``rng`` is seeded from ``seed``, so a seeded operation repeats.
    """

    seed: int = 0
    device: str = "auto"
    tile_size: int = 512
    models: ModelStore | None = None
    on_progress: ProgressCallback | None = None
    cancel_token: CancelToken = field(default_factory=CancelToken)
    settings: dict[str, Any] = field(default_factory=dict)
    _span: tuple[float, float] = (0.0, 1.0)
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress 0..1 of this operation (or of this sub-step), and check cancel."""
        self.check_cancelled()
        if self.on_progress is not None:
            lo, hi = self._span
            f = min(max(float(fraction), 0.0), 1.0)
            self.on_progress(lo + (hi - lo) * f, message)

    def check_cancelled(self) -> None:
        """Raise :class:`Cancelled` if the job was cancelled. Call it per tile or step."""
        if self.cancel_token.cancelled:
            raise Cancelled("cancelled")

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def sub(self, start: float, end: float) -> Context:
        """A context whose progress 0..1 maps onto ``start..end`` of this one."""
        lo, hi = self._span
        span = (lo + (hi - lo) * start, lo + (hi - lo) * end)
        child = Context(seed=self.seed, device=self.device, tile_size=self.tile_size,
                        models=self.models, on_progress=self.on_progress,
                        cancel_token=self.cancel_token, settings=self.settings, _span=span)
        child.rng = self.rng
        return child
