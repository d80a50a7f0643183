"""The plugin host: contributions collected, broken plugins reported and skipped."""

from __future__ import annotations

import sys
import types

import pytest

from packshot.core import API_VERSION
from packshot.core.errors import UnknownOperation
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation
from packshot.core.plugin_host import PluginHost, api_compatible, load_plugins


def _module(name: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    return mod


class Dup(Operation):
    id, title, family = "test.invert", "Duplicate", "other"


def test_operations_are_collected_with_their_plugin(fake_host):
    ops = fake_host.operations()
    assert {"test.invert", "test.slow", "test.boom", "test.fill_mask"} <= set(ops)
    assert fake_host.plugin_of("test.invert").name == "fake"
    assert fake_host.plugin_of("test.invert").version == "1.2.0"


def test_unknown_operation_suggests_close_names(fake_host):
    with pytest.raises(UnknownOperation, match="did you mean test.invert"):
        fake_host.operation("other.invert")


def test_a_raising_hook_disables_only_that_plugin(fake_host):
    @hookimpl
    def packshot_operations():
        raise RuntimeError("broken on purpose")

    fake_host.register(_module("bad", packshot_operations=packshot_operations), "bad")
    ops = fake_host.operations()
    assert "test.invert" in ops
    failed = {i.name: i for i in fake_host.failures()}
    assert "broken on purpose" in failed["bad"].error


def test_duplicate_operation_id_is_reported_and_skipped(fake_host):
    @hookimpl
    def packshot_operations():
        return [Dup()]

    fake_host.register(_module("dup", packshot_operations=packshot_operations), "dup")
    assert fake_host.operations()["test.invert"].title == "Invert"
    assert "already provided by plugin 'fake'" in fake_host.infos["dup"].error


@pytest.mark.parametrize("declared, advice", [("3.0", "update Packshot"), ("2.9", "update Packshot"),
                                              ("1.0", "update the plugin")])
def test_incompatible_api_version_is_refused_and_says_which_side_to_update(declared, advice):
    host = PluginHost()
    info = host.register(_module("other", packshot_api_version=declared), "other")
    assert info.status == "failed"
    assert f"API {declared}" in info.error and f"API {API_VERSION}" in info.error
    assert advice in info.error


@pytest.mark.parametrize("declared, ok", [(None, True), ("2.0", True), ("2", True), ("2.9", False),
                                          ("1.0", False), ("3.0", False), ("x", False)])
def test_api_compatibility_rule(declared, ok):
    assert api_compatible(declared) is ok


def test_disabled_plugins_are_listed_but_not_loaded(monkeypatch):
    monkeypatch.setenv("PACKSHOT_DISABLE_PLUGINS", "colour")
    host = load_plugins(disabled=())
    assert host.infos["colour"].status == "disabled"
    assert not any(op.startswith("colour.") for op in host.operations())


def test_plugin_failing_to_import_is_reported(monkeypatch):
    from importlib.metadata import EntryPoint

    ep = EntryPoint(name="ghost", value="no_such_module_for_packshot", group="packshot")
    host = PluginHost()
    host._load_entry_point(ep)
    assert host.infos["ghost"].status == "failed"
    assert "No module named 'no_such_module_for_packshot'" in host.infos["ghost"].error


def test_listing_operations_imports_no_heavy_library():
    """Start-up discipline, checked in a fresh interpreter."""
    import subprocess

    code = ("import sys; from packshot.core.plugin_host import load_plugins; h = load_plugins(); h.operations(); "
            "h.model_catalogue(); h.export_presets(); "
            "heavy = [m for m in ('torch', 'cv2', 'diffusers', 'onnxruntime', 'skimage', 'PySide6', "
            "'spandrel', 'transformers') if m in sys.modules]; print(heavy); assert not heavy, heavy")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
