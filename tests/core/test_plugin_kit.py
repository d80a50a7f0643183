"""The plugin author kit: the guide matches the hookspecs, every hook is exercised, the
``packshot.testing`` helpers do what the guide promises, and a failing plugin fails alone.

Like datasette's own meta-tests: a new hookspec without a docstring, without its section
in ``docs/plugins.md`` or without a ``test_hook_<name>`` here fails the suite.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from packshot.core import API_VERSION, hookspecs
from packshot.core.errors import BadParameter, PackshotError, PluginError
from packshot.core.jobs import JobRunner
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins
from packshot.testing import PHOTOS, photo, run_operation, studio_shot

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
BEGIN, END = "<!-- hook reference: begin -->", "<!-- hook reference: end -->"


def hookspec_functions() -> dict[str, object]:
    marker = f"{hookspecs.PROJECT}_spec"
    return {name: f for name, f in vars(hookspecs).items() if callable(f) and hasattr(f, marker)}


def render_hook_reference() -> str:
    """The guide's hook reference, generated from ``core/hookspecs.py``."""
    parts = []
    for name, f in hookspec_functions().items():
        args = ", ".join(inspect.signature(f).parameters)
        parts.append(f"### `{name}({args}) -> {f.__annotations__.get('return', 'None')}`\n\n"
                     f"{inspect.getdoc(f)}\n")
    return "\n".join(parts)


# ---------------------------------------------------------------------- meta-tests


def test_every_hookspec_has_a_docstring_that_says_whether_it_is_firstresult():
    specs = hookspec_functions()
    assert set(specs) >= {"packshot_operations", "packshot_model_catalogue", "packshot_export_presets"}
    for name, f in specs.items():
        doc = inspect.getdoc(f) or ""
        assert len(doc) > 80, f"hookspec {name} needs a docstring for plugin authors"
        first = getattr(f, f"{hookspecs.PROJECT}_spec").get("firstresult", False)
        said = "Not ``firstresult``" not in doc and "``firstresult``" in doc
        assert said == first, f"{name}'s docstring must say whether it is firstresult ({first})"
        assert "return" in f.__annotations__, f"hookspec {name} needs a return type"


def test_guide_hook_reference_is_generated_from_the_hookspecs():
    text = GUIDE.read_text("utf-8")
    assert BEGIN in text and END in text, f"{GUIDE.name} lost its hook reference markers"
    section = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    expected = render_hook_reference().strip()
    assert section == expected, (f"docs/plugins.md's hook reference is out of step with core/hookspecs.py; "
                                 f"replace the text between the markers with:\n\n{expected}")


def test_every_hook_is_exercised_by_a_test_here():
    module = sys.modules[__name__]
    missing = [n for n in hookspec_functions() if not callable(getattr(module, f"test_hook_{n}", None))]
    assert not missing, f"add test_hook_<name> for: {', '.join(missing)}"


def test_every_author_fixture_is_documented_in_the_guide():
    from packshot.desktop import testing as desktop_fixtures
    from packshot.testing import fixtures as core_fixtures

    text = GUIDE.read_text("utf-8")
    names = [n for mod in (core_fixtures, desktop_fixtures) for n, f in vars(mod).items()
             if hasattr(f, "_pytestfixturefunction") or type(f).__name__ == "FixtureFunctionDefinition"]
    assert len(names) >= 8, names
    undocumented = [n for n in names if f"`{n}" not in text]
    assert not undocumented, f"document these fixtures in docs/plugins.md: {undocumented}"


def test_readme_links_to_the_guide():
    assert "docs/plugins.md" in (ROOT / "README.md").read_text("utf-8")


# ---------------------------------------------------------------------- every hook, through an install

OPERATIONS_PLUGIN = '''
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result
from packshot.core.params import Float

packshot_api_version = "2.0"

class Darken(Operation):
    id, title, family = "kit.darken", "Darken", "other"
    params = (Float("amount", 0.5, minimum=0.0, maximum=1.0),)

    def run(self, inputs, params, ctx):
        ctx.progress(0.5, "darkening")
        return Result(inputs.image.with_float(inputs.image.rgb() * (1 - params["amount"])))

class Explode(Operation):
    id, title, family = "kit.explode", "Explode", "other"

    def run(self, inputs, params, ctx):
        ctx.progress(0.3, "about to fail")
        raise KeyError("a bug in the plugin")

@hookimpl
def packshot_operations():
    return [Darken(), Explode()]

@hookimpl
def packshot_model_catalogue():
    return [{"name": "kit-net", "file": "kit_net.safetensors", "family": "other", "architecture": "Compact",
             "size": 1234, "sha256": "", "licence": "MIT", "url": "", "verified": False}]

@hookimpl
def packshot_export_presets():
    return [{"name": "kit-web", "title": "Kit web", "max_edge": 1200, "format": "jpeg",
             "source": "this test"}]
'''


@pytest.fixture
def kit_host(packshot_installed_plugin):
    packshot_installed_plugin("packshot-kit", {"kit_plugin": OPERATIONS_PLUGIN},
                              entry_points={"kit": "kit_plugin"}, version="2.3.1")
    return load_plugins()


def test_hook_packshot_operations(kit_host, small_image):
    info = kit_host.plugin_of("kit.darken")
    assert (info.name, info.version, info.distribution, info.builtin) == ("kit", "2.3.1", "packshot-kit", False)
    assert info.operations == ("kit.darken", "kit.explode")
    run = run_operation(kit_host.operation("kit.darken"), small_image, {"amount": 0.5}, plugin=info.name)
    assert run.state == "done"
    assert np.abs(run.image.pixels.astype(int) - small_image.pixels // 2).max() <= 1


def test_hook_packshot_model_catalogue(kit_host):
    entry = next(e for e in kit_host.model_catalogue() if e["name"] == "kit-net")
    assert entry["plugin"] == "kit" and entry["size"] == 1234
    from packshot.core.errors import MissingModel
    from packshot.core.models import ModelStore
    from packshot.core.settings import load_settings

    store = ModelStore(load_settings().models_path, kit_host.model_catalogue())
    assert store.status("kit-net").state == "missing"
    with pytest.raises(MissingModel, match="kit-net.*not installed"):
        store.path("kit-net")


def test_hook_packshot_export_presets(kit_host):
    preset = next(p for p in kit_host.export_presets() if p["name"] == "kit-web")
    assert (preset["plugin"], preset["max_edge"], preset["source"]) == ("kit", 1200, "this test")


# ---------------------------------------------------------------------- versioning and failures


def test_plugin_for_another_api_version_is_refused_naming_plugin_and_version(packshot_installed_plugin, capsys):
    from packshot.core import cli

    newer = f"{int(API_VERSION.split('.')[0]) + 1}.0"
    packshot_installed_plugin("packshot-future", {"future_fx": f"packshot_api_version = {newer!r}\n"},
                              entry_points={"future": "future_fx"})
    packshot_installed_plugin("packshot-kit", {"kit_plugin": OPERATIONS_PLUGIN}, entry_points={"kit": "kit_plugin"})
    host = load_plugins()
    info = host.infos["future"]
    assert info.status == "failed" and info.api_version == newer
    assert f"API {newer}" in info.error and f"API {API_VERSION}" in info.error
    assert "kit.darken" in host.operations()
    assert cli.main(["ops"]) == 0
    out = capsys.readouterr().out
    assert "kit.darken" in out
    assert f"plugin 'future' failed to load: written for Packshot plugin API {newer}" in out


@pytest.mark.parametrize("declared, ok", [("2", True), ("2.0.2", True), (2.0, True), ("1", False), ("3", False),
                                          ("", False)])
def test_api_version_forms_authors_write(declared, ok):
    from packshot.core.plugin_host import api_compatible

    assert api_compatible(declared) is ok


def test_trace_variable_reports_each_plugin_load_and_hook_call(packshot_installed_plugin, monkeypatch, capsys):
    packshot_installed_plugin("packshot-kit", {"kit_plugin": OPERATIONS_PLUGIN}, entry_points={"kit": "kit_plugin"})
    monkeypatch.setenv("PACKSHOT_TRACE_PLUGINS", "1")
    host = load_plugins()
    host.operations()
    host.model_catalogue()
    err = capsys.readouterr().err
    assert re.search(r"trace: plugin 'kit' \(kit_plugin\): loaded in [\d.]+ ms", err)
    assert re.search(r"trace: packshot_operations\(\) of 'kit': 2 item\(s\) in [\d.]+ ms", err)
    assert re.search(r"trace: packshot_model_catalogue\(\) of 'kit': 1 item\(s\)", err)
    monkeypatch.delenv("PACKSHOT_TRACE_PLUGINS")
    load_plugins().operations()
    assert capsys.readouterr().err == ""


def test_an_operation_raising_mid_run_fails_only_its_own_job(kit_host, small_image):
    runner = JobRunner(cpu_workers=1, device="cpu")
    try:
        ops = [kit_host.operation(i) for i in ("kit.darken", "kit.explode", "kit.darken")]
        jobs = [runner.submit(op, Inputs(small_image), seed=0, plugin=kit_host.plugin_of(op.id).name)
                for op in ops]
        for job in jobs:
            with contextlib.suppress(PackshotError):
                job.wait(30)
    finally:
        runner.shutdown()
    assert [j.state for j in jobs] == ["done", "failed", "done"]
    error = jobs[1].error
    assert isinstance(error, PluginError) and error.plugin == "kit"
    assert "kit.explode failed: KeyError" in str(error) and "a bug in the plugin" in str(error)
    assert jobs[1].progress.fraction == pytest.approx(0.3)


# ---------------------------------------------------------------------- the helpers themselves


def test_run_operation_captures_progress_and_cancels_mid_run(fake_host, small_image):
    slow = fake_host.operation("test.slow")
    done = run_operation(slow, small_image, {"steps": 10})
    assert done.states == ["waiting", "running", "done"]
    assert done.fractions == sorted(done.fractions) and done.fractions[-1] == 1.0
    assert len(done.progress) == 11
    cancelled = run_operation(slow, small_image, {"steps": 200}, cancel_at=0.1)
    assert cancelled.state == "cancelled" and cancelled.result is None
    assert 0.1 <= cancelled.fractions[-1] < 0.2
    with pytest.raises(AssertionError, match="test.slow ended cancelled"):
        _ = cancelled.image
    bad = run_operation(slow, small_image, {"steps": 0})
    assert bad.state == "failed" and isinstance(bad.error, BadParameter) and bad.progress == []


def test_conformance_check_names_each_broken_promise_and_passes_a_good_op(fake_host):
    from packshot.core.image import Image
    from packshot.core.operation import Operation, Result
    from packshot.testing import check_operation

    class Careless(Operation):
        id, title, family = "test.careless", "Careless", "other"

        def run(self, inputs, params, ctx):
            inputs.image.pixels[0, 0] = 0  # scribbles on the original
            noise = np.random.default_rng().integers(0, 100, inputs.image.pixels.shape[:2])  # unseeded
            rgb = (inputs.image.rgb() * 155).astype(np.uint8)
            rgb[..., 0] += noise.astype(np.uint8)
            return Result(Image(rgb))  # a fresh 8-bit Image: no ICC, no EXIF

    problems = " | ".join(check_operation(Careless()))
    for words in ("modifies the pixels", "drops the ICC profile or EXIF", "different picture for the same seed",
                  "never reports progress", "turns a 16-bit image into 8-bit"):
        assert words in problems, problems
    assert check_operation(fake_host.operation("test.invert")) == []
    assert check_operation(fake_host.operation("test.slow"), {"steps": 5}) == []
    assert [p.split(",")[0] for p in check_operation(fake_host.operation("test.fill_mask"))] == \
        ["never reports progress"]
    assert "fails on a 128x96 8-bit RGB studio shot" in check_operation(fake_host.operation("test.boom"))[0]


def test_heavy_imports_catches_a_plugin_importing_a_heavy_library_at_load(packshot_installed_plugin):
    from packshot.testing import heavy_imports

    packshot_installed_plugin("packshot-kit", {"kit_plugin": OPERATIONS_PLUGIN}, entry_points={"kit": "kit_plugin"})
    packshot_installed_plugin("packshot-eager", {"eager_fx": "import skimage.filters\n" + OPERATIONS_PLUGIN},
                              entry_points={"eager": "eager_fx"})
    assert heavy_imports("kit") == []
    assert heavy_imports("eager") == ["skimage"]
    with pytest.raises(RuntimeError, match="plugin 'nothing' is not installed"):
        heavy_imports("nothing")


def test_sample_photos_are_real_and_sized():
    pictures = [photo(name, max_side=128) for name in PHOTOS]
    assert all(max(p.size) == 128 and p.pixels.dtype == np.uint8 for p in pictures)
    assert all(p.rgb().std() > 0.1 for p in pictures)
    assert photo("coffee", max_side=None).size == (600, 400)
    with pytest.raises(ValueError, match="astronaut"):
        photo("lena")


def test_studio_shots_carry_their_truths():
    shot = studio_shot("mug", 60, 80, cast=(1.1, 1.0, 0.8), bit_depth=16, with_alpha=True)
    assert shot.image.pixels.dtype == np.uint16 and shot.image.has_alpha
    assert np.abs(shot.image.alpha() - shot.alpha).max() < 1e-4
    backdrop = shot.image.rgb()[shot.alpha < 0.01]
    assert backdrop[:, 0].mean() / backdrop[:, 2].mean() == pytest.approx(1.1 / 0.8, rel=0.02)


def test_written_distribution_is_a_plugin_while_on_the_path(tmp_path, monkeypatch):
    from packshot.testing import write_plugin_distribution

    write_plugin_distribution(tmp_path, "packshot-kit", {"kit_on_path": OPERATIONS_PLUGIN},
                              entry_points={"kit2": "kit_on_path"})
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_plugins().plugin_of("kit.darken").name == "kit2"
    monkeypatch.undo()
    sys.modules.pop("kit_on_path", None)
    assert "kit2" not in load_plugins().infos


def test_guide_posterize_example_runs_as_printed():
    text = GUIDE.read_text("utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if "class Posterize" in b)
    namespace: dict = {}
    exec(compile(block, "docs/plugins.md", "exec"), namespace)
    op = namespace["Posterize"]()
    run = run_operation(op, photo("coffee", max_side=96), {"levels": 4})
    assert run.state == "done" and len(np.unique(run.image.pixels)) == 4
    luma = run_operation(op, photo("coffee", max_side=96), {"levels": 4, "space": "luma"})
    assert luma.state == "done" and len(np.unique(luma.image.pixels)) > 4


def test_guide_model_example_runs_on_a_tiny_checkpoint(packshot_model_store, tmp_path):
    from packshot.core.errors import MissingModel
    from packshot.core.models.tiny import save_tiny

    text = GUIDE.read_text("utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.DOTALL) if "class AcmeUpscale" in b)
    namespace: dict = {}
    exec(compile(block, "docs/plugins.md", "exec"), namespace)
    op = namespace["AcmeUpscale"]()
    entry = {"name": "acme-upscaler-x2", "file": "acme_upscaler_x2.safetensors", "family": "enhance",
             "architecture": "Compact", "loader": "spandrel", "scale": 2}
    store = packshot_model_store(entry)
    image = studio_shot("mug", 40, 56).image
    missing = run_operation(op, image, models=store)
    assert missing.state == "failed" and isinstance(missing.error, MissingModel)
    assert "'acme-upscaler-x2' is not installed; install it" in str(missing.error)
    store.install(save_tiny("compact", tmp_path / "tiny.safetensors"), name="acme-upscaler-x2")
    run = run_operation(op, image, models=store, tile_size=32)
    assert run.state == "done", run.error
    assert run.image.size == (112, 80) and run.result.report == {"device": "cpu"}
    assert len(run.progress) > 4  # one report per tile


def test_guide_example_snippets_name_real_api():
    """Every ``from packshot... import name`` line in the guide imports, and none reaches into the engine."""
    text = GUIDE.read_text("utf-8")
    lines = set(re.findall(r"^\s*from (packshot[\w.]*) import ([\w, ]+)$", text, re.MULTILINE))
    assert not [m for m, _ in lines if m.startswith(("packshot.core", "packshot.plugins"))]
    assert len(lines) >= 5
    for module, names in lines:
        mod = __import__(module, fromlist=["_"])
        for name in (n.strip() for n in names.split(",")):
            assert hasattr(mod, name), f"docs/plugins.md imports {name} from {module}, which has no such name"


PICKY_PLUGIN = '''
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result

packshot_api_version = "2.0"

class Picky(Operation):
    id, title, family = "picky.warm", "Warm unless wide", "colour"

    def run(self, inputs, params, ctx):
        if inputs.image.width > 100:
            raise ValueError(f"cannot handle {inputs.image.width} px")
        rgb = inputs.image.rgb().copy()
        rgb[..., 0] = rgb[..., 0] * 0.5 + 0.5
        return Result(inputs.image.with_float(rgb))

@hookimpl
def packshot_operations():
    return [Picky()]
'''


@pytest.mark.parametrize("workers", [0, 2], ids=["inline", "process-pool"])
def test_a_plugin_failing_on_some_files_fails_only_those_in_a_batch(packshot_installed_plugin, tmp_path, workers):
    from packshot.core.batch.runner import BatchSpec, run_batch
    from packshot.core.export import ExportOptions
    from packshot.core.imageio import load_image, save_image
    from packshot.core.recipe import Recipe, Step

    packshot_installed_plugin("picky-fx", {"picky_fx": PICKY_PLUGIN}, entry_points={"picky": "picky_fx"})
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    sources = []
    for i, width in enumerate((80, 160, 90)):
        path = shoot / f"shot_{i}.png"
        save_image(studio_shot("ball", 60, width).image, path)
        sources.append(path)
    spec = BatchSpec(inputs=sources, out_dir=tmp_path / "out", options=ExportOptions(),
                     recipe=Recipe(steps=[Step(op="picky.warm")]))
    report = run_batch(spec, workers=workers)
    by_source = {Path(item["source"]).name: item for item in report.items}
    assert [by_source[p.name]["status"] for p in sources] == ["done", "failed", "done"]
    error = by_source["shot_1.png"]["error"]
    assert "plugin 'picky'" in error and "picky.warm failed: ValueError: cannot handle 160 px" in error
    written = sorted(p.name for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert not any("shot_1" in name for name in written) and not any(n.endswith(".part") for n in written)
    warmed = [load_image(p) for p in (tmp_path / "out").rglob("shot_[02]*")]
    assert len(warmed) == 2 and all(w.rgb()[..., 0].min() >= 0.49 for w in warmed)
