"""Start-up: the window opens the sample photos without importing torch, OpenCV or diffusers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("torch", "cv2", "diffusers", "transformers", "skimage", "onnxruntime", "spandrel")

SCRIPT = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from packshot.desktop.theme import apply_theme
    from packshot.desktop.main_window import MainWindow
    apply_theme(app)
    w = MainWindow()
    w.show()
    w.library.thumbnailsDone.connect(lambda: QTimer.singleShot(300, app.quit))
    QTimer.singleShot(30000, app.quit)
    app.exec()
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
    doc = w.document
    print(json.dumps({{"heavy": heavy, "paths": [p.name for p in w.library.paths()],
                      "thumbs": len(w.library.model.pixmaps), "open": doc.name if doc else None,
                      "folder": str(w.folder),
                      "messages": w.message_bar.history}}))
""").format(heavy=set(HEAVY))


def test_first_run_opens_the_samples_without_heavy_imports(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env,
                         cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    from packshot.core.resources import sample_images

    samples = [p.name for p in sample_images()]
    assert report["paths"] == samples and report["thumbs"] == len(samples)
    assert report["open"] == samples[0]
    assert report["folder"].endswith("samples") and "resources" not in report["folder"]
    assert report["heavy"] == [], f"imported at start-up: {report['heavy']}"


def test_no_display_runs_the_demo_instead_of_failing(tmp_path, monkeypatch):
    from packshot.desktop import app

    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert not app._has_display()
    monkeypatch.setenv("DISPLAY", ":0")
    assert app._has_display()


def test_document_model_imports_no_qt():
    code = ("import sys, packshot.desktop.document, packshot.desktop.catalogue; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'superqt', 'qtpy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_pyside_6_12_0_is_refused_on_python_3_11_only():
    from packshot.desktop.qt_compat import broken_bindings_message

    message = broken_bindings_message(qt=(6, 12, 0), python=(3, 11))
    assert message is not None and "PySide6 6.12.0" in message and "PySide6-Essentials!=6.12.0" in message
    assert broken_bindings_message(qt=(6, 12, 0), python=(3, 12)) is None
    assert broken_bindings_message(qt=(6, 11, 3), python=(3, 11)) is None
    assert broken_bindings_message(qt=(6, 12, 1), python=(3, 11)) is None


def test_start_up_with_broken_bindings_prints_one_line_and_exits(monkeypatch, capsys):
    """The window is never built: the person reads which release to replace, not a crash."""
    import PySide6

    from packshot.desktop import app

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(PySide6, "__version_info__", (6, 12, 0, "", ""))
    monkeypatch.setattr(sys, "version_info", (3, 11, 9, "final", 0))

    def no_window(*args, **kwargs):
        raise AssertionError("the window was built on the refused bindings")

    monkeypatch.setattr("packshot.desktop.main_window.MainWindow", no_window)
    assert app.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "PySide6 6.12.0 crashes on Python 3.11" in err[0]
