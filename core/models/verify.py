"""Is a file what its catalogue entry says? And what is a file no catalogue knows?

A file installed under a catalogue name must match the entry's sha256 and size (or the
publisher's md5 where that is all there is); where the catalogue has no checksum, at
least the architecture, scale and input channels spandrel detects (or, for ONNX, the
graph's input and output shapes) must match what the entry declares. Refusals say what
the file actually is. Unknown files become custom models filed under the task they were
trained for, or the one ``--task`` names.
"""

from __future__ import annotations

import re
from collections.abc import Container
from pathlib import Path
from typing import Any

from ..errors import BadInput
from .catalogue import DEFAULT_RANK, TASKS, CatalogueEntry
from .checksum import md5_file
from .identify import (
    FAMILIES,
    NOUNS,
    Identity,
    declared,
    fixed_side,
    from_descriptor,
    identify,
    identify_onnx,
    image_graph_problem,
)

IMAGE_GRAPH_TASKS = ("cutout", "text")


def check_catalogue_file(entry: CatalogueEntry, source: Path, digest: str,
                         task: str | None = None, genuine: CatalogueEntry | None = None) -> None:
    """Refuse ``source`` as ``entry`` unless its checksum, or else its contents, match.

    ``genuine`` is the catalogue entry whose sha256 the file has, if any.
    """
    if genuine is not None and genuine.name != entry.name:
        raise BadInput(f"{source.name}: this is model {genuine.name!r} ({genuine.label}), not "
                       f"{entry.name!r}; install it without --name")
    if task and task != entry.task:
        raise BadInput(f"{source.name}: model {entry.name!r} is a {entry.task} model, not {task}")
    if entry.sha256 and digest != entry.sha256:
        raise BadInput(f"{source.name}: checksum mismatch for model {entry.name!r} (expected "
                       f"{entry.sha256}, got {digest}){_what_it_is(source)}; not installed")
    size = source.stat().st_size
    if entry.size and size != entry.size:
        raise BadInput(f"{source.name}: {size} bytes, model {entry.name!r} has {entry.size}"
                       f"{_what_it_is(source)}; not installed")
    if entry.sha256:
        return
    if entry.md5 and md5_file(source) != entry.md5:
        raise BadInput(f"{source.name}: checksum mismatch for model {entry.name!r} (not the "
                       f"publisher's md5 {entry.md5}){_what_it_is(source)}; not installed")
    if entry.loader == "spandrel":
        problem = _mismatch(entry, identify(source))
        if problem:
            raise BadInput(f"{source.name}: {problem}; not installed as {entry.name!r}")
    elif entry.loader == "onnx" and entry.task in IMAGE_GRAPH_TASKS:
        problem = image_graph_problem(identify_onnx(source), entry.task)
        if problem:
            raise BadInput(f"{source.name}: not a {NOUNS[entry.task]}: {problem}; "
                           f"not installed as {entry.name!r}")


def check_loaded(entry: CatalogueEntry, descriptor: Any, path: Path) -> None:
    """A file put into the models folder by hand under an unchecksummed catalogue name."""
    if entry.custom or entry.sha256:
        return
    problem = _mismatch(entry, from_descriptor(descriptor))
    if problem:
        raise BadInput(f"{path.name}: {problem}; it cannot run as {entry.name!r}: remove it "
                       "and install the right file")


def custom_entry(source: Path, digest: str, name: str | None, task: str | None,
                 rank: int | None, taken: Container[str]) -> CatalogueEntry:
    """A catalogue entry for a file no catalogue knows, after reading what it is."""
    if task is not None and task not in TASKS:
        raise BadInput(f"unknown task {task!r}; one of {', '.join(TASKS)}")
    identity = identify(source)
    if identity.loader == "onnx":
        task, architecture = _onnx_task(source, identity, task)
    else:
        task = task or identity.task
        problem = _task_problem(identity, task)
        if problem:
            raise BadInput(f"{source.name}: this is {identity.describe()}; {problem}")
        architecture = identity.architecture
    name = name or slug(source.stem)
    if name in taken:
        raise BadInput(f"{source.name}: the name {name!r} belongs to a catalogue model; "
                       "choose another with --name")
    return CatalogueEntry(
        name=name, file=f"custom-{name}{source.suffix.lower()}", family=FAMILIES[task], task=task,
        architecture=architecture, loader=identity.loader,
        title=f"{source.stem} ({identity.title or architecture}, custom)",
        size=source.stat().st_size, sha256=digest, scale=identity.scale,
        channels=identity.channels, rank=DEFAULT_RANK if rank is None else int(rank),
        source=str(source), custom=True, verified=False,
        unverified_reason="installed from a local file, not from a catalogue",
        notes=identity.describe(task) + (f" ({', '.join(identity.tags)})" if identity.tags else ""))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "model"


def _mismatch(entry: CatalogueEntry, identity: Identity) -> str:
    same = ((not entry.architecture or identity.architecture.lower() == entry.architecture.lower())
            and identity.scale == entry.scale
            and (not entry.channels or identity.channels == entry.channels))
    if same:
        return ""
    return (f"this is {identity.describe()}, not "
            f"{declared(entry.architecture, entry.task, entry.scale)}")


def _task_problem(identity: Identity, task: str) -> str:
    if task in IMAGE_GRAPH_TASKS:
        return f"{task} models are ONNX graphs"
    if task == "inpaint" and identity.purpose != "Inpainting":
        return "it does not inpaint"
    if task != "inpaint" and identity.purpose == "Inpainting":
        return f"an inpainting network cannot {task}"
    if task == "upscale" and identity.scale == 1:
        return "it does not enlarge (1x)"
    if task in ("denoise", "restore") and identity.scale != 1:
        return f"it enlarges {identity.scale}x, so it cannot {task} a picture in place"
    return ""


def _onnx_task(source: Path, identity: Identity, task: str | None) -> tuple[str, str]:
    if task not in IMAGE_GRAPH_TASKS:
        raise BadInput(f"{source.name}: an ONNX model not in the catalogue needs --task cutout or "
                       "--task text (what it detects cannot be read from the graph)")
    problem = image_graph_problem(identity, task)
    if problem:
        raise BadInput(f"{source.name}: cannot be a {NOUNS[task]}: {problem}")
    if task == "text":
        return task, "dbnet"
    return task, "isnet" if fixed_side(identity) == 1024 else "u2net"


def _what_it_is(source: Path) -> str:
    """``; this file is a ...`` for a refusal's message (nothing for formats not read here)."""
    from .safe_load import WEIGHT_SUFFIXES

    if source.suffix.lower() not in (*WEIGHT_SUFFIXES, ".onnx"):
        return ""
    try:
        return f"; this file is {identify(source).describe()}"
    except BadInput:
        return "; it is not a network any reader here recognises"
