"""pytest fixtures for Packshot plugin authors, loaded automatically (``pytest11``: ``packshot``).

Every fixture is opt-in (none is autouse), so installing Packshot changes nothing in an
unrelated test suite. Fixtures that load plugins or settings first move Packshot's
config, data, cache and models folders into the test's temporary folder.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from packshot.core.plugin_host import PluginHost, load_plugins

from . import conformance, images, runs
from .distributions import write_plugin_distribution


@pytest.fixture
def packshot_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Private config, data, cache and models folders: no test touches a person's real ones."""
    base = tmp_path_factory.mktemp("packshot-home")
    for name in ("CONFIG", "DATA", "CACHE", "MODELS"):
        folder = base / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"PACKSHOT_{name}_DIR", str(folder))
    for name in ("PACKSHOT_DISABLE_PLUGINS", "PACKSHOT_ONLY_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    return base


@pytest.fixture
def packshot_photo() -> Callable[..., Any]:
    """``packshot_photo("coffee", max_side=256)``: a real photograph (see ``PHOTOS``) as an Image."""
    return images.photo


@pytest.fixture
def packshot_studio_shot() -> Callable[..., images.StudioShot]:
    """``packshot_studio_shot("mug", cast=(1.2, 1, 0.8), bit_depth=16)``: a synthetic packshot with its truths."""
    return images.studio_shot


@pytest.fixture
def packshot_host(packshot_home: Path) -> Callable[..., PluginHost]:
    """``packshot_host()`` loads every installed plugin; ``packshot_host(plugin, ...)`` only those given.

    A plugin is a module or object with ``@hookimpl`` functions, or a module name; it is
    registered under its module name with the same checks as an installed one.
    """

    def make(*plugins: Any) -> PluginHost:
        if not plugins:
            return load_plugins()
        host = PluginHost()
        for plugin in plugins:
            if isinstance(plugin, str):
                plugin = importlib.import_module(plugin)
            host.register(plugin, getattr(plugin, "__name__", type(plugin).__name__))
        return host

    return make


@pytest.fixture
def packshot_run(packshot_home: Path) -> Callable[..., runs.RunRecord]:
    """``packshot_run(op, image, params, cancel_at=0.5, tile_size=64)``: through the real JobRunner.

    Returns a :class:`packshot.testing.RunRecord`; see :func:`packshot.testing.run_operation`.
    """
    return runs.run_operation


@pytest.fixture
def packshot_check_operation(packshot_home: Path) -> Callable[..., None]:
    """``packshot_check_operation(op, params)``: fail with every Packshot promise ``op`` breaks.

    Originals untouched, same seed same picture, ICC and EXIF kept, 16-bit kept,
    progress reported in order, Cancel honoured; see :func:`packshot.testing.check_operation`.
    Skips the test when the operation needs model weights that are not installed.
    """

    def check(op: Any, params: Any = None, **kwargs: Any) -> None:
        try:
            problems = conformance.check_operation(op, params, **kwargs)
        except conformance.NeedsModel as exc:
            pytest.skip(str(exc))
        if problems:
            raise AssertionError(f"{op.id} breaks Packshot's promises:\n  " + "\n  ".join(problems))

    return check


@pytest.fixture
def packshot_model_store(packshot_home: Path) -> Callable[..., Any]:
    """``packshot_model_store(entry, ..., host=None)``: a model store on this test's own models folder.

    Its catalogue is the given entries (mappings, as ``packshot_model_catalogue``
    returns) followed by the host's (every installed plugin's by default); a given entry
    replaces a plugin's entry of the same name, so a tiny random-weight checkpoint can
    stand in for the published file: ``store.install(tiny_path, name=...)``, then
    ``packshot_run(op, image, models=store)``.
    """

    def make(*entries: Any, host: PluginHost | None = None) -> Any:
        from packshot.core.models import ModelStore
        from packshot.core.settings import load_settings

        catalogue = [*entries, *(host or load_plugins()).model_catalogue()]
        return ModelStore(load_settings().models_path, catalogue, device="cpu")

    return make


@pytest.fixture
def packshot_installed_plugin(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                              packshot_home: Path) -> Iterator[Callable[..., Path]]:
    """``packshot_installed_plugin("my-dist", {"my_plugin": SOURCE})``: installed for this test only.

    The folder it returns is put on ``sys.path`` and on ``PYTHONPATH``, so subprocesses
    (``packshot ops``, :func:`packshot.testing.heavy_imports`) see the plugin too. See
    ``write_plugin_distribution``.
    """
    written: list[str] = []

    def install(name: str, modules: dict[str, str], **kwargs: Any) -> Path:
        site = tmp_path_factory.mktemp("site")
        write_plugin_distribution(site, name, modules, **kwargs)
        monkeypatch.syspath_prepend(str(site))
        monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
        written.extend(modules)
        return site

    yield install
    for module in written:
        sys.modules.pop(module, None)
