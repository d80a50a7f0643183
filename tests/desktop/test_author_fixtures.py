"""The desktop half of ``packshot.testing``: the window fixture with an installed plugin,
and the params-form check, which must fail for a form that does not show what it is given.
"""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.imageio import save_image
from packshot.core.params import Choice, Float, Int
from packshot.desktop.testing import listed_operations, open_pictures, run_in_window
from packshot.testing import studio_shot

PLUGIN = '''
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result
from packshot.core.params import Float

packshot_api_version = "2.0"

class Dim(Operation):
    id, title, family = "studio.dim", "Dim", "colour"
    params = (Float("amount", 0.25, minimum=0.0, maximum=1.0, step=0.05, help="how much darker"),)

    def run(self, inputs, params, ctx):
        ctx.progress(0.5, "dimming")
        return Result(inputs.image.with_float(inputs.image.rgb() * (1 - params["amount"])))

class Crash(Operation):
    id, title, family = "studio.crash", "Crash", "colour"

    def run(self, inputs, params, ctx):
        ctx.progress(0.2, "working")
        raise IndexError("list index out of range in studio_fx")

@hookimpl
def packshot_operations():
    return [Dim(), Crash()]
'''


@pytest.fixture
def studio_plugin(packshot_installed_plugin):
    packshot_installed_plugin("studio-fx", {"studio_fx": PLUGIN}, entry_points={"studio": "studio_fx"},
                              version="3.1.0")


def test_window_fixture_shows_the_installed_plugin_and_survives_its_crash(studio_plugin, make_packshot_window,
                                                                          qtbot, tmp_path):
    path = tmp_path / "shot.png"
    save_image(studio_shot("box", 90, 120).image, path)
    window = make_packshot_window()
    assert {"studio.dim", "studio.crash"} <= listed_operations(window)
    doc = open_pictures(window, qtbot, [path])
    original = doc.current.pixels.copy()

    crashed = run_in_window(window, qtbot, "studio.crash")
    assert crashed.state == "failed"
    shown = window.message_bar.label.text()
    assert "plugin 'studio'" in shown and "IndexError" in shown
    assert doc.steps == [] and np.array_equal(doc.current.pixels, original)

    dimmed = run_in_window(window, qtbot, "studio.dim", {"amount": 0.5})
    assert dimmed.state == "done" and window.isVisible()
    assert (doc.steps[-1].plugin, doc.steps[-1].plugin_version) == ("studio", "3.1.0")
    ratio = doc.current.rgb().mean() / (original.astype(np.float32) / 255).mean()
    assert ratio == pytest.approx(0.5, abs=0.01)


def test_params_form_check_passes_for_faithful_params(packshot_params_form):
    form = packshot_params_form([Float("amount", 0.25, minimum=0, maximum=1, step=0.05, help="how much"),
                                 Int("radius", 3, minimum=1, maximum=50),
                                 Choice("method", "fast", choices=("fast", "best"))])
    assert form.values() == {"amount": 0.25, "radius": 3, "method": "fast"}


def test_params_form_holds_a_64_bit_seed(packshot_params_form):
    big = 2**40 + 7
    form = packshot_params_form([Int("seed", big, minimum=0, maximum=2**53)])
    assert form.values() == {"seed": big}


def test_params_form_check_fails_when_the_form_drops_a_change(packshot_params_form, monkeypatch):
    from packshot.desktop.param_form import ParamForm

    monkeypatch.setattr(ParamForm, "set_values", lambda self, values: None)
    with pytest.raises(AssertionError, match="radius: form gives 3 for the changed value 50"):
        packshot_params_form([Int("radius", 3, minimum=1, maximum=50)])


def test_every_installed_operation_renders_in_the_desktop_form(packshot_host, packshot_params_form):
    ops = packshot_host().operations()
    failures = {}
    for op in ops.values():
        try:
            packshot_params_form(op)
        except (AssertionError, OverflowError) as exc:
            failures[op.id] = f"{type(exc).__name__}: {exc}"
    assert ops and not failures, failures
