"""Where batch tasks run: in this process, in a local process pool, or on a Ray cluster.

Each executor yields an :class:`~packshot.core.batch.worker.Outcome` per task as they finish and
keeps only a bounded number of tasks in flight, so memory stays bounded on a long batch.
Its ``stop()`` (a cancel) starts nothing new but still yields the tasks under way, so the
journal and the report count every file that reached the disk.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadParameter
from .worker import Outcome, Task, process
from .worker_guard import guard_worker

if TYPE_CHECKING:
    from ..plugin_host import PluginHost

EXECUTORS = ("local", "ray")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _never() -> bool:
    return False


def run_inline(tasks: Sequence[Task], host: PluginHost | None = None, models: Any = None,
               stop: Callable[[], bool] = _never) -> Iterator[Outcome]:
    """In this process, one after another (tests, the desktop's job lane)."""
    for task in tasks:
        if stop():
            return
        yield process(task, host, models)


def _start_method():
    """Fork where it is safe (Linux, no other thread running): workers start in milliseconds.
    Spawn otherwise, since forking a process with threads (Qt, torch) can deadlock."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_pool(tasks: Sequence[Task], workers: int, stop: Callable[[], bool] = _never) -> Iterator[Outcome]:
    """In a pool of ``workers`` processes; after ``stop()`` nothing new starts and the files
    under way finish. A worker that dies (a plugin or decoder crashing its process) breaks
    the pool and every file in flight with it: those are rerun one at a time, so only the
    file that kills its process fails, and the rest go on in a fresh pool."""
    pending = list(reversed(tasks))
    ctx = _start_method()
    while pending and not stop():
        suspects = yield from _pooled(pending, workers, ctx, stop)
        yield from _one_by_one(suspects, ctx, stop)


def _pool(workers: int, ctx) -> ProcessPoolExecutor:
    # Workers are started by the calling thread, which outlives them: the parent-death
    # signal they ask for fires when that thread ends.
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=start_worker,
                               initargs=(os.getpid(), max(1, default_workers() // workers)))


def start_worker(parent: int, threads: int) -> None:
    """Pool initializer: the worker belongs to its batch (:func:`guard_worker`) and uses its
    share of the cores. libvips and OpenMP start a thread per core by default, so two
    workers on two cores would otherwise run four pipelines at once. The setting reaches
    what the worker loads itself; a library its parent had running before the fork keeps
    its threads (resizing a thread pool copied by fork can deadlock)."""
    guard_worker(parent)
    os.environ["VIPS_CONCURRENCY"] = os.environ["OMP_NUM_THREADS"] = str(threads)


def _pooled(pending: list[Task], workers: int, ctx, stop: Callable[[], bool]) -> Generator[Outcome, None, list[Task]]:
    """Run ``pending`` (popped from the end), at most two per worker queued, until it is
    empty, ``stop()``, or a worker dies; returns the tasks in flight at that death."""
    in_flight: dict[Future, Task] = {}
    with _pool(workers, ctx) as pool, _killed_on_abort(pool):
        while in_flight or (pending and not stop()):
            while pending and not stop() and len(in_flight) < 2 * workers:
                task = pending.pop()
                in_flight[pool.submit(process, task)] = task
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            if any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
                finished, _ = wait(in_flight)  # a broken pool fails every future at once
            suspects = []
            for future in finished:
                task = in_flight.pop(future)
                if isinstance(future.exception(), BrokenProcessPool):
                    suspects.append(task)
                else:
                    yield future.result()
            if suspects:
                return sorted(suspects, key=lambda t: t.index)
    return []


def _one_by_one(suspects: list[Task], ctx, stop: Callable[[], bool]) -> Iterator[Outcome]:
    """Each task alone in a one-worker pool: a death now is that file's own."""
    while suspects and not stop():
        with _pool(1, ctx) as pool, _killed_on_abort(pool):
            while suspects and not stop():
                task = suspects.pop(0)
                future = pool.submit(process, task)
                if isinstance(future.exception(), BrokenProcessPool):  # waits for it
                    yield _failed(task, "the worker process died while working on this file "
                                        "(a crash in a plugin or an image decoder)")
                    break  # this pool is broken: the next task gets a fresh one
                yield future.result()


def _failed(task: Task, reason: str) -> Outcome:
    return Outcome(task.index, task.source, task.output, "failed", error=f"{Path(task.source).name}: {reason}")


@contextmanager
def _killed_on_abort(pool: ProcessPoolExecutor) -> Iterator[None]:
    """If the run is abandoned (a second Ctrl+C, an error), stop the workers now, mid-file:
    their temporary files are removed by the next run into the folder."""
    try:
        yield
    except BaseException:
        kill = getattr(pool, "kill_workers", None)  # Python 3.14
        if kill is not None:
            kill()
        else:
            for proc in list((pool._processes or {}).values()):
                proc.kill()
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def run_ray(tasks: Sequence[Task], address: str | None = None,
            stop: Callable[[], bool] = _never) -> Iterator[Outcome]:
    """On a Ray cluster (``address``; None starts a local one), one Ray task per file;
    after ``stop()`` nothing new starts and the tasks under way finish."""
    try:
        import ray
    except ImportError as exc:
        raise BadParameter("--executor ray needs Ray: pip install 'packshot[ray]'") from exc
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 ignore_reinit_error=True)
    remote = ray.remote(process)
    slots = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
    pending = list(reversed(tasks))
    in_flight: dict = {}
    try:
        while in_flight or (pending and not stop()):
            while pending and not stop() and len(in_flight) < slots:
                task = pending.pop()
                in_flight[remote.remote(task)] = task
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                task = in_flight.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as exc:  # a lost node or a dead worker: this file failed, the batch goes on
                    outcome = Outcome(task.index, task.source, task.output, "failed",
                                      error=f"Ray task failed: {type(exc).__name__}: {exc}")
                yield outcome
    except BaseException:  # the run is abandoned (a second Ctrl+C, an error): stop what runs
        for ref in in_flight:
            ray.cancel(ref)
        raise
