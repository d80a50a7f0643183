"""The models folder: install with checks, custom models, status, loading and release."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
    code = ("import sys, packshot.core.models, packshot.core.models.store; "
            "print('torch' in sys.modules, 'spandrel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_a_pipeline_folder_counts_as_installed_when_not_empty(tmp_path):
    store = ModelStore(tmp_path / "models", [{"name": "pipe", "file": "my-pipeline", "loader": "diffusers"}])
    assert store.status("pipe").state == "missing"
    (store.folder / "my-pipeline").mkdir(parents=True)
    assert store.status("pipe").state == "missing"
    (store.folder / "my-pipeline" / "model_index.json").write_text("{}")
    assert store.path("pipe") == store.folder / "my-pipeline"


def _file_store(tmp_path, *names: str) -> ModelStore:
    """A store with one installed plain file per name, read by the test's own loaders."""
    folder = tmp_path / "models"
    folder.mkdir()
    for name in names:
        (folder / f"{name}.bin").write_bytes(name.encode())
    return ModelStore(folder, [{"name": n, "file": f"{n}.bin", "loader": "file"} for n in names])


def test_jobs_asking_for_one_model_at_once_cause_one_load(tmp_path):
    store = _file_store(tmp_path, "net")
    loads = []

    def slow_loader(path, device):
        loads.append(path.name)
        time.sleep(0.2)  # long enough for every job to ask while the first one loads
        return object()

    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: store.load("net", "cpu", slow_loader), range(4)))
    assert loads == ["net.bin"]
    assert all(m is models[0] for m in models) and store.loaded() == ["net"]


def test_a_model_loading_does_not_hold_up_another(tmp_path):
    """Loading takes that model's lock, not the store's: a slow torch load blocks nobody else."""
    store = _file_store(tmp_path, "big", "small")
    big_started, big_may_finish = threading.Event(), threading.Event()

    def big_loader(path, device):
        big_started.set()
        big_may_finish.wait(10)
        return "big"

    loading = threading.Thread(target=store.load, args=("big", "cpu", big_loader))
    loading.start()
    try:
        assert big_started.wait(10)
        small = []
        other = threading.Thread(target=lambda: small.append(store.load("small", "cpu", lambda p, d: "small")))
        other.start()
        other.join(10)
        assert small == ["small"]  # loaded while "big" was still loading
    finally:
        big_may_finish.set()
        loading.join()
    assert store.loaded() == ["big", "small"]


def test_a_cached_model_serves_one_job_at_a_time(tmp_path):
    store = _file_store(tmp_path, "net")
    inside, most = [], []

    def job(_):
        with store.use("net", "cpu", lambda p, d: object()):
            inside.append(1)
            most.append(len(inside))
            time.sleep(0.02)
            inside.pop()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(job, range(12)))
    assert len(most) == 12 and max(most) == 1


def test_a_job_waiting_for_a_busy_model_can_be_cancelled_before_its_turn(tmp_path):
    """The second job waited, uncancellable, until the first let go of the model."""
    from packshot.core.context import Context
    from packshot.core.errors import Cancelled

    store = _file_store(tmp_path, "net")
    holding, done = threading.Event(), threading.Event()

    def first():
        with store.use("net", "cpu", lambda p, d: object()):
            holding.set()
            done.wait(10)

    owner = threading.Thread(target=first)
    owner.start()
    ctx, outcome = Context(), []

    def second():
        try:
            with store.use("net", "cpu", lambda p, d: object(), while_waiting=ctx.check_cancelled):
                outcome.append("ran")
        except Cancelled:
            outcome.append("cancelled")

    try:
        assert holding.wait(10)
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.3)
        ctx.cancel_token.cancel()
        waiting.join(2)
        assert outcome == ["cancelled"]  # within 2 s, while the first job still holds the model
    finally:
        done.set()
        owner.join()
    with store.use("net", "cpu", lambda p, d: object(), while_waiting=ctx.check_cancelled):
        pass  # the lock was not left held by the cancelled wait


def test_release_frees_loaded_models_and_a_replaced_file_is_loaded_afresh(tmp_path):
    store = _file_store(tmp_path, "net")

    def read(path, device):
        return path.read_bytes()

    assert store.load("net", "cpu", read) == b"net"
    (store.folder / "net.bin").write_bytes(b"newer weights")
    assert store.load("net", "cpu", read) == b"newer weights"
    store.release("net")
    assert store.loaded() == []


def test_an_exclusive_model_releases_the_others_of_its_kind(tmp_path):
    store = _file_store(tmp_path, "a", "b", "c")
    store.load("c", "cpu", lambda p, d: "c", kind="onnx")
    store.load("a", "cpu", lambda p, d: "a", kind="diffusers", exclusive=True)
    store.load("b", "cpu", lambda p, d: "b", kind="diffusers", exclusive=True)
    assert store.loaded() == ["b", "c"]


def test_the_index_is_read_once_while_it_is_unchanged(tmp_path, monkeypatch):
    store = _store(tmp_path)
    (tmp_path / "blob.bin").write_bytes(BLOB)
    store.install(tmp_path / "blob.bin")
    reads = []
    real = Path.read_text

    def counting(self, *args, **kwargs):
        if self.name == ".packshot-models.json":
            reads.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    fresh = _store(tmp_path)
    for _ in range(5):
        assert fresh.status("blob").state == "installed" and len(fresh.entries()) == 1
    assert len(reads) == 1
    store.install(save_tiny("compact", tmp_path / "tiny.pth"), name="tiny")  # another process adds one
    reads.clear()
    assert fresh.entry("tiny").custom and fresh.status("tiny").installed and len(reads) == 1
