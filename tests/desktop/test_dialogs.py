"""Settings, Plugins, Models, shortcuts and the parameter form, offscreen."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableWidget

from packshot.core.errors import BadParameter
from packshot.core.hookspecs import hookimpl
from packshot.core.models import ModelStore
from packshot.core.operation import Operation, Result
from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers, Text
from packshot.core.plugin_host import PluginHost
from packshot.core.settings import Settings, load_settings
from packshot.desktop.models_dialog import ModelsDialog
from packshot.desktop.param_form import ParamForm
from packshot.desktop.plugins_dialog import PluginsDialog
from packshot.desktop.settings_dialog import SettingsDialog
from packshot.desktop.shortcuts import ShortcutsDialog, shortcut_rows

ALL_KINDS = [
    Float("strength", 0.5, help="How strong", minimum=0.0, maximum=2.0, step=0.05),
    Float("gain", 1.0, help="Unbounded", minimum=float("-inf"), maximum=float("inf")),
    Int("radius", 3, help="Pixels", minimum=1, maximum=50),
    Int("seed", 7, help="Seed", minimum=0, maximum=2**31 - 1),
    Bool("keep_alpha", True, help="Keep transparency"),
    Choice("method", "grey_world", help="Which method", choices=("grey_world", "white_patch")),
    Colour("background", "#ffffff", help="Backdrop colour"),
    Text("prompt", "a bottle", help="What to draw", multiline=True),
    Text("name", "x", help="A name"),
    Numbers("point", (1.0, 2.0), help="A point", length=2),
]


def test_param_form_renders_every_kind_with_defaults_and_tooltips(qtbot):
    form = ParamForm(ALL_KINDS)
    qtbot.addWidget(form)
    assert form.values() == {p.name: p.default for p in ALL_KINDS}
    for p in ALL_KINDS:
        assert form.editors[p.name].toolTip() == p.help
    form.set_values({"strength": 1.25, "radius": 9, "method": "white_patch", "background": "#102030",
                     "keep_alpha": False, "point": (3, 4), "prompt": "a mug"})
    values = form.values()
    assert values["strength"] == 1.25 and values["radius"] == 9 and values["method"] == "white_patch"
    assert values["background"] == "#102030" and values["keep_alpha"] is False
    assert values["point"] == (3.0, 4.0) and values["prompt"] == "a mug"


def test_param_form_reports_a_bad_typed_value_by_name(qtbot):
    form = ParamForm(ALL_KINDS)
    qtbot.addWidget(form)
    form.editors["point"].setText("1, two")
    with pytest.raises(BadParameter, match="point"):
        form.values()


def test_settings_dialog_saves_what_the_cli_reads(qtbot, tmp_path):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.device.setCurrentIndex(dialog.device.findData("cpu"))
    dialog.tile_size.setValue(256)
    dialog.models_dir.setText(str(tmp_path / "weights"))
    dialog.accept()
    saved = load_settings()
    assert (saved.device, saved.tile_size, saved.models_dir) == ("cpu", 256, str(tmp_path / "weights"))
    assert dialog.saved == saved


def test_plugins_dialog_lists_failures_and_disabling_persists(qtbot, fake_host):
    class Bad:
        packshot_api_version = "9.0"

    fake_host.register(Bad(), "futureplugin", version="2.0")
    dialog = PluginsDialog(fake_host, Settings())
    qtbot.addWidget(dialog)
    rows = {dialog.table.item(r, 1).text().split(" ")[0]: r for r in range(dialog.table.rowCount())}
    assert set(rows) == {"fake", "futureplugin"}
    assert dialog.table.item(rows["futureplugin"], 3).text() == "failed"
    assert "API" in dialog.table.item(rows["futureplugin"], 5).text()
    assert "test.invert" in dialog.table.item(rows["fake"], 4).text()
    dialog.table.item(rows["fake"], 0).setCheckState(Qt.CheckState.Unchecked)
    assert load_settings().disabled_plugins == ["fake"]
    dialog.table.item(rows["fake"], 0).setCheckState(Qt.CheckState.Checked)
    assert load_settings().disabled_plugins == []


def test_models_dialog_shows_state_and_adds_a_weights_file(qtbot, tmp_path, monkeypatch):
    weights = tmp_path / "tiny.bin"
    weights.write_bytes(b"tiny weights " * 100)
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()

    class Modelled(Operation):
        id = "enhance.test_model"
        title = "Model op (test)"
        family = "enhance"
        tier = "model"
        models = ("tiny-test",)

        def run(self, inputs, params, ctx):
            return Result(inputs.image)

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            return [Modelled()]

        @hookimpl
        def packshot_model_catalogue(self):
            return [{"name": "tiny-test", "file": "tiny-test.bin", "family": "enhance", "loader": "file",
                     "size": weights.stat().st_size, "sha256": digest, "licence": "MIT", "url": ""}]

    h = PluginHost()
    h.register(Plugin(), "modelled")
    checked_in = []
    real_statuses = ModelStore.statuses

    def statuses(store, **filters):  # hashes every installed file: never on the UI thread
        checked_in.append(threading.current_thread() is threading.main_thread())
        return real_statuses(store, **filters)

    monkeypatch.setattr(ModelStore, "statuses", statuses)
    dialog = ModelsDialog(h, Settings())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    assert dialog.table.item(0, 2).text() == "missing" and dialog.table.item(0, 3).text() == "Model op (test)"
    dialog.add_file(weights)
    qtbot.waitUntil(lambda: dialog.table.item(0, 2).text() == "installed", timeout=10_000)
    assert "Installed" in dialog.status.text()
    assert (dialog.store.folder / "tiny-test.bin").read_bytes() == weights.read_bytes()
    assert checked_in == [False, False]  # on opening and after adding


def test_shortcut_list_names_the_lightroom_keys(qtbot):
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget, "shortcuts")
    assert table.rowCount() == len(shortcut_rows())
    listed = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert {"1", "5", "0", "P", "X", "U", "Ctrl+Z", "Ctrl+Shift+Z / Ctrl+Y", "F1 / ?", "Mouse wheel"} <= set(listed)
    assert listed["4"] == "Rate the selected pictures 4 stars" and listed["X"] == "Reject the selected pictures"


def test_the_keys_the_window_binds_are_the_keys_f1_lists(window):
    """Menus and the F1 list read one declaration: every bound key is listed with its action, and no
    listed key is unbound."""
    from PySide6.QtGui import QKeySequence

    bound = {}
    for action in window.commands.values():
        keys = " / ".join(k.toString(QKeySequence.SequenceFormat.PortableText) for k in action.shortcuts())
        if keys:
            bound[keys] = action.text().replace("&", "")
    listed = dict(shortcut_rows())
    assert set(bound) <= set(listed) and len(bound) >= 30
    assert {keys for keys in listed if keys not in bound} == {"Ctrl+click / Shift+click", "Mouse wheel",
                                                             "Drag, or Space + drag", "\\ (hold)"}
    undo = window.findChild(QAction, "edit.undo")
    assert undo is window.commands["edit.undo"] and undo.shortcut().toString() == "Ctrl+Z"


def test_export_dialog_carries_every_installed_preset_exactly(qtbot, tmp_path):
    from packshot.core.export import options_from_preset
    from packshot.core.image import from_array
    from packshot.core.plugin_host import load_plugins
    from packshot.desktop.document import Document
    from packshot.desktop.export_dialog import ExportDialog

    presets = load_plugins().export_presets()
    assert presets, "the presets plugin provides the marketplace presets"
    doc = Document(from_array(np.zeros((10, 10, 3), np.uint8)))
    dialog = ExportDialog(doc, presets, folder=tmp_path)
    qtbot.addWidget(dialog)
    for i, preset in enumerate(presets, 1):
        dialog.form.preset.setCurrentIndex(i)
        assert dialog.options() == options_from_preset(preset), preset["name"]
        assert dialog.target().suffix == "." + options_from_preset(preset).extension


def test_operations_panel_says_when_a_model_operation_lacks_its_weights(qtbot, tmp_path):
    from packshot.desktop.operations_panel import OperationsPanel

    class NeedsWeights(Operation):
        id, title, family, tier = "enhance.test_weights", "Needs weights", "enhance", "model"
        models = ("tiny-test",)
        install_hint = "packshot models download tiny-test"

    installed: list[str] = []
    panel = OperationsPanel(lambda op: [] if installed else list(op.models))
    qtbot.addWidget(panel)
    panel.set_operations({"enhance.test_weights": NeedsWeights()})
    panel.select("enhance.test_weights")
    assert panel.badge.text() == "model: not installed"
    assert "tiny-test" in panel.hint.text() and "Tools > Models" in panel.hint.text()
    installed.append("tiny-test")
    panel.select("enhance.test_weights")
    panel._show(panel.op)
    assert panel.badge.text() == "model" and panel.hint.text() == ""


def test_models_dialog_downloads_with_progress_and_checks_the_file(qtbot, tmp_path):
    import functools
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    payload = bytes(range(256)) * 4096  # 1 MiB
    (served / "tiny-dl.bin").write_bytes(payload)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/tiny-dl.bin"

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_model_catalogue(self):
            return [{"name": "tiny-dl", "file": "tiny-dl.bin", "family": "enhance", "loader": "file",
                     "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest(), "url": url}]

    h = PluginHost()
    h.register(Plugin(), "downloads")
    dialog = ModelsDialog(h, Settings())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)  # checked in the worker
    dialog.table.selectRow(0)
    dialog.download_selected()
    try:
        qtbot.waitUntil(lambda: dialog.table.item(0, 2).text() == "installed", timeout=20_000)
    finally:
        server.shutdown()
    assert dialog.status.text() == "Downloaded tiny-dl."
    assert (dialog.store.folder / "tiny-dl.bin").read_bytes() == payload
    assert not dialog.progress.isVisible()


def test_param_form_passes_an_unset_optional_default_as_declared(qtbot):
    optional_point = Numbers("point", (), length=2, minimum=0, help="x, y of something neutral")
    form = ParamForm([optional_point])
    qtbot.addWidget(form)
    assert form.values() == {"point": ()}
    form.editors["point"].setText("12, 34")
    assert form.values() == {"point": (12.0, 34.0)}
