"""The editing state of one image, with no Qt: pixels, preview, mask and history.

Widgets observe a :class:`Document` and change it through its methods; the tests drive
it with no screen at all, as napari keeps its layers apart from their Qt views. The
original file is never written: edits live in the history and are saved as a sidecar
(``photo.jpg.packshot.toml``) plus the masks they used (``photo.jpg.packshot-masks/``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput, PackshotError
from packshot.core.image import Image, quantize
from packshot.core.imageio import load_image
from packshot.core.mask import as_mask, load_mask, save_mask
from packshot.core.operation import Result
from packshot.core.recipe import EditStack, Recipe, Step, apply_recipe, load_sidecar, save_sidecar, sidecar_path

PREVIEW_EDGE = 2048
MASKS_SUFFIX = ".packshot-masks"

Listener = Callable[[str], None]


def preview_of(pixels: np.ndarray, edge: int = PREVIEW_EDGE) -> np.ndarray:
    """8-bit pixels with the longest side at most ``edge``, box-averaged (for drawing)."""
    from PIL import Image as PILImage

    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    factor = math.ceil(max(pixels.shape[:2]) / edge)
    if factor <= 1:
        return np.ascontiguousarray(pixels)
    mode = "RGBA" if pixels.shape[2] == 4 else "RGB"
    return np.asarray(PILImage.fromarray(pixels, mode).reduce(factor))


# --------------------------------------------------------------------------- mask painting


def stamp(mask: np.ndarray, x: float, y: float, radius: float, hardness: float = 0.8,
          erase: bool = False) -> tuple[int, int, int, int] | None:
    """Paint (or erase) one round dab into ``mask`` in place; returns the changed box.

    ``hardness`` 1 gives a crisp disc with a one-pixel anti-aliased rim, 0 a cone that
    fades from the centre. The box is (x0, y0, x1, y1), exclusive, or None off-image.
    """
    h, w = mask.shape
    r = max(float(radius), 0.5)
    x0, x1 = max(int(math.floor(x - r)), 0), min(int(math.ceil(x + r)) + 1, w)
    y0, y1 = max(int(math.floor(y - r)), 0), min(int(math.ceil(y + r)) + 1, h)
    if x0 >= x1 or y0 >= y1:
        return None
    yy, xx = np.ogrid[y0:y1, x0:x1]
    d = np.hypot(xx + 0.5 - x, yy + 0.5 - y)
    rim = max(r * (1.0 - min(max(hardness, 0.0), 1.0)), 1.0)
    value = np.clip((r + 0.5 - d) / rim, 0.0, 1.0).astype(np.float32)
    region = mask[y0:y1, x0:x1]
    if erase:
        np.minimum(region, 1.0 - value, out=region)
    else:
        np.maximum(region, value, out=region)
    return x0, y0, x1, y1


def stroke(mask: np.ndarray, a: tuple[float, float], b: tuple[float, float], radius: float,
           hardness: float = 0.8, erase: bool = False) -> tuple[int, int, int, int] | None:
    """Dabs from ``a`` to ``b`` a quarter radius apart, so fast strokes leave no gaps."""
    spacing = max(radius * 0.25, 1.0)
    steps = max(int(math.hypot(b[0] - a[0], b[1] - a[1]) / spacing), 1)
    box: tuple[int, int, int, int] | None = None
    for i in range(steps + 1):
        t = i / steps
        dab = stamp(mask, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, radius, hardness, erase)
        if dab is not None:
            box = dab if box is None else (min(box[0], dab[0]), min(box[1], dab[1]),
                                           max(box[2], dab[2]), max(box[3], dab[3]))
    return box


# --------------------------------------------------------------------------- document


class Document:
    """One image and its edits.

    ``images[i]`` is the picture after the first ``i`` steps of ``stack``; after opening
    a sidecar only the original is computed until :meth:`replay` fills in the rest (the
    window runs it in a worker). Listeners hear ``"image"``, ``"mask"`` and
    ``"history"`` when those change.
    """

    def __init__(self, image: Image, path: Path | None = None, stack: EditStack | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.original = image
        self.stack = stack if stack is not None else EditStack()
        self.images: list[Image] = [image]
        self.mask: np.ndarray | None = None
        self.result_mask: np.ndarray | None = None
        self.warning = ""
        self._unsaved_masks: dict[str, np.ndarray] = {}
        self._listeners: list[Listener] = []
        # The history as its sidecar holds it (None: not known), so that saving after every
        # event rewrites the file only when the history really changed.
        self._saved: dict[str, Any] | None = None

    @classmethod
    def open(cls, path: str | Path) -> Document:
        """Load an image and its saved history (a broken sidecar becomes a warning)."""
        path = Path(path)
        image = load_image(path)
        try:
            stack = load_sidecar(path)
            warning = ""
        except BadInput as exc:
            stack, warning = None, f"{exc}; starting a fresh history"
        doc = cls(image, path, stack)
        doc.warning = warning
        if not warning:
            doc._saved = doc.stack.to_dict()
        return doc

    # ------------------------------------------------------------------ observers

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, *events: str) -> None:
        for event in events:
            for listener in list(self._listeners):
                listener(event)

    # ------------------------------------------------------------------ state

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else "untitled"

    @property
    def cursor(self) -> int:
        return self.stack.cursor

    @property
    def ready(self) -> bool:
        """Whether the picture at the history cursor has been computed."""
        return self.stack.cursor < len(self.images)

    @property
    def current(self) -> Image:
        """The picture at the history cursor (the nearest computed one while replaying)."""
        return self.images[min(self.stack.cursor, len(self.images) - 1)]

    @property
    def steps(self) -> list[Step]:
        return list(self.stack.steps)

    def pending_steps(self) -> list[Step]:
        """Saved steps whose pictures are not computed yet."""
        return self.stack.steps[len(self.images) - 1:]

    # ------------------------------------------------------------------ history

    def apply(self, step: Step, result: Result, *, mask: np.ndarray | None = None,
              base: int | None = None) -> None:
        """Record a finished operation as the next step after ``base`` (default: the cursor).

        Steps after ``base`` (the redo tail) are dropped, as in every editor. A result
        that asks to be replayed differently (``Result.replay``) is recorded that way.
        """
        base = self.stack.cursor if base is None else base
        if base >= len(self.images):
            raise BadInput("the history is still being replayed; try again in a moment")
        if result.replay:
            step = Step.from_dict({"seed": step.seed, **result.replay}, where=step.op)
        if mask is not None and step.mask is None:
            step.mask = self._remember_mask(mask)
        self.stack.go_to(base)
        self.stack.push(step)
        del self.images[base + 1:]
        self.images.append(result.image)
        self.result_mask = result.mask
        if self.mask is not None and self.mask.shape != result.image.pixels.shape[:2]:
            self.mask = None
            self._emit("mask")
        self._emit("image", "history")

    def undo(self) -> bool:
        return self.go_to(self.stack.cursor - 1)

    def redo(self) -> bool:
        return self.go_to(self.stack.cursor + 1)

    def go_to(self, cursor: int) -> bool:
        """Move to the picture after ``cursor`` steps; False if it is out of range or not computed."""
        if not 0 <= cursor < len(self.images) or cursor > len(self.stack.steps) or cursor == self.stack.cursor:
            return False
        self.stack.go_to(cursor)
        self._emit("image", "history")
        return True

    def can_undo(self) -> bool:
        return self.stack.cursor > 0

    def can_redo(self) -> bool:
        return self.stack.cursor + 1 < len(self.images)

    # ------------------------------------------------------------------ replay

    def replay(self, host, ctx: Context | None = None) -> list[Image]:
        """Compute the pictures of the pending steps (thread-safe: changes nothing).

        Hand the list to :meth:`add_replayed` on the owning thread.
        """
        steps = self.pending_steps()
        if not steps:
            return []
        out: list[Image] = []
        apply_recipe(self.images[-1], Recipe(steps=steps), host, ctx or Context(),
                     mask_loader=self.load_step_mask,
                     on_step=lambda i, step, result: out.append(result.image))
        return out

    def add_replayed(self, images: Sequence[Image]) -> None:
        self.images.extend(images)
        self._emit("image", "history")

    def stop_replay(self) -> None:
        """Replay failed (an operation is no longer installed...): continue from the last
        computed picture. The saved steps stay in the history, beyond the cursor."""
        if self.stack.cursor >= len(self.images):
            self.stack.go_to(len(self.images) - 1)
        self._emit("image", "history")

    # ------------------------------------------------------------------ masks

    def ensure_mask(self) -> np.ndarray:
        """The painted mask, created empty at the current picture's size when missing."""
        shape = self.current.pixels.shape[:2]
        if self.mask is None or self.mask.shape != shape:
            self.mask = np.zeros(shape, np.float32)
        return self.mask

    def set_mask(self, mask: np.ndarray | None) -> None:
        self.mask = None if mask is None else as_mask(mask, self.current.pixels.shape[:2]).copy()
        self._emit("mask")

    def paint(self, a: tuple[float, float], b: tuple[float, float], radius: float,
              hardness: float = 0.8, erase: bool = False) -> tuple[int, int, int, int] | None:
        """Paint a brush (or eraser) stroke in image pixels; returns the changed box.

        No event is sent per dab (a stroke has hundreds): the painter redraws the box.
        """
        return stroke(self.ensure_mask(), a, b, radius, hardness, erase)

    def clear_mask(self) -> None:
        self.set_mask(None)

    def invert_mask(self) -> None:
        self.set_mask(1.0 - self.ensure_mask())

    def use_result_mask(self) -> bool:
        """Adopt the mask the last operation produced (a cut-out's alpha) as the painted one."""
        if self.result_mask is None or self.result_mask.shape != self.current.pixels.shape[:2]:
            return False
        self.set_mask(self.result_mask)
        return True

    def operation_mask(self) -> np.ndarray | None:
        """The painted mask as an operation gets it: at 8-bit levels, exactly as its saved PNG
        replays, so a reopened history gives the same pixels. None when nothing is painted."""
        if not self.has_mask():
            return None
        return as_mask(quantize(self.mask, np.uint8))

    def has_mask(self) -> bool:
        return self.mask is not None and bool((self.mask > 0.0).any())

    def _masks_folder_name(self) -> str:
        return f"{self.name}{MASKS_SUFFIX}"

    def _remember_mask(self, mask: np.ndarray) -> str:
        digest = hashlib.sha1(np.ascontiguousarray(mask).tobytes()).hexdigest()[:16]
        name = f"{self._masks_folder_name()}/mask-{digest}.png"
        self._unsaved_masks[name] = mask.copy()
        return name

    def load_step_mask(self, name: str, shape: tuple[int, int]) -> np.ndarray:
        """A step's mask, from memory or from the masks folder beside the image (never outside it)."""
        if name in self._unsaved_masks:
            return as_mask(self._unsaved_masks[name], shape)
        if self.path is None:
            raise BadInput(f"mask {name!r} is not available for an unsaved image")
        folder = (self.path.parent / self._masks_folder_name()).resolve()
        target = (self.path.parent / name).resolve()
        if not target.is_relative_to(folder):
            raise BadInput(f"mask {name!r} lies outside {folder.name}; refused")
        return load_mask(target, shape)

    # ------------------------------------------------------------------ saving

    def save(self) -> Path | None:
        """Write the history (and the masks its steps used) beside the image; never the image.

        None when there was nothing to write: no history, or the one already saved.
        """
        if self.path is None:
            return None
        if not self.stack.steps and not sidecar_path(self.path).exists():
            return None
        snapshot = self.stack.to_dict()
        if snapshot == self._saved:
            return None
        used = {s.mask for s in self.stack.steps if s.mask}
        for name in sorted(used & set(self._unsaved_masks)):
            target = self.path.parent / name
            target.parent.mkdir(exist_ok=True)
            save_mask(self._unsaved_masks.pop(name), target)
        written = save_sidecar(self.path, self.stack)
        self._saved = snapshot
        return written


def describe_error(exc: BaseException) -> str:
    """The one line a person sees for a failure (a PackshotError's message, else its type)."""
    if isinstance(exc, PackshotError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
