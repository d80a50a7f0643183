"""``packshot`` with no arguments: the desktop window.

Start-up imports only Qt, numpy, Pillow and the core; torch, OpenCV and diffusers load
when an operation first needs them, so the window appears at once.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import cast


def _has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _preload(*modules: str) -> None:
    for name in modules:
        importlib.import_module(name)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the editor; with no display, run the demo job instead of failing."""
    if not _has_display():
        from packshot.core.cli import main as cli_main

        print("packshot: no display found; running the demo job instead of opening the window",
              file=sys.stderr)
        return cli_main(["demo"])
    from .system_libraries import missing_libraries_message, missing_xcb_libraries, uses_xcb

    missing = missing_xcb_libraries() if uses_xcb() else {}
    if missing:  # Qt would abort naming only libxcb-cursor0
        print(missing_libraries_message(missing), file=sys.stderr)
        return 1
    from .qt_compat import broken_bindings_message

    broken = broken_bindings_message()
    if broken:
        print(broken, file=sys.stderr)
        return 1
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from .document import describe_error
    from .main_window import MainWindow
    from .theme import apply_theme

    QCoreApplication.setOrganizationName("Packshot")
    QCoreApplication.setApplicationName("Packshot")
    app = cast(QApplication, QApplication.instance() or QApplication(list(argv if argv is not None else sys.argv)))
    apply_theme(app)
    window = MainWindow()

    def excepthook(kind, value, tb) -> None:  # a bug becomes a message, never a dead window
        traceback.print_exception(kind, value, tb)
        window.show_error(f"Unexpected error: {describe_error(value)}")

    sys.excepthook = excepthook
    window.show()
    # Modules the window needs soon but not to appear (the parameter sliders' superqt, most of
    # a second; the library and exporter): load them beside the running window.
    threading.Thread(target=_preload, args=("superqt", "packshot.core.library", "packshot.core.export"),
                     daemon=True).start()
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
