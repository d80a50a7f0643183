"""Qt bindings Packshot cannot run on, refused at start-up with a message instead of a crash.

PySide6 6.12.0, run on Python 3.11, returns ``None``, ``True`` and ``False`` without taking
a new reference, and the process aborts with "Fatal Python error: none_dealloc" minutes
into a session. The dependency pin (``!=6.12.0``) keeps it out of a normal install; this
names it where it was installed anyway. From Python 3.12 those objects are immortal, so
the release works there.
"""

from __future__ import annotations

import sys

BROKEN_ON_PYTHON_3_11 = {(6, 12, 0)}


def broken_bindings_message(qt: tuple[int, ...] | None = None, python: tuple[int, ...] | None = None) -> str | None:
    """Why the installed PySide6 (or release ``qt`` under Python ``python``) cannot run Packshot; None when it can."""
    if qt is None:
        import PySide6

        qt = tuple(PySide6.__version_info__[:3])
    python = tuple(python if python is not None else sys.version_info[:2])
    if python[:2] >= (3, 12) or tuple(qt[:3]) not in BROKEN_ON_PYTHON_3_11:
        return None
    release = ".".join(str(part) for part in qt[:3])
    return (f"packshot: PySide6 {release} crashes on Python {python[0]}.{python[1]} (it drops references to "
            f"None and True); install another release: pip install 'PySide6-Essentials!={release}'")
