"""The parametric edit stack's render engine: slider previews, reopening, ``packshot render`` twice.

1. Slider drag on a 24 MP JPEG with 3 colour steps: time per preview frame on a 1600 px
   proxy (goal < 50 ms), dragging the last step (only it re-runs) and the first (all
   three re-run); the full-resolution settle after release (the changed step re-runs from
   the cached result of the one before); peer: replaying the 3 steps at full resolution,
   which is what re-adjusting cost before the engine.
2. Reopen of the same picture with 5 steps, one of them heavy (built-in denoise), after
   a restart (fresh engine, empty memory): time to the edited 1600 px picture from the
   disk cache (goal < 1 s), from the screen-sized copy kept beside the full render and
   from the full render alone; peer: replaying the stack, as the window did.
3. ``packshot render`` of an unchanged edited picture, first run vs second, each a fresh
   process; peer: ``packshot render`` of an unedited picture (start-up, decode, encode).

``--quick`` uses a 3 MP picture.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from packshot.core.plugin_host import load_plugins
from packshot.core.recipe import EditStack, make_step, save_sidecar
from packshot.core.render import PROXY_EDGE, RenderEngine
from packshot.core.render_cache import DiskCache

from .photos import make_photos
from .table import print_table

COLOUR_STEPS = (("colour.exposure", {"stops": 0.3}),
                ("colour.auto_white_balance", {"method": "gray_world"}),
                ("colour.exposure", {"contrast": 0.2}))
HEAVY_STEPS = (("enhance.denoise", {}), ("enhance.sharpen", {}))


def _stack(host, steps) -> EditStack:
    stack = EditStack()
    for op, params in steps:
        stack.append(make_step(host, op, params))
    return stack


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _frames(engine, photo, stack, number, values, name, budget=None) -> tuple[float, int]:
    """Median seconds per preview frame while step ``number``'s ``name`` takes ``values``, and
    the longest side of the last frame."""
    times, frame = [], None
    for v in values:
        start = time.perf_counter()
        frame = engine.preview(photo, stack, number, {name: v}, budget=budget)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(frame.pixels.shape[:2])


def _slider(host, photo: Path, cache: Path, label: str) -> None:
    stack = _stack(host, COLOUR_STEPS)
    engine = RenderEngine(host, disk=DiskCache(cache, 8 * 2**30))
    opened = _timed(lambda: engine.render(photo, stack, edge=PROXY_EDGE))
    values = [0.05 * i for i in range(1, 13)]
    last, last_edge = _frames(engine, photo, stack, 3, values, "contrast")
    first, first_edge = _frames(engine, photo, stack, 1, values, "stops")
    fitted, fitted_edge = _frames(engine, photo, stack, 1, values, "stops", budget=0.05)
    replay = _timed(lambda: engine.render(photo, stack))  # full resolution, nothing cached yet
    stack.set_params(3, {"contrast": 0.35})
    settle = _timed(lambda: engine.render(photo, stack))
    rows = [
        ("first proxy render (decode + 3 steps)", PROXY_EDGE, opened * 1e3, "", ""),
        ("proxy frame, dragging step 3 of 3", last_edge, last * 1e3, "< 50", f"{replay / last:.0f}x"),
        ("proxy frame, dragging step 1 of 3", first_edge, first * 1e3, "< 50", f"{replay / first:.0f}x"),
        ("  the same with a 50 ms frame budget", fitted_edge, fitted * 1e3, "< 50", f"{replay / fitted:.0f}x"),
        ("full-res settle after release (step 3)", "full", settle * 1e3, "", f"{replay / settle:.1f}x"),
        ("peer: full-res replay of 3 steps", "full", replay * 1e3, "", "1x"),
    ]
    print_table(f"Slider drag, {label}, 3 colour steps (median of 12 frames)",
                ["what", "edge px", "ms", "goal ms", "vs peer"], rows)


def _reopen(host, photo: Path, cache: Path, label: str) -> None:
    from packshot.core.recipe import load_sidecar

    stack = _stack(host, COLOUR_STEPS + HEAVY_STEPS)
    save_sidecar(photo, stack)
    first = RenderEngine(host, disk=DiskCache(cache, 8 * 2**30))
    replay = _timed(lambda: first.render(photo, stack))

    def reopen() -> None:
        fresh = RenderEngine(host, disk=DiskCache(cache, 8 * 2**30))  # as after a restart
        assert fresh.cached(photo, load_sidecar(photo), edge=PROXY_EDGE) is not None

    shown = min(_timed(reopen) for _ in range(3))
    full_key = first.plan(photo, stack)[-1].key
    for path, _ in first.disk.entries():  # keep only the full render: a cache from before the copy
        if path != first.disk.path(full_key):
            path.unlink()
    reduced = min(_timed(reopen) for _ in range(3))
    print_table(f"Reopen after a restart, {label}, 5 steps (one heavy: built-in denoise)",
                ["what", "s", "goal s", "vs peer"],
                [("edited picture at 1600 px: its screen-sized copy", shown, "< 1", f"{replay / shown:.0f}x"),
                 ("  the same from the full render alone, reduced", reduced, "< 1", f"{replay / reduced:.0f}x"),
                 ("peer: replay of the stack at full resolution", replay, "", "1x")])


def _cli(photo: Path, plain: Path, cache: Path, host, label: str) -> None:
    save_sidecar(photo, _stack(host, COLOUR_STEPS))
    env = {**os.environ, "PACKSHOT_CACHE_DIR": str(cache)}

    def render(src: Path, out: str) -> float:
        cmd = [sys.executable, "-c", "import sys; from packshot.core.cli import main; sys.exit(main())",
               "render", str(src), "-o", str(photo.parent / out), "--quiet", "--overwrite"]
        return _timed(lambda: subprocess.run(cmd, env=env, check=True, capture_output=True))

    first = render(photo, "first.jpg")
    second = render(photo, "second.jpg")
    unedited = render(plain, "plain.jpg")
    print_table(f"packshot render, {label} JPEG, 3 colour steps (fresh process each)",
                ["run", "s", "vs unedited"],
                [("first (renders, fills the cache)", first, f"{first / unedited:.2f}x"),
                 ("second (from the cache)", second, f"{second / unedited:.2f}x"),
                 ("peer: unedited picture (start-up, decode, encode)", unedited, "1x")])


def run(quick: bool = False) -> None:
    size, label = ((2000, 1500), "3 MP") if quick else ((6000, 4000), "24 MP")
    host = load_plugins()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo, plain = make_photos(folder / "in", 2, size)
        _slider(host, photo, folder / "cache-slider", label)
        _reopen(host, photo, folder / "cache-reopen", label)
        _cli(photo, plain, folder / "cache-cli", host, label)
