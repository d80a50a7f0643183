"""The headless job runner: run operations with progress and cancellation, no Qt.

The desktop wraps :class:`JobRunner` in Qt signals and runs its lanes on QThreads it
owns; the CLI and the batch runner use it directly with plain-thread lanes. GPU work
(model operations, history replays and exports that may load a model) goes through one
lane, one job at a time; CPU operations run beside it. A finished job leaves the runner
at once, so the runner never holds pictures it is no longer working on.
"""

from __future__ import annotations

import itertools
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .context import CancelToken, Context
from .errors import BadInput, Cancelled, PackshotError, PluginError
from .image import Image
from .operation import Inputs, Operation, Result


def execute(op: Operation, inputs: Inputs, params: Mapping[str, Any] | None, ctx: Context,
            plugin: str = "") -> Result:
    """Validate, run and check one operation in the calling thread.

    Anything a plugin raises that is not a PackshotError (in ``validate``, in
    ``check_inputs`` or in ``run``; a KeyboardInterrupt too, unless it is the person's
    Ctrl+C) becomes a PluginError naming the plugin and the operation, so it is reported,
    never a traceback.
    """
    checked = validate_params(op, params, plugin)
    with contained(op, plugin, "checking its inputs"):
        op.check_inputs(inputs)
    ctx.check_cancelled()
    with contained(op, plugin, "failed"):
        result = op.run(inputs, checked, ctx)
    owner = plugin or op.id
    if not isinstance(result, Result) or not isinstance(result.image, Image):
        raise PluginError(owner, f"{op.id} returned {type(result).__name__}, not a Result")
    if result.mask is not None and (
        not isinstance(result.mask, np.ndarray) or result.mask.shape != result.image.pixels.shape[:2]
    ):
        raise PluginError(owner, f"{op.id} returned a mask that does not match its image")
    ctx.check_cancelled()
    ctx.progress(1.0, "done")
    return result


def validate_params(op: Operation, params: Mapping[str, Any] | None, plugin: str = "") -> dict[str, Any]:
    """``op.validate(params)``, with a plugin's own validate that breaks reported as its failure."""
    with contained(op, plugin, "checking its parameters"):
        return op.validate(params)


@contextmanager
def contained(op: Operation, plugin: str, doing: str) -> Iterator[None]:
    """Turn what plugin code raises into a PackshotError naming the plugin and the operation.

    PackshotErrors pass as they are. A KeyboardInterrupt passes only if a real Ctrl+C
    (SIGINT) reached the process meanwhile; one the plugin raised itself is its failure.
    """
    owner = plugin or op.id
    with _noting_ctrl_c() as ctrl_c:
        try:
            yield
        except PackshotError:
            raise
        except MemoryError as exc:
            raise PackshotError(f"{op.id}: out of memory ({exc}); try a smaller tile size") from exc
        except SystemExit as exc:  # a library that exits the process must not end the app or the batch
            raise PluginError(owner, f"{op.id} tried to exit Packshot (exit code {exc.code})") from exc
        except KeyboardInterrupt as exc:
            if ctrl_c:
                raise
            raise PluginError(owner, f"{op.id} {doing}: it raised KeyboardInterrupt itself") from exc
        except BaseException as exc:
            raise PluginError(owner, f"{op.id} {doing}: {type(exc).__name__}: {exc}") from exc


@contextmanager
def _noting_ctrl_c() -> Iterator[list[int]]:
    """A list that gets an entry if SIGINT arrives while the block runs.

    Signals reach the main thread only, so elsewhere the list stays empty; in the main
    thread the current Python handler (the default raises KeyboardInterrupt) is wrapped.
    """
    seen: list[int] = []
    previous = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if not callable(previous):
        yield seen
        return
    handler = previous

    def note(signum: int, frame: Any) -> Any:
        seen.append(signum)
        return handler(signum, frame)

    signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class JobProgress:
    fraction: float = 0.0
    message: str = ""


@dataclass(eq=False)
class Job:
    """One submitted piece of work: watch its progress, cancel it, wait for its result.

    An operation job has ``op`` and ``inputs`` and its ``result`` is the operation's
    :class:`Result`; a task job (a history replay, an export) has ``work`` instead and its
    ``result`` is whatever ``work(ctx)`` returned.
    """

    id: int
    op: Operation | None
    inputs: Inputs | None
    params: Mapping[str, Any]
    seed: int = 0
    plugin: str = ""
    title: str = ""
    uses_gpu: bool = False
    work: Callable[[Context], Any] | None = field(default=None, repr=False)
    state: str = "waiting"  # waiting | running | done | failed | cancelled
    progress: JobProgress = field(default_factory=JobProgress)
    error: PackshotError | None = None
    result: Any = None
    started: float | None = None
    finished: float | None = None
    token: CancelToken = field(default_factory=CancelToken)
    _ended: threading.Event = field(default_factory=threading.Event, repr=False)
    _listeners: list[Callable[[Job], None]] = field(default_factory=list, repr=False)

    def cancel(self) -> None:
        """Ask the job to stop; a waiting job never starts, a running one stops at its next check."""
        self.token.cancel()

    def wait(self, timeout: float | None = None) -> Any:
        """Block until finished; return the result or raise the job's error (TimeoutError if it is still going)."""
        if not self._ended.wait(timeout):
            raise TimeoutError(f"{self.title} is still {self.state} after {timeout:g} s")
        if self.error is not None:
            raise self.error
        return self.result

    @property
    def finished_ok(self) -> bool:
        return self.state == "done"

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)


ENDED = ("done", "failed", "cancelled")


class Lane(Protocol):
    """Where a runner's jobs execute: ``width`` workers taking callables in order.

    Core's :class:`ThreadLane` uses plain threads; the desktop gives QThreads it owns.
    """

    def submit(self, fn: Callable[[], None]) -> None: ...

    def close(self, wait: bool = True) -> None:
        """Take no more work; with ``wait``, return once the work already given has run."""


LaneFactory = Callable[[str, int], Lane]  # (name, width) -> Lane


class ThreadLane:
    """A lane of plain threads (the CLI, the batch runner, tests)."""

    def __init__(self, name: str, width: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix=f"packshot-{name}")

    def submit(self, fn: Callable[[], None]) -> None:
        self._pool.submit(fn)

    def close(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)


class JobRunner:
    """Runs jobs on lanes: one GPU lane, a few CPU lanes.

    ``listener(job)`` is called from the lane's thread whenever a job's state or
    progress changes; a front end must hop to its own thread (the desktop does this
    with a queued Qt signal). ``lanes(name, width)`` makes the lanes (plain threads by
    default). Settings are fixed for a runner's life: different settings, a new runner.
    """

    def __init__(self, *, cpu_workers: int = 2, device: str = "auto", tile_size: int = 512,
                 models: Any = None, settings: dict[str, Any] | None = None,
                 lanes: LaneFactory = ThreadLane) -> None:
        self._gpu = lanes("gpu", 1)
        self._cpu = lanes("cpu", max(1, cpu_workers))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.jobs: list[Job] = []  # waiting and running, oldest first; a finished job is dropped
        self.device = device
        self.tile_size = tile_size
        self.models = models
        self.settings = settings or {}

    def submit(self, op: Operation, inputs: Inputs, params: Mapping[str, Any] | None = None, *,
               seed: int = 0, plugin: str = "",
               listener: Callable[[Job], None] | None = None) -> Job:
        """Queue an operation on its lane (the GPU lane if ``op.uses_gpu``)."""
        job = Job(id=next(self._ids), op=op, inputs=inputs, params=dict(params or {}), seed=seed, plugin=plugin,
                  title=op.title or op.id, uses_gpu=op.uses_gpu)
        return self._queue(job, listener)

    def submit_task(self, title: str, work: Callable[[Context], Any], *, uses_gpu: bool = True, seed: int = 0,
                    token: CancelToken | None = None, listener: Callable[[Job], None] | None = None) -> Job:
        """Queue ``work(ctx)``: work that is not one operation (replaying a history, exporting
        with saved edits) but runs operations, so it shares their lanes, model store,
        progress and Cancel. ``token`` lets the work's own handle cancel it too."""
        job = Job(id=next(self._ids), op=None, inputs=None, params={}, seed=seed, title=title,
                  uses_gpu=uses_gpu, work=work, token=token or CancelToken())
        return self._queue(job, listener)

    def _queue(self, job: Job, listener: Callable[[Job], None] | None) -> Job:
        if listener is not None:
            job._listeners.append(listener)
        with self._lock:
            self.jobs.append(job)
        (self._gpu if job.uses_gpu else self._cpu).submit(lambda: self._run(job))
        return job

    def _run(self, job: Job) -> None:
        if job.token.cancelled:
            self._finish(job, "cancelled", error=Cancelled("cancelled before it started"))
            return
        job.state, job.started = "running", time.monotonic()
        job._notify()

        def on_progress(fraction: float, message: str) -> None:
            job.progress = JobProgress(fraction, message)
            job._notify()

        ctx = Context(seed=job.seed, device=self.device, tile_size=self.tile_size, models=self.models,
                      on_progress=on_progress, cancel_token=job.token, settings=self.settings)
        try:
            if job.work is not None:
                result = job.work(ctx)  # the work decides what a cancel leaves (an export's partial report)
            else:
                assert job.op is not None and job.inputs is not None
                result = execute(job.op, job.inputs, job.params, ctx, job.plugin)
        except Cancelled as exc:
            self._finish(job, "cancelled", error=exc)
        except PackshotError as exc:
            self._finish(job, "failed", error=exc)
        except Exception as exc:  # defensive: nothing escapes a worker thread unreported
            self._finish(job, "failed", error=BadInput(f"{job.title}: {type(exc).__name__}: {exc}"))
        else:
            job.result = result
            self._finish(job, "done")

    def _finish(self, job: Job, state: str, error: PackshotError | None = None) -> None:
        job.state, job.error, job.finished = state, error, time.monotonic()
        with self._lock:
            self.jobs.remove(job)
        job.inputs = None  # the pictures it worked on are the caller's to keep or drop
        job._notify()
        job._ended.set()

    def active(self) -> list[Job]:
        """Jobs running or waiting, oldest first: what a queue panel shows."""
        with self._lock:
            return list(self.jobs)

    def cancel_all(self) -> None:
        for job in self.active():
            job.cancel()

    def shutdown(self, wait: bool = True, *, cancel: bool = True) -> None:
        """Take no more jobs and cancel the ones given (unless ``cancel`` is False: they run
        to their end); with ``wait``, return once the lanes' threads have ended.

        Jobs still waiting when cancelled are finished as cancelled (their listeners hear
        it), never dropped.
        """
        if cancel:
            self.cancel_all()
        self._gpu.close(wait=wait)
        self._cpu.close(wait=wait)
