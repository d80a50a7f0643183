"""The headless job runner: progress, cancellation, plugin failures contained."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, Cancelled, PluginError
from packshot.core.jobs import JobRunner, execute
from packshot.core.operation import Inputs


@pytest.fixture
def runner():
    r = JobRunner(cpu_workers=2)
    yield r
    r.shutdown()


def test_progress_is_reported_and_result_returned(fake_host, small_image, runner):
    seen = []
    job = runner.submit(fake_host.operation("test.slow"), Inputs(small_image), {"steps": 5},
                        listener=lambda j: seen.append((j.state, round(j.progress.fraction, 2))))
    result = job.wait(10)
    assert job.state == "done"
    assert np.array_equal(result.image.pixels, small_image.with_float(small_image.rgb() * 0.5).pixels)
    fractions = [f for s, f in seen if s == "running"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 5


def test_cancel_stops_a_running_job_and_returns_nothing(fake_host, small_image, runner):
    started = threading.Event()
    job = runner.submit(fake_host.operation("test.slow"), Inputs(small_image), {"steps": 2000},
                        listener=lambda j: started.set() if j.progress.fraction > 0 else None)
    assert started.wait(10)
    job.cancel()
    with pytest.raises(Cancelled):
        job.wait(10)
    assert job.state == "cancelled" and job.result is None
    assert job.finished - job.started < 5  # stopped at a check, not after 40 s of work


def test_plugin_exception_becomes_plugin_error_naming_the_plugin(fake_host, small_image, runner):
    job = runner.submit(fake_host.operation("test.boom"), Inputs(small_image), plugin="fake")
    with pytest.raises(PluginError, match=r"plugin 'fake'.*test.boom.*ZeroDivisionError: plugin bug"):
        job.wait(10)
    ok = runner.submit(fake_host.operation("test.invert"), Inputs(small_image))
    assert ok.wait(10).image.pixels[0, 0, 0] == 255 - small_image.pixels[0, 0, 0]


def test_missing_required_mask_is_a_clear_error(fake_host, small_image):
    with pytest.raises(BadInput, match="needs a mask"):
        execute(fake_host.operation("test.fill_mask"), Inputs(small_image), {}, Context())
    wrong = np.zeros((5, 5), np.float32)
    with pytest.raises(BadInput, match="must match"):
        execute(fake_host.operation("test.fill_mask"), Inputs(small_image, wrong), {}, Context())


def test_gpu_jobs_run_one_at_a_time(small_image):
    from packshot.core.operation import Operation, Result

    active, peak, lock = [0], [0], threading.Lock()

    class GpuOp(Operation):
        id, title, family, uses_gpu = "test.gpu", "GPU", "other", True

        def run(self, inputs, params, ctx):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            for _ in range(5):
                ctx.progress(0.5)
                threading.Event().wait(0.01)
            with lock:
                active[0] -= 1
            return Result(inputs.image)

    runner = JobRunner(cpu_workers=4)
    jobs = [runner.submit(GpuOp(), Inputs(small_image)) for _ in range(4)]
    for j in jobs:
        j.wait(10)
    runner.shutdown()
    assert peak[0] == 1


def test_memory_returns_to_its_level_after_twenty_finished_jobs_on_a_12_mp_picture(fake_host, runner):
    """A finished job leaves the runner, so its input and result are freed with the caller's references."""
    import gc
    import tracemalloc

    from packshot.core.image import Image

    picture = Image(np.full((3000, 4000, 3), 90, np.uint8))  # 12 MP, 36 MB
    invert = fake_host.operation("test.invert")
    runner.submit(invert, Inputs(picture)).wait(60)  # warm-up: lazy imports and caches
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            job = runner.submit(invert, Inputs(picture))
            assert job.wait(60).image.pixels[0, 0, 0] == 165
            del job
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert runner.jobs == []
    assert after - before < 4_000_000, f"{(after - before) / 1e6:.0f} MB still held after 20 jobs"


def test_a_task_shares_the_lanes_progress_and_cancel_of_operations(fake_host, small_image):
    """Work that is not one operation (a history replay) runs on the GPU lane after the job
    before it, reports progress, and a shutdown finishes what still waits as cancelled."""
    order: list[str] = []
    runner = JobRunner(cpu_workers=1, models="the store")
    seen = []

    def replay(ctx):
        order.append("task")
        ctx.progress(0.5, "half")
        return ctx.models

    class GpuSlow(type(fake_host.operation("test.slow"))):
        uses_gpu = True

    first = runner.submit(GpuSlow(), Inputs(small_image), {"steps": 10},
                          listener=lambda j: order.append("op") if j.state == "done" else None)
    task = runner.submit_task("Replay", replay, listener=lambda j: seen.append(round(j.progress.fraction, 2)))
    assert task.wait(10) == "the store" and first.state == "done" and order == ["op", "task"]
    assert 0.5 in seen and runner.jobs == []
    blocker = runner.submit(GpuSlow(), Inputs(small_image), {"steps": 10_000})
    waiting = runner.submit_task("Waiting", replay)
    runner.shutdown(wait=True)
    assert blocker.state == "cancelled" and waiting.state == "cancelled" and order == ["op", "task"]
