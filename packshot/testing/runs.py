"""Run an operation through the real job runner and keep everything a test checks.

The desktop's worker thread and the batch runner both go through
:class:`packshot.core.jobs.JobRunner`, so a plugin test that uses it sees exactly what a person
sees: parameter validation, progress, cancellation, and a failing ``run`` turned into a
:class:`packshot.core.errors.PluginError` naming the plugin.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from packshot.core.errors import PackshotError
from packshot.core.image import Image
from packshot.core.jobs import Job, JobRunner
from packshot.core.operation import Inputs, Operation, Result


@dataclass
class RunRecord:
    """What one run did: final state, result or error, and every progress report in order."""

    job: Job
    state: str
    result: Result | None
    error: PackshotError | None
    progress: list[tuple[float, str]] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    @property
    def image(self) -> Image:
        """The result image; a failed or cancelled run fails the test with its error."""
        if self.result is None:
            what = self.job.op.id if self.job.op is not None else "the task"
            raise AssertionError(f"{what} ended {self.state}: {self.error}")
        return self.result.image

    @property
    def fractions(self) -> list[float]:
        return [f for f, _ in self.progress]


def run_operation(op: Operation, image: Image | Inputs, params: Mapping[str, Any] | None = None, *,
                  mask: np.ndarray | None = None, reference: Image | None = None,
                  prompt: str | None = None, seed: int = 0, cancel_at: float | None = None,
                  plugin: str = "", tile_size: int = 512, models: Any = None,
                  runner: JobRunner | None = None, timeout: float = 120.0) -> RunRecord:
    """Submit ``op`` to a JobRunner, wait, and return a :class:`RunRecord`.

    ``cancel_at`` cancels the job as soon as it reports progress at or beyond that
    fraction, the way a person presses Cancel mid-run. Without ``runner`` a one-lane CPU
    runner with ``tile_size`` and ``models`` (the model store the operation sees as
    ``ctx.models``) is made and shut down afterwards.
    """
    inputs = image if isinstance(image, Inputs) else Inputs(image, mask, reference, prompt)
    own = runner is None
    runner = runner or JobRunner(cpu_workers=1, device="cpu", tile_size=tile_size, models=models)
    progress: list[tuple[float, str]] = []
    states: list[str] = ["waiting"]

    def listen(job: Job) -> None:
        if job.state != states[-1]:
            states.append(job.state)
            return
        progress.append((job.progress.fraction, job.progress.message))
        if cancel_at is not None and job.progress.fraction >= cancel_at:
            job.cancel()

    try:
        job = runner.submit(op, inputs, params, seed=seed, plugin=plugin, listener=listen)
        try:
            job.wait(timeout)
        except PackshotError:
            pass
        except concurrent.futures.TimeoutError:
            job.cancel()
            raise AssertionError(f"{op.id} did not finish within {timeout:g} s") from None
    finally:
        if own:
            runner.shutdown(wait=True)
    return RunRecord(job=job, state=job.state, result=job.result, error=job.error,
                     progress=progress, states=states)
