"""Work-arounds for defects in the Qt bindings, applied once before the window starts.

PySide6 6.12.0, run on Python 3.11, returns ``None``, ``True`` and ``False`` without
taking a new reference: every void Qt call made from Python (``label.setText``,
``processEvents``...) takes one reference from ``None``, every ``signal.emit`` one from
``True``. On 3.11, where these singletons are not immortal, the process aborts with
"Fatal Python error: none_dealloc" (or ``bool_dealloc``) once their counts run out: after
some thousands of calls, i.e. minutes into a session. 6.11.3 does not do this, and from
Python 3.12 these objects are immortal, so nothing is changed there.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# A reference count no session can use up, as Python 3.12 gives every immortal object.
_SPARE_REFERENCES = 1 << 40
_SINGLETONS = (None, True, False, Ellipsis, NotImplemented)
_protected = False


class _Probe(QObject):
    fired = Signal()


def drops_singleton_references() -> bool:
    """Whether these bindings take a reference from ``None`` or ``True`` on each call."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(16):
        probe.fired.emit()
        probe.setObjectName("probe")
    return sys.getrefcount(None) <= none_before - 16 or sys.getrefcount(True) <= true_before - 16


def protect_singletons() -> bool:
    """Give ``None``, the bools and friends spare references if the bindings drop them.

    These are static objects that are never freed, so raising their counts is what
    CPython itself does from 3.12 on; it only guards against the binding's defect.
    Returns True when applied (once per process).
    """
    global _protected
    if _protected or sys.version_info >= (3, 12) or not drops_singleton_references():
        return False
    for singleton in _SINGLETONS:
        ctypes.c_ssize_t.from_address(id(singleton)).value += _SPARE_REFERENCES
    _protected = True
    return True
