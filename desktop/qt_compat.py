"""Work-arounds for defects in the Qt bindings, applied once before the window starts.

PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit`` without taking a new
reference, so every ``signal.emit(...)`` made from Python takes one reference from the
``True`` singleton. On Python 3.11, where ``True`` is not immortal, a session aborts with
"Fatal Python error: bool_dealloc" after a few thousand emits (progress updates,
thumbnails...). 6.11.3 does not have the defect; Python 3.12 makes the bools immortal.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# A reference count no session can use up, as Python 3.12 gives every immortal object.
_SPARE_REFERENCES = 1 << 40
_protected = False


class _Probe(QObject):
    fired = Signal()


def emit_drops_true() -> bool:
    """Whether these bindings take a reference from ``True`` on every Python-side emit."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.fired.emit()
    return sys.getrefcount(True) <= before - 16


def protect_bools() -> bool:
    """Give ``True`` and ``False`` spare references if emits drop them; True when applied.

    The bools are static singletons that must never be freed, so raising their counts is
    what CPython itself does from 3.12 on; it only guards against the binding's defect.
    """
    global _protected
    if _protected or sys.version_info >= (3, 12) or not emit_drops_true():
        return False
    for singleton in (True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _SPARE_REFERENCES
    _protected = True
    return True
