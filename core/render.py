"""The render engine: a picture's edit stack replayed from the nearest cached result.

The window, ``packshot render`` and ``packshot edit`` share it. Every result is keyed
by a chain of hashes: the source file's content, then each enabled step (operation,
checked parameters, seed, the content of its mask, the providing plugin's version).
Changing step N's parameters changes the keys from N on, so the render restarts from
the cached result of step N-1; an unchanged stack finds its last result in memory or
on disk and calls no operation at all.

Full renders keep the source's bit depth and ICC profile. Proxy renders (``edge``: the
longest side in pixels) start from an 8-bit, screen-sized copy of the source, for
previews while a slider moves.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .context import Context
from .image import Image
from .imageio import load_image
from .mask import load_mask
from .recipe import EditStack, Recipe, Step, check_recipe, plain, run_step, step_file
from .render_cache import DiskCache, MemoryCache
from .resample import fit_within

if TYPE_CHECKING:
    from .plugin_host import PluginHost

PROXY_EDGE = 1600
# Smaller proxies a preview may drop to when its steps would miss the frame budget: each
# holds half the pixels of the one before. All are made from the PROXY_EDGE proxy.
PREVIEW_EDGES = (1131, 800, 566, 400)
DEFAULT_MEMORY_BYTES = 1536 * 2**20
# Part of every key: a change to how renders are made retires every cached one.
RENDER_VERSION = f"1/{__version__}"


@dataclass(frozen=True)
class Planned:
    """One enabled step of a render: its number in the stack (from 1) and the key after it."""

    number: int
    step: Step
    key: str


class RenderEngine:
    """Renders edit stacks with a memory cache for open pictures and a disk cache for final renders.

    Safe to call from several threads (the window's workers): the caches lock, and two
    renders of the same stack at once only duplicate work. ``calls`` counts the
    operations this engine has run.
    """

    def __init__(self, host: PluginHost, *, memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 disk: DiskCache | None = None) -> None:
        self.host = host
        self.memory = MemoryCache(memory_bytes)
        self.disk = disk
        self.calls = 0
        self._cost: dict[str, float] = {}  # seconds per input pixel, per operation, as last measured
        self._digests: dict[tuple[str, int, int, int], str] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public API

    def render(self, path: str | Path, stack: EditStack | None, ctx: Context | None = None, *,
               edge: int | None = None, upto: int | None = None) -> Image:
        """The picture at ``path`` after its stack (or its first ``upto`` steps).

        ``edge`` makes a proxy render whose longest side is at most ``edge`` pixels.
        Steps already rendered are taken from the caches; only the others run, through
        :func:`~.jobs.execute` with ``ctx``'s progress and cancellation.
        """
        path = Path(path)
        plan = self.plan(path, stack, edge=edge, upto=upto)
        return self._run(path, plan, ctx or Context(), edge=edge, keep_from=len(plan))

    def cached(self, path: str | Path, stack: EditStack | None, *, edge: int | None = None,
               upto: int | None = None) -> Image | None:
        """The render if it is cached and current (no operation runs, the source is not
        decoded), else None: what reopening a picture or drawing its thumbnail shows.

        With ``edge``, a proxy render of the stack, or else the screen-sized copy kept
        beside a full render (reduced further for a smaller ``edge``), or else the full
        render reduced: pictures for display, which :meth:`render` never returns.
        """
        path = Path(path)
        plan = self.plan(path, stack, edge=edge, upto=upto)
        found = self._lookup(path, plan[-1].key if plan else self.source_key(path, edge), bool(plan))
        if found is not None or edge is None or not plan:
            return found
        full_key = self.plan(path, stack, upto=upto)[-1].key
        shown_key = _hash(full_key, f"display-{int(edge)}")
        found = self._lookup(path, shown_key, on_disk=False)
        if found is None:
            display = self._lookup(path, _display_key(full_key), on_disk=True) if edge <= PROXY_EDGE else None
            larger = display if display is not None else self._lookup(path, full_key, on_disk=True)
            if larger is None:
                return None
            found = proxy_of(larger, edge)
            self.memory.put(shown_key, found, str(path))
        return found

    def preview(self, path: str | Path, stack: EditStack, number: int, params: Mapping[str, Any],
                ctx: Context | None = None, *, edge: int | None = PROXY_EDGE,
                budget: float | None = None) -> Image:
        """The render with step ``number``'s parameters set to ``params``, the stack unchanged.

        For a slider being dragged: the steps before ``number`` come from the cache, the
        results from ``number`` on are not kept (each frame has other values). Commit
        the value with ``stack.set_params`` and :meth:`render` when the slider stops.
        ``budget`` (seconds per frame) lets the proxy shrink (:data:`PREVIEW_EDGES`)
        until the steps to re-run are expected to fit, from what they cost on earlier
        frames; the window scales the smaller frame up.
        """
        path = Path(path)
        trial = EditStack(steps=list(stack.applied), cursor=stack.cursor)
        trial.set_params(number, params)
        if budget is not None and edge is not None:
            edge = self._edge_within(path, trial.applied[number - 1:], edge, budget)
        plan = self.plan(path, trial, edge=edge)
        keep = next((i for i, p in enumerate(plan) if p.number >= number), len(plan))
        return self._run(path, plan, ctx or Context(), edge=edge, keep_from=keep)

    def _edge_within(self, path: Path, steps: Sequence[Step], edge: int, budget: float) -> int:
        """The largest proxy edge (``edge`` or a smaller preview edge) whose re-run of
        ``steps`` is expected within ``budget``; ``edge`` while a step's cost is unknown."""
        costs = [self._cost.get(s.op) for s in steps if s.enabled]
        if None in costs or not costs:
            return edge
        per_pixel = sum(c for c in costs if c is not None)
        from .export import image_size

        w, h = image_size(path)
        ladder = [edge, *(e for e in PREVIEW_EDGES if e < edge)]
        for candidate in ladder:
            scale = min(candidate / max(w, h), 1.0)
            if per_pixel * (w * scale) * (h * scale) <= budget:
                return candidate
        return ladder[-1]

    def keep(self, path: str | Path, stack: EditStack, image: Image, *, upto: int) -> None:
        """Remember ``image`` as the full render of ``stack``'s first ``upto`` steps, made by the
        caller (the window runs a new step itself, for its result mask and report); kept on
        disk too when it is the whole stack's render."""
        path = Path(path)
        plan = self.plan(path, stack, upto=upto)
        if not plan:
            return
        self.memory.put(plan[-1].key, image, str(path))
        whole = self.plan(path, stack)
        if self.disk is not None and whole and whole[-1].key == plan[-1].key:
            self.disk.put(plan[-1].key, image)
            self.disk.put(_display_key(plan[-1].key), proxy_of(image, PROXY_EDGE))

    def is_cheap(self, op_id: str) -> bool:
        """Whether the operation declares itself fast enough for a live preview."""
        return bool(getattr(self.host.operation(op_id), "cheap", False))

    def forget(self, path: str | Path) -> None:
        """Drop a closed picture's results from memory (its disk render stays)."""
        self.memory.forget(str(Path(path)))

    # ------------------------------------------------------------------ keys

    def plan(self, path: Path, stack: EditStack | None, *, edge: int | None = None,
             upto: int | None = None) -> list[Planned]:
        """The enabled steps to run, each with the cache key of the picture after it."""
        applied = list(stack.applied) if stack is not None else []
        if upto is not None:
            applied = applied[:upto]
        check_recipe(Recipe(steps=applied), self.host, where=path.name)
        key = self.source_key(path, edge)
        plan = []
        for number, step in enumerate(applied, 1):
            if step.enabled:
                key = _hash(key, self._step_identity(path, step))
                plan.append(Planned(number, step, key))
        return plan

    def source_key(self, path: Path, edge: int | None) -> str:
        size = "full" if edge is None else f"proxy-{int(edge)}"
        return _hash(RENDER_VERSION, self.digest(path), size)

    def digest(self, path: Path) -> str:
        """The file's content hash (as the library computes it), remembered while its size
        and time are unchanged."""
        from .library.probe import content_hash

        st = path.stat()
        stamp = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)
        with self._lock:
            known = self._digests.get(stamp)
        if known is None:
            known = content_hash(path)
            with self._lock:
                self._digests[stamp] = known
        return known

    def _step_identity(self, path: Path, step: Step) -> str:
        op = self.host.operation(step.op)
        info = self.host.plugin_of(step.op)
        files = {name: self.digest(step_file(path, value)) for name in ("mask", "reference")
                 if (value := getattr(step, name)) is not None}
        return json.dumps({"op": step.op, "params": plain(op.validate(step.params)), "seed": step.seed,
                           "prompt": step.prompt, "files": files, "plugin": [info.name, info.version]},
                          sort_keys=True, default=str)

    # ------------------------------------------------------------------ rendering

    def _lookup(self, path: Path, key: str, on_disk: bool) -> Image | None:
        found = self.memory.get(key)
        if found is None and on_disk and self.disk is not None:
            found = self.disk.get(key)
            if found is not None:
                found = replace(found, source=path)
                self.memory.put(key, found, str(path))
        return found

    def _run(self, path: Path, plan: Sequence[Planned], ctx: Context, *, edge: int | None,
             keep_from: int) -> Image:
        """Run ``plan`` from its deepest cached result; keep the results before ``keep_from``
        in memory and, when the whole plan is kept, the final one on disk."""
        tag = str(path)
        if plan:
            final = self._lookup(path, plan[-1].key, on_disk=True)
            if final is not None:
                return final
        start, current = 0, None
        for i in range(len(plan) - 2, -1, -1):
            current = self.memory.get(plan[i].key)
            if current is not None:
                start = i + 1
                break
        if current is None:
            current = self._source(path, edge)
        todo = plan[start:]
        for k, planned in enumerate(todo):
            started = time.perf_counter()
            result = run_step(current, planned.step, planned.number, self.host,
                              ctx.sub(k / len(todo), (k + 1) / len(todo)),
                              mask_loader=lambda name, shape: load_mask(step_file(path, name), shape),
                              image_loader=lambda name: load_image(step_file(path, name)))
            with self._lock:
                self.calls += 1
                self._cost[planned.step.op] = (time.perf_counter() - started) / (current.width * current.height)
            current = result.image
            if start + k < keep_from:
                self.memory.put(planned.key, current, tag)
        if todo and keep_from == len(plan) and self.disk is not None:
            self.disk.put(plan[-1].key, current)
            if edge is None:  # and a screen-sized copy, so reopening and thumbnails read 5 MB, not 70
                self.disk.put(_display_key(plan[-1].key), proxy_of(current, PROXY_EDGE))
        return current

    def _source(self, path: Path, edge: int | None) -> Image:
        key = self.source_key(path, edge)
        image = self.memory.get(key)
        if image is None:
            if edge is None:
                image = load_image(path)
            elif edge < PROXY_EDGE:  # from the screen-sized proxy: fast, and always the same pixels
                image = proxy_of(self._source(path, PROXY_EDGE), edge)
            else:
                from .export import image_size

                w, h = image_size(path)
                scale = min(edge / max(w, h), 1.0)
                image = proxy_of(load_image(path, draft=(math.ceil(w * scale), math.ceil(h * scale))), edge)
            self.memory.put(key, image, str(path))
        return image


def proxy_of(image: Image, edge: int) -> Image:
    """An 8-bit copy whose longest side is at most ``edge`` (metadata kept), for previews."""
    from PIL import Image as PILImage

    pixels = image.pixels
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    size = fit_within(pixels.shape, edge)
    if size != (pixels.shape[1], pixels.shape[0]):
        mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
        pil = PILImage.fromarray(pixels, mode).resize(size, PILImage.Resampling.BILINEAR, reducing_gap=2.0)
        pixels = np.asarray(pil)
    return image.with_pixels(pixels)


def _display_key(full_key: str) -> str:
    """Where the screen-sized copy of a full render is kept on disk."""
    return _hash(full_key, f"display-{PROXY_EDGE}")


def _hash(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()

