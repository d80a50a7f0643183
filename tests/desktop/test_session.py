"""The editor session with no screen: one job runner, one model store, settings that build a new runner."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import numpy as np
import pytest

from packshot.core.errors import BadInput
from packshot.core.recipe import EditStack, load_sidecar, make_step, save_sidecar
from packshot.core.settings import Settings
from packshot.desktop.document import Document
from packshot.desktop.session import EditorSession


@pytest.fixture
def session(fake_host):
    s = EditorSession(fake_host, Settings())
    yield s
    s.close()


@pytest.fixture
def picture(tmp_path, small_image):
    """``small_image`` saved as a PNG (lossless): the session edits pictures that live in files."""
    from packshot.core.imageio import save_image

    return save_image(small_image, tmp_path / "small.png")


def test_the_session_imports_no_qt():
    code = ("import sys, json, packshot.desktop.session\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'superqt'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_an_operation_becomes_a_step_and_its_job_is_let_go(session, small_image, picture):
    doc = Document.open(picture)
    session.document = doc
    job = session.run_operation("test.slow", {"steps": 10})
    with pytest.raises(BadInput, match="Slow is still running on this picture"):
        session.run_operation("test.invert", {})
    job.wait(10)
    assert session.is_pending(job)  # ended, not yet brought into the session
    assert session.finish_operation(job) == "Slow: done"
    assert not session.is_pending(job) and session.last_job is None and session.runner.jobs == []
    assert np.array_equal(doc.current.pixels, small_image.with_float(small_image.rgb() * 0.5).pixels)
    assert [s.op for s in doc.steps] == ["test.slow"]


def test_new_settings_build_a_new_runner_and_the_old_one_finishes_its_job(session, picture, tmp_path):
    doc = Document.open(picture)
    session.document = doc
    old = session.runner
    job = session.run_operation("test.slow", {"steps": 10})
    session.apply_settings(Settings(device="cpu", tile_size=256, models_dir=str(tmp_path / "models")))
    assert session.runner is not old and (session.runner.device, session.runner.tile_size) == ("cpu", 256)
    assert session.runner.models is session.models is not old.models
    assert (old.device, old.tile_size) == ("auto", 512)  # the live runner was not poked
    job.wait(10)
    session.finish_operation(job)
    assert len(doc.steps) == 1 and session.active_jobs() == []


def test_two_model_jobs_and_a_history_replay_at_once_load_the_model_once(tmp_path, monkeypatch, small_image):
    """The GPU lane runs them one after another with the session's store: one load, and each picture
    is what the operation gives when run alone."""
    import packshot.plugins.enhance
    from packshot.core.context import Context
    from packshot.core.jobs import execute
    from packshot.core.models import store as store_module
    from packshot.core.models.tiny import save_tiny
    from packshot.core.operation import Inputs
    from packshot.core.plugin_host import PluginHost
    from packshot.plugins.enhance.upscale_model import UpscaleModel
    from packshot.testing import photo

    loads: list[str] = []
    real_load, real_run = store_module._load_spandrel, UpscaleModel.run
    monkeypatch.setattr(store_module, "_load_spandrel",
                        lambda path, *rest: loads.append(path.name) or real_load(path, *rest))
    running, peak, lock = [0], [0], threading.Lock()

    def run(self, inputs, params, ctx):  # how many runs share the cached model at one moment
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return real_run(self, inputs, params, ctx)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(UpscaleModel, "run", run)
    host = PluginHost()
    host.register(packshot.plugins.enhance, "enhance", version="1.0", builtin=True)
    session = EditorSession(host, Settings(device="cpu"))
    try:
        entry = session.models.install(save_tiny("compact", tmp_path / "tiny-compact.safetensors"))
        params = {"scale": 2, "model": entry.name}
        pictures = [photo(name, 40) for name in ("rocket", "coffee", "astronaut")]
        reopened = tmp_path / "reopened.png"
        from packshot.core.imageio import save_image

        save_image(pictures[2], reopened)
        save_sidecar(reopened, EditStack([make_step(host, "enhance.upscale_model", params)], cursor=1))
        for i, picture in enumerate(pictures[:2]):
            save_image(picture, tmp_path / f"{i}.png")
        docs = [Document.open(tmp_path / "0.png"), Document.open(tmp_path / "1.png")]
        jobs = []
        for doc in docs:
            session.document = doc
            jobs.append(session.run_operation("enhance.upscale_model", params))
        replay = session.opened(Document.open(reopened))
        assert replay is not None and replay.uses_gpu
        for job in (*jobs, replay):
            job.wait(60)
        for job in jobs:
            session.finish_operation(job)
        session.finish_render(replay)
        replayed = session.docs[reopened]
        assert replayed.ready and replayed.current.pixels.shape == (80, 80, 3)
        op = host.operation("enhance.upscale_model")
        alone = [execute(op, Inputs(p), params, Context(device="cpu", models=session.models)).image.pixels
                 for p in (pictures[0], pictures[1], replayed.original)]
        assert np.array_equal(docs[0].current.pixels, alone[0]) and np.array_equal(docs[1].current.pixels, alone[1])
        assert np.array_equal(replayed.current.pixels, alone[2])
        assert len(loads) == 1 and peak[0] == 1
    finally:
        session.close()


def test_a_replay_is_a_job_that_can_be_cancelled_and_keeps_the_saved_steps(session, small_image, tmp_path):
    from packshot.core.imageio import save_image

    path = tmp_path / "slow.png"
    save_image(small_image, path)
    save_sidecar(path, EditStack([make_step(session.host, "test.slow", {"steps": 10_000})], cursor=1))
    messages = []
    session.on_message = lambda kind, text: messages.append((kind, text))
    doc = Document.open(path)
    replay = session.opened(doc)
    assert replay in session.active_jobs() and replay.title == "Render slow.png"
    while replay.progress.fraction == 0 and not replay.ended:
        replay._ended.wait(0.01)
    replay.cancel()
    with pytest.raises(Exception, match="cancelled"):
        replay.wait(10)
    session.finish_render(replay)
    assert doc.ready and doc.cursor == 0 and [s.op for s in doc.steps] == ["test.slow"]
    assert "cancelled" in messages[-1][1] and [s.op for s in load_sidecar(path).steps] == ["test.slow"]


class _BrokenChecks:
    """A plugin whose validate and check_inputs raise what no PackshotError covers."""

    packshot_api_version = "2.0"

    @staticmethod
    def operations():
        from packshot.core.operation import Operation, Result

        class BadValidate(Operation):
            id, title, family = "broken.validate", "Bad validate", "other"

            def validate(self, values):
                raise ValueError("validate broke")

            def run(self, inputs, params, ctx):
                return Result(inputs.image)

        class BadInputs(BadValidate):
            id, title = "broken.inputs", "Bad inputs"

            def validate(self, values):
                return {}

            def check_inputs(self, inputs):
                raise KeyError("inputs broke")

        return [BadValidate(), BadInputs()]


def test_a_plugins_broken_checks_become_its_failure_not_a_traceback(fake_host, picture):
    from packshot.core.errors import PluginError
    from packshot.core.hookspecs import hookimpl

    class Plugin(_BrokenChecks):
        @hookimpl
        def packshot_operations(self):
            return self.operations()

    fake_host.register(Plugin(), "broken")
    session = EditorSession(fake_host, Settings())
    try:
        session.document = Document.open(picture)
        for op_id, said in (("broken.validate", "validate broke"), ("broken.inputs", "inputs broke")):
            with pytest.raises(PluginError, match=f"plugin 'broken'.*{op_id}.*{said}"):
                session.run_operation(op_id, {})
    finally:
        session.close()


def test_closing_frees_the_models_of_runners_retired_by_new_settings(session, tmp_path):
    released = []
    old_store = session.models
    old_store.release = lambda: released.append("old")
    session.apply_settings(Settings(models_dir=str(tmp_path / "models")))
    session.close()
    assert released == ["old"]


def test_a_cancelled_masked_run_leaves_no_mask_file_behind(fake_host, picture):
    from packshot.core.hookspecs import hookimpl
    from packshot.core.operation import Operation, Result

    class SlowMasked(Operation):
        id, title, family = "other.test_slow_masked", "Slow masked", "other"
        inputs = frozenset({"image", "mask"})

        def run(self, inputs, params, ctx):
            for i in range(500):
                ctx.progress(i / 500)
                threading.Event().wait(0.01)
            return Result(inputs.image)

    class Plugin:
        packshot_api_version = "2.0"

        @hookimpl
        def packshot_operations(self):
            return [SlowMasked()]

    fake_host.register(Plugin(), "slow-masked", version="1.0")
    session = EditorSession(fake_host, Settings())
    try:
        doc = Document.open(picture)
        session.document = doc
        doc.paint((10, 10), (30, 10), radius=4)
        job = session.run_operation("other.test_slow_masked", {})
        masks = picture.parent / f"{picture.name}.packshot-masks"
        assert len(list(masks.iterdir())) == 1  # written before it runs: the engine keys steps by their files
        while job.progress.fraction == 0 and not job.ended:
            job._ended.wait(0.01)
        job.cancel()
        with pytest.raises(Exception, match="ancel"):
            job.wait(10)
        assert session.finish_operation(job).startswith("Cancelled")
        assert not masks.exists() and doc.steps == [] and load_sidecar(picture) is None
    finally:
        session.close()


def test_a_cancelled_render_after_a_change_keeps_the_stack(session, picture):
    doc = Document.open(picture)
    session.document = doc
    job = session.run_operation("test.slow", {"steps": 40})
    job.wait(10)
    session.finish_operation(job)
    session.engine.memory.forget(str(picture))
    for render in session.engine.disk.folder.rglob("*.render"):
        render.unlink()
    hide = session.change(doc, lambda d: d.set_enabled(1, False))
    assert hide is None and doc.ready  # nothing enabled: the original, no job
    show = session.change(doc, lambda d: d.undo())
    assert show is not None and not doc.ready  # the render is gone from the caches: a job
    show.cancel()
    with pytest.raises(Exception, match="ancel"):
        show.wait(10)
    session.finish_render(show)
    assert doc.cursor == 1 and doc.steps[0].enabled and not doc.ready  # not truncated to the original
