"""The models folder: install with checks, custom models, status, loading and release."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, MissingModel
from packshot.core.models import ModelStore, open_store, store_for
from packshot.core.models.inference import run_image_model
from packshot.core.models.tiny import save_tiny

BLOB = b"not really a network" * 100
BLOB_SHA = hashlib.sha256(BLOB).hexdigest()


def _store(tmp_path, **extra) -> ModelStore:
    entry = {"name": "blob", "file": "blob.bin", "size": len(BLOB), "sha256": BLOB_SHA,
             "url": "http://127.0.0.1:9/blob.bin", "loader": "file", **extra}
    return ModelStore(tmp_path / "models", [entry])


def test_missing_model_says_how_to_install(tmp_path):
    store = _store(tmp_path)
    with pytest.raises(MissingModel, match="packshot models download blob"):
        store.path("blob")


def test_install_checks_the_checksum(tmp_path):
    store = _store(tmp_path)
    good = tmp_path / "blob.bin"
    good.write_bytes(BLOB)
    assert store.install(good).name == "blob"
    assert store.status("blob").state == "installed"
    assert store.path("blob").read_bytes() == BLOB

    bad = tmp_path / "elsewhere" / "blob.bin"
    bad.parent.mkdir()
    bad.write_bytes(BLOB[:-1] + b"!")
    with pytest.raises(BadInput, match="checksum mismatch"):
        store.install(bad)
    assert store.path("blob").read_bytes() == BLOB  # the good copy is untouched


def test_a_damaged_file_is_reported_corrupt(tmp_path):
    store = _store(tmp_path)
    (tmp_path / "blob.bin").write_bytes(BLOB)
    store.install(tmp_path / "blob.bin")
    target = store.folder / "blob.bin"
    target.write_bytes(BLOB[:-1] + b"?")
    assert store.status("blob").state == "corrupt"
    with pytest.raises(MissingModel, match="damaged.*packshot models download blob"):
        store.path("blob")


def test_unknown_non_network_file_is_refused(tmp_path):
    store = _store(tmp_path)
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    with pytest.raises(BadInput, match="only .*safetensors"):
        store.install(stray)


@pytest.mark.parametrize("kind,suffix,scale", [("compact", ".pth", 2), ("esrgan", ".safetensors", 4),
                                                ("dncnn", ".safetensors", 1)])
def test_custom_model_install_load_run(tmp_path, kind, suffix, scale):
    store = _store(tmp_path)
    entry = store.install(save_tiny(kind, tmp_path / f"tiny_{kind}{suffix}"))
    assert entry.custom and entry.scale == scale and store.is_installed(entry.name)
    # a fresh store (another process) sees the custom model through the index file
    again = ModelStore(store.folder)
    model = again.load(entry.name, "cpu")
    assert again.load(entry.name, "cpu") is model and again.loaded() == [entry.name]
    img = (np.random.default_rng(0).random((40, 50, 3)) * 65535).astype(np.uint16)
    run = run_image_model(model, img, Context(device="cpu"))
    assert run.pixels.shape == (40 * scale, 50 * scale, 3) and run.pixels.dtype == np.uint16
    again.release()
    assert again.loaded() == []


def test_context_without_store_gets_the_default_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PACKSHOT_MODELS_DIR", str(tmp_path / "m"))
    store = store_for(Context())
    assert store.folder == tmp_path / "m"
    assert any(e.name == "fsrcnn_x2" for e in store.entries())
    assert store_for(Context(models=store)) is store


def test_open_store_has_every_plugins_catalogue():
    store = open_store()
    names = {e.name for e in store.entries()}
    assert {"realesrgan-x4plus", "realesr-general-x4v3", "espcn_x2", "lapsrn_x4"} <= names


def test_importing_the_store_loads_no_torch():
    code = "import sys, packshot.core.models, packshot.core.models.store; print('torch' in sys.modules, 'spandrel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_a_pipeline_folder_counts_as_installed_when_not_empty(tmp_path):
    store = ModelStore(tmp_path / "models", [{"name": "pipe", "file": "my-pipeline", "loader": "diffusers"}])
    assert store.status("pipe").state == "missing"
    (store.folder / "my-pipeline").mkdir(parents=True)
    assert store.status("pipe").state == "missing"
    (store.folder / "my-pipeline" / "model_index.json").write_text("{}")
    assert store.path("pipe") == store.folder / "my-pipeline"
