"""Which system libraries Qt's xcb platform plugin needs, and which are missing.

Without them Qt aborts the process with a message that names only ``libxcb-cursor0``,
whatever is really missing; checking first lets ``packshot`` name every missing library
and the Debian/Ubuntu package that brings it.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable

# soname -> Debian/Ubuntu package, read from the NEEDED entries of PySide6's libqxcb.so,
# libQt6XcbQpa and libQt6Gui.
XCB_LIBRARIES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb() -> bool:
    """True where Qt will pick its xcb platform plugin (Linux, X11, no other platform asked for)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if sys.platform != "linux" or (platform and not platform.startswith("xcb")):
        return False
    return bool(os.environ.get("DISPLAY")) and (platform.startswith("xcb") or not os.environ.get("WAYLAND_DISPLAY"))


def missing_xcb_libraries(loads: Callable[[str], bool] | None = None) -> dict[str, str]:
    """The libraries (soname -> package) that cannot be loaded; empty when all are there."""
    loads = loads or _loads
    return {soname: package for soname, package in XCB_LIBRARIES.items() if not loads(soname)}


def missing_libraries_message(missing: dict[str, str]) -> str:
    """One message naming each missing library and the command that installs them."""
    return (f"packshot: the window cannot start: Qt's xcb platform plugin needs {', '.join(missing)}, "
            f"which this system lacks. On Debian or Ubuntu: sudo apt-get install {' '.join(missing.values())} "
            "(the command line works without them: packshot --help)")
