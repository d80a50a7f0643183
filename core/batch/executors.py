"""Where batch tasks run: in this process, in a local process pool, or on a Ray cluster.

Each executor yields an :class:`~packshot.core.batch.worker.Outcome` per task as they finish and
keeps only a bounded number of tasks in flight, so memory stays bounded on a long batch.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from ..errors import BadParameter
from .worker import Outcome, Task, process

if TYPE_CHECKING:
    from ..plugin_host import PluginHost

EXECUTORS = ("local", "ray")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_inline(tasks: Sequence[Task], host: PluginHost | None = None, models: Any = None) -> Iterator[Outcome]:
    """In this process, one after another (tests, the desktop's job lane, one-file batches)."""
    for task in tasks:
        yield process(task, host, models)


def _start_method():
    """Fork where it is safe (Linux, no other thread running): workers start in milliseconds.
    Spawn otherwise, since forking a process with threads (Qt, torch) can deadlock."""
    import sys
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _drain(pool, pending: list[Task], in_flight: dict, hit: list[Task], workers: int) -> Iterator[Outcome]:
    """Keep at most two tasks per worker queued; stop at the first dead worker (``hit``)."""
    while (pending or in_flight) and not hit:
        while pending and len(in_flight) < 2 * workers:
            task = pending.pop()
            in_flight[pool.submit(process, task)] = task
        finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
        for future in finished:
            task = in_flight.pop(future)
            try:
                yield future.result()
            except BrokenProcessPool:
                hit.append(task)


def run_pool(tasks: Sequence[Task], workers: int) -> Iterator[Outcome]:
    """In a pool of ``workers`` processes. A worker that dies (a crashing decoder) is
    replaced; a task caught in two such deaths is reported failed, the rest carry on."""
    pending = list(reversed(tasks))
    crashes: dict[int, int] = {}
    ctx = _start_method()
    while pending:
        hit: list[Task] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            in_flight: dict[Future, Task] = {}
            try:
                yield from _drain(pool, pending, in_flight, hit, workers)
            except GeneratorExit:  # the caller stopped (cancel): drop what has not started
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            hit.extend(in_flight.values())
        for task in hit:
            crashes[task.index] = crashes.get(task.index, 0) + 1
            if crashes[task.index] >= 2:
                yield Outcome(task.index, task.source, task.output, "failed",
                              error="the worker process died while working on this file")
            else:
                pending.append(task)
        pending.sort(key=lambda t: -t.index)


def run_ray(tasks: Sequence[Task], address: str | None = None) -> Iterator[Outcome]:
    """On a Ray cluster (``address``; None starts a local one), one Ray task per file."""
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
        while pending or in_flight:
            while pending and len(in_flight) < slots:
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
    except GeneratorExit:  # the caller stopped (cancel): tasks not started are dropped
        for ref in in_flight:
            ray.cancel(ref)
        raise
