"""Fixtures for the desktop tests: a window with test operations, and folders of pictures."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from core.hookspecs import hookimpl
from core.image import from_array
from core.imageio import save_image
from core.operation import Operation, Result
from core.params import Float, Int
from core.plugin_host import PluginHost
from core.synthetic import studio_shot
from desktop.qt_compat import protect_singletons

protect_singletons()  # PySide6 6.12.0 + Python 3.11 drops references to None and True (see qt_compat)


class Invert(Operation):
    id = "colour.test_invert"
    title = "Invert (test)"
    family = "colour"
    description = "Inverts the picture; exact, so undo/redo can be checked pixel for pixel."
    params = (Float("amount", 1.0, help="How much to invert", minimum=0.0, maximum=1.0),)

    def run(self, inputs, params, ctx):
        rgb = inputs.image.rgb()
        out = rgb + (1.0 - 2.0 * rgb) * params["amount"]
        return Result(inputs.image.with_float(out))


class Slow(Operation):
    """Sleeps in small steps, checking for cancel each time, then brightens the picture."""

    id = "other.test_slow"
    title = "Slow (test)"
    params = (Int("steps", 50, minimum=1, maximum=10_000),)

    def run(self, inputs, params, ctx):
        for i in range(params["steps"]):
            ctx.progress(i / params["steps"], f"step {i}")
            time.sleep(0.01)
        return Result(inputs.image.with_float(np.clip(inputs.image.rgb() + 0.2, 0, 1)))


class Blackout(Operation):
    """Paints the masked pixels black and reports how many it saw: proof the mask arrived."""

    id = "repair.test_blackout"
    title = "Blackout (test)"
    family = "repair"
    inputs = frozenset({"image", "mask"})
    mask_required = True

    def run(self, inputs, params, ctx):
        rgb = inputs.image.rgb().copy()
        rgb[inputs.mask > 0.5] = 0.0
        return Result(inputs.image.with_float(rgb), report={"masked": int((inputs.mask > 0.5).sum())})


class Silhouette(Operation):
    """Returns the picture unchanged and, as its mask, where the product is (darker than the backdrop)."""

    id = "cutout.test_silhouette"
    title = "Silhouette (test)"
    family = "cutout"

    def run(self, inputs, params, ctx):
        mask = (inputs.image.rgb().mean(axis=2) < 0.6).astype(np.float32)
        return Result(inputs.image, mask=mask)


class NeedsModel(Operation):
    id = "enhance.test_needs_model"
    title = "Needs a model (test)"
    family = "enhance"
    tier = "model"
    models = ("tiny-missing",)

    def run(self, inputs, params, ctx):
        from core.errors import MissingModel

        raise MissingModel("model 'tiny-missing' is not installed; install it: packshot models download tiny-missing")


class Broken(Operation):
    id = "enhance.test_broken"
    title = "Broken (test)"
    family = "enhance"

    def run(self, inputs, params, ctx):
        raise RuntimeError("the plugin's own bug")


class OpsForTests:
    packshot_api_version = "1.0"

    @hookimpl
    def packshot_operations(self):
        return [Invert(), Slow(), Blackout(), Silhouette(), NeedsModel(), Broken()]


@pytest.fixture
def host() -> PluginHost:
    h = PluginHost()
    h.register(OpsForTests(), "testops", version="1.0")
    return h


@pytest.fixture
def make_window(make_packshot_window):
    """``make_window(host, **kwargs)``: the author kit's offscreen window with this PluginHost."""
    return lambda host, **kwargs: make_packshot_window(host=host, **kwargs)


@pytest.fixture
def window(make_window, host):
    return make_window(host)


def write_shots(folder: Path, count: int = 4, size: tuple[int, int] = (160, 120)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    shapes = ("bottle", "mug", "box", "ball")
    for i in range(count):
        rgb, _ = studio_shot(size[1], size[0], shape=shapes[i % 4], seed=i)
        path = folder / f"shot_{i:02d}.{'png' if i % 2 else 'jpg'}"
        save_image(from_array(rgb), path)
        paths.append(path)
    return paths


@pytest.fixture
def shots(tmp_path) -> list[Path]:
    return write_shots(tmp_path / "shoot")


@pytest.fixture
def many_shots(tmp_path) -> list[Path]:
    return write_shots(tmp_path / "catalogue", count=9, size=(64, 48))


class UI:
    """Steps the tests repeat: open a folder and wait, run an operation and wait."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window = qtbot, window

    def open_first(self, paths):
        w = self.window
        w.open_folder(paths[0].parent)
        self.qtbot.waitUntil(lambda: w.document is not None and w.document.path == paths[0], timeout=10_000)
        self.wait_shown()
        return w.document

    def wait_shown(self):
        """Until the canvas shows the document's current picture."""
        w = self.window
        self.qtbot.waitUntil(lambda: w.canvas.after is not None and w._cached(w.document.current) is w.canvas.after,
                             timeout=10_000)

    def run(self, op_id, params=None, **kwargs):
        w = self.window
        job = w.run_operation(op_id, params or {}, **kwargs)
        self.qtbot.waitUntil(lambda: job.state in ("done", "failed", "cancelled") and job.id not in w._running,
                             timeout=20_000)
        return job


@pytest.fixture
def ui(qtbot, window) -> UI:
    return UI(qtbot, window)
