"""Shared test set-up: each test gets its own folders; every suite (core, CLI, desktop) the same fakes."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_folders(packshot_home):
    """No test reads or writes the real user's settings, models or caches (the kit's fixture)."""
    return packshot_home


class _FakeOps:
    """A test plugin: a fast invert, a slow cancellable op, one that raises, one with a mask,
    a cut-out that returns a mask, and one whose model is never installed.

    Exact and cheap, so core, CLI and desktop tests check outcomes pixel for pixel.
    """

    packshot_api_version = "2.0"

    @staticmethod
    def operations():
        import time

        import numpy as np

        from packshot.core.operation import Operation, Result
        from packshot.core.params import Float, Int

        class Invert(Operation):
            id, title, family = "test.invert", "Invert", "other"
            params = (Float("amount", 1.0, minimum=0.0, maximum=1.0),)

            def run(self, inputs, params, ctx):
                rgb = inputs.image.rgb()
                ctx.progress(0.5, "inverting")
                return Result(inputs.image.with_float(rgb + params["amount"] * (1 - 2 * rgb)))

        class Slow(Operation):
            id, title, family = "test.slow", "Slow", "other"
            params = (Int("steps", 50, minimum=1, maximum=10_000),)

            def run(self, inputs, params, ctx):
                for i in range(params["steps"]):
                    ctx.progress(i / params["steps"], f"step {i}")
                    time.sleep(0.02)
                return Result(inputs.image.with_float(inputs.image.rgb() * 0.5))

        class Boom(Operation):
            id, title, family = "test.boom", "Boom", "other"

            def run(self, inputs, params, ctx):
                raise ZeroDivisionError("plugin bug")

        class FillMask(Operation):
            id, title, family = "test.fill_mask", "Fill mask", "repair"
            inputs = frozenset({"image", "mask"})
            mask_required = True

            def run(self, inputs, params, ctx):
                rgb = inputs.image.rgb().copy()
                rgb[inputs.mask > 0.5] = 0.0
                return Result(inputs.image.with_float(rgb), mask=inputs.mask,
                              report={"filled": int((inputs.mask > 0.5).sum())})

        class Silhouette(Operation):
            """The picture unchanged and, as its mask, where the product is (darker than the backdrop)."""

            id, title, family = "test.silhouette", "Silhouette", "cutout"

            def run(self, inputs, params, ctx):
                return Result(inputs.image, mask=(inputs.image.rgb().mean(axis=2) < 0.6).astype(np.float32))

        class NeedsModel(Operation):
            id, title, family = "test.needs_model", "Needs a model", "enhance"
            tier, models = "model", ("tiny-missing",)

            def run(self, inputs, params, ctx):
                from packshot.core.errors import MissingModel

                raise MissingModel("model 'tiny-missing' is not installed; "
                                   "install it: packshot models download tiny-missing")

        return [Invert(), Slow(), Boom(), FillMask(), Silhouette(), NeedsModel()]


@pytest.fixture
def fake_host():
    """A PluginHost with only the test plugin registered (no entry points)."""
    from packshot.core.hookspecs import hookimpl
    from packshot.core.plugin_host import PluginHost

    class Plugin(_FakeOps):
        @hookimpl
        def packshot_operations(self):
            return self.operations()

    host = PluginHost()
    host.register(Plugin(), "fake", version="1.2.0")
    return host


@pytest.fixture
def small_image():
    """A 32x48 RGB gradient as a core Image."""
    import numpy as np

    from packshot.core.image import Image

    y, x = np.mgrid[0:32, 0:48]
    rgb = np.stack([x * 5, y * 7, (x + y) * 3], axis=2).clip(0, 255).astype(np.uint8)
    return Image(rgb)
