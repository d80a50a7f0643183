"""Desktop: time from process start to window shown, the longest UI stall while an
operation runs, and while a folder's thumbnails fill in.

Start-up is compared with a bare PySide6 window started the same way (the floor any Qt
app pays); the stall with running the same operation on the UI thread (what a window
without workers would do). Offscreen Qt, so it runs on a machine with no display.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

from benchmarks.table import print_table

ROOT = Path(__file__).resolve().parents[1]
SHOWN = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget
    app = QApplication([])
    {build}
    w.show()
    def shown():
        heavy = [m for m in ("torch", "cv2", "diffusers", "skimage") if m in sys.modules]
        print(time.time(), ",".join(heavy) or "-")
        app.quit()
    QTimer.singleShot(0, shown)
    app.exec()
""")
PACKSHOT = ("from packshot.desktop.theme import apply_theme\nfrom packshot.desktop.main_window import MainWindow\n"
            "apply_theme(app)\nw = MainWindow()")
BARE = "w = QWidget(); w.resize(1440, 900)"


def _packshot_dirs(home: str) -> dict[str, str]:
    """Packshot's config, data and cache folders inside ``home``, as environment variables."""
    return {f"PACKSHOT_{name}_DIR": f"{home}/{name.lower()}" for name in ("CONFIG", "DATA", "CACHE")}


def _start(build: str, env: dict[str, str]) -> tuple[float, str]:
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", SHOWN.format(build=build)], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=120, check=True)
    shown, heavy = out.stdout.split()[-2:]
    return float(shown) - t0, heavy


def startup(quick: bool) -> None:
    repeat = 2 if quick else 5
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **_packshot_dirs(home)}
        ours = [_start(PACKSHOT, env) for _ in range(repeat)]
        bare = [_start(BARE, env) for _ in range(repeat)]
    best, floor = min(t for t, _ in ours), min(t for t, _ in bare)
    print_table(f"Process start to window shown (best of {repeat}, offscreen)",
                ["window", "seconds", "x bare Qt", "heavy modules imported"],
                [["Packshot main window (plugins, samples)", best, best / floor, ours[0][1]],
                 ["bare PySide6 QWidget", floor, 1.0, bare[0][1]]])


def _stall_while(run, app, timer_ms: int = 10) -> tuple[float, float]:
    """(longest gap between 10 ms ticks, wall time) while ``run(done)`` works until ``done()``."""
    from PySide6.QtCore import QTimer

    ticks: list[float] = []
    finished = [False]
    timer = QTimer()
    timer.setInterval(timer_ms)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    run(lambda: finished.__setitem__(0, True))
    while not finished[0]:
        app.processEvents()
        time.sleep(0.001)
    wall = time.perf_counter() - start
    app.processEvents()
    timer.stop()
    points = [start, *ticks, time.perf_counter()]
    return float(np.diff(points).max()), wall


def stalls(quick: bool) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from packshot.core.context import Context
    from packshot.core.image import from_array
    from packshot.core.jobs import execute
    from packshot.core.operation import Inputs
    from packshot.core.plugin_host import load_plugins
    from packshot.core.settings import Settings
    from packshot.core.synthetic import studio_shot
    from packshot.desktop.document import Document

    with tempfile.TemporaryDirectory() as home:
        os.environ.update(_packshot_dirs(home))
        from packshot.desktop.main_window import MainWindow

        app = QApplication.instance() or QApplication([])
        host = load_plugins()
        window = MainWindow(host=host, settings=Settings(), open_on_start=False)
        window.show()
        h, w = (1500, 2000) if quick else (2000, 3000)
        rgb, _ = studio_shot(h, w, seed=1)
        window._set_document(Document(from_array(rgb)))
        candidates = ["colour.auto_white_balance", "enhance.sharpen", "cutout.remove_background"]
        rows = []
        for op_id in [c for c in candidates if c in host.operations()][: 1 if quick else 2]:
            op = host.operation(op_id)

            def threaded(done, op_id=op_id):
                job = window.run_operation(op_id, {})
                window.bridge.changed.connect(lambda j: done() if j is job and j.ended else None)

            def inline(done, op=op):
                execute(op, Inputs(window.document.current), {}, Context())
                done()

            cold, _ = _stall_while(threaded, app)  # includes the op's first imports (OpenCV...)
            warm_runs = []
            for _ in range(3):  # the median of three: one run on a shared machine can be preempted
                window._set_document(Document(from_array(rgb)))
                warm_runs.append(_stall_while(threaded, app))
            warm, wall = sorted(warm_runs)[1]
            ui_stall, _ = _stall_while(inline, app)
            window._set_document(Document(from_array(rgb)))
            rows.append([op_id, f"{w}x{h}", wall, cold * 1000, warm * 1000, ui_stall * 1000, warm / ui_stall])
        window.close()  # cancels its jobs and joins its threads
    if not rows:
        print("no colour or cut-out operation installed; nothing to measure")
        return
    print_table("Longest UI stall while an operation runs (10 ms timer)",
                ["operation", "image", "op seconds", "stall ms, worker, first run", "stall ms, worker (median of 3)",
                 "stall ms, on UI thread", "worker / UI thread"], rows)


def library(quick: bool) -> None:
    """A folder of camera-sized JPEGs: the grid's first paint, the thumbnail rate, the longest stall."""
    from PIL import Image as PILImage
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    count = 100 if quick else 400
    with tempfile.TemporaryDirectory() as home:
        os.environ.update(_packshot_dirs(home))
        folder = Path(home) / "shoot"
        folder.mkdir()
        rng = np.random.default_rng(0)
        base = rng.integers(0, 255, (750, 1000, 3), dtype=np.uint8)
        for i in range(count):  # 3000x2250 JPEGs (a 7 MP camera), different bytes each
            PILImage.fromarray(np.roll(base, i, axis=1)).resize((3000, 2250)).save(folder / f"{i:04d}.jpg", quality=85)
        from packshot.core.plugin_host import PluginHost
        from packshot.core.settings import Settings
        from packshot.desktop.main_window import MainWindow

        app = QApplication.instance() or QApplication([])
        window = MainWindow(host=PluginHost(), settings=Settings(), open_on_start=False)
        window.show()

        def open_and_wait(done):
            window.library.thumbnailsDone.connect(done)
            window.open_folder(folder)

        stall, wall = _stall_while(open_and_wait, app)
        window.close()
    print_table(f"Library: opening a folder of {count} 7 MP JPEGs (thumbnails made in workers, cached on disk)",
                ["files", "all thumbnails, s", "thumbnails / s", "longest UI stall, ms"],
                [[count, wall, count / wall, stall * 1000]])


def run(quick: bool) -> None:
    startup(quick)
    stalls(quick)
    library(quick)
