"""pytest fixtures for plugin authors that need the desktop (``pytest11``: ``packshot-desktop``).

Kept apart from :mod:`packshot.testing.fixtures` because core never imports the desktop.
Nothing Qt is imported and nothing is set until a fixture is used, so installing
Packshot changes nothing in an unrelated test suite; the fixtures use pytest-qt's
``qtbot`` (``packshot[test]``) and run offscreen (``QT_QPA_PLATFORM=offscreen`` unless set).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from packshot.core.params import Bool, Choice, Colour, Float, Int, Param, Text, validate


@pytest.fixture(scope="session")
def packshot_offscreen() -> str:
    """Qt's platform for this session: offscreen unless ``QT_QPA_PLATFORM`` says otherwise.

    Requested before ``qtbot`` so it is set before pytest-qt creates the QApplication.
    """
    return os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _other_value(p: Param) -> Any:
    """A valid value different from the default, to prove the form carries changes back."""
    if isinstance(p, (Float, Int)) and math.isfinite(p.minimum) and math.isfinite(p.maximum):
        return p.minimum if p.default == p.maximum else p.maximum
    if isinstance(p, Bool):
        return not p.default
    if isinstance(p, Choice):
        return next((c for c in p.choices if c != p.default), None)
    if isinstance(p, Colour):
        return "#123456" if p.default != "#123456" else "#654321"
    if isinstance(p, Text) and not p.pattern:
        return "packshot"
    return None


def _same(p: Param, got: Any, want: Any) -> bool:
    if isinstance(p, Float):
        span = p.maximum - p.minimum if math.isfinite(p.maximum - p.minimum) else 1.0
        return math.isclose(float(got), float(want), abs_tol=span / 1000)
    return got == want


def assert_params_render(params_or_op: Any, qtbot: Any) -> Any:
    """Build the desktop's form for an operation (or a Params list) and check it round-trips.

    Every parameter gets an editor (object name ``param_<name>``) with its help as the
    tooltip; the form shows the defaults; a valid non-default value set on each editor
    comes back out of ``values()`` checked. Returns the form for further checks.
    """
    from PySide6.QtWidgets import QWidget

    from packshot.desktop.param_form import ParamForm

    params: Sequence[Param] = list(getattr(params_or_op, "params", params_or_op))
    form = ParamForm(params)
    qtbot.addWidget(form)
    problems: list[str] = []
    for p in params:
        editor = form.findChild(QWidget, f"param_{p.name}")
        if editor is None:
            problems.append(f"{p.name}: no editor in the form")
        elif p.help and editor.toolTip() != p.help:
            problems.append(f"{p.name}: tooltip {editor.toolTip()!r}, expected its help {p.help!r}")
    changed = validate(params, {p.name: v for p in params if (v := _other_value(p)) is not None})
    for label, wanted in (("default", validate(params, {})), ("changed", changed)):
        if label == "changed":
            form.set_values(wanted)
        shown = form.values()
        problems += [f"{p.name}: form gives {shown[p.name]!r} for the {label} value {wanted[p.name]!r}"
                     for p in params if not _same(p, shown[p.name], wanted[p.name])]
    if problems:
        raise AssertionError("the parameter form does not render these parameters faithfully:\n  "
                             + "\n  ".join(problems))
    form.reset()
    return form


@pytest.fixture
def packshot_params_form(packshot_offscreen: str, qtbot: Any) -> Callable[[Any], Any]:
    """``packshot_params_form(op)``: assert the op's params render into the desktop form; returns it."""
    return lambda params_or_op: assert_params_render(params_or_op, qtbot)


def listed_operations(window: Any) -> set[str]:
    """The operation ids the window's operations panel shows."""
    from packshot.desktop.operations_panel import OpRole

    tree = window.operations.tree
    return {tree.topLevelItem(i).child(j).data(0, OpRole)
            for i in range(tree.topLevelItemCount()) for j in range(tree.topLevelItem(i).childCount())}


def open_pictures(window: Any, qtbot: Any, paths: Sequence[Any], timeout_ms: int = 15_000) -> Any:
    """Open files (or one folder) as a person would, and wait until the first one is shown."""
    paths = [Path(p) for p in paths]
    window.open_paths(paths)
    first = paths[0] if paths[0].is_file() else None
    qtbot.waitUntil(lambda: window.document is not None and window.document.ready
                    and (first is None or window.document.path == first), timeout=timeout_ms)
    return window.document


def run_in_window(window: Any, qtbot: Any, op_id: str, params: dict | None = None, *,
                  timeout_ms: int = 60_000, **kwargs: Any) -> Any:
    """Run an operation on the open picture through the window's worker, and wait for it.

    Returns the Job once the window has handled its end: a successful run is the
    document's newest history step, a failure is on the window's message bar.
    """
    job = window.run_operation(op_id, params or {}, **kwargs)
    qtbot.waitUntil(lambda: job.ended and not window.session.is_pending(job), timeout=timeout_ms)
    return job


@pytest.fixture
def make_packshot_window(packshot_offscreen: str, qtbot: Any,
                         packshot_host: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """``make_packshot_window(my_plugin)``: the editor window, offscreen, with only those plugins.

    With no plugins it loads every installed one (your installed plugin included);
    ``host=`` passes a ready :class:`packshot.core.plugin_host.PluginHost` instead. The window
    starts empty with default settings in the test's own config folder;
    ``open_on_start=True`` opens what a person's start-up would (the last folder, or the
    bundled sample photos on a first run), so there are pictures to try an operation on.
    Other keywords go to :class:`packshot.desktop.main_window.MainWindow` (``runner=`` a
    :class:`packshot.core.jobs.JobRunner`). Each window is closed and its job runner stopped after
    the test. See :func:`open_pictures` and :func:`run_in_window` for driving it. The window
    is 1440 x 900 whatever the offscreen screen's size (the window itself opens within its
    screen), so tests that point at the canvas find it where they expect.
    """
    from packshot.core.settings import Settings
    from packshot.desktop.main_window import MainWindow

    made: list[Any] = []

    def make(*plugins: Any, host: Any = None, open_on_start: bool = False, **kwargs: Any) -> Any:
        window = MainWindow(host=host or packshot_host(*plugins), settings=Settings(), open_on_start=open_on_start,
                            **kwargs)
        qtbot.addWidget(window)
        window.resize(1440, 900)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()  # cancels its jobs and joins its threads
