"""The editing state of one image, with no Qt: pixels, preview, mask and history.

Widgets observe a :class:`Document` and change it through its methods; the tests drive
it with no screen at all, as napari keeps its layers apart from their Qt views. The
original file is never written: edits live in the history and are saved as a sidecar
(``photo.jpg.packshot.toml``) plus the masks they used (``photo.jpg.packshot-masks/``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from packshot.core.errors import BadInput, PackshotError
from packshot.core.image import Image, quantize
from packshot.core.imageio import load_image
from packshot.core.mask import as_mask, save_mask
from packshot.core.recipe import EditStack, Step, load_sidecar, save_sidecar, sidecar_path

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
    """One picture and its parametric edits.

    ``stack`` holds the steps (what the sidecar saves) and the undo history of changes to
    them. ``current`` is the full-resolution render of the stack, None while the session
    renders it through the render engine; ``shown`` is what the canvas draws meanwhile
    (the last render, the screen-sized copy the render cache kept, or the original).
    ``version`` counts changes, so a render that finishes after another change is not
    taken for the new one. ``editing`` is the step a person re-opened from the History
    panel: a Run of its operation changes that step. Listeners hear ``"image"``,
    ``"mask"`` and ``"history"`` when those change.
    """

    def __init__(self, image: Image, path: Path | None = None, stack: EditStack | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.original = image
        self.stack = stack if stack is not None else EditStack()
        self.current: Image | None = None if self.stack.enabled_steps() else image
        self.shown: Image = image
        self.version = 0
        self.editing: int | None = None
        self.mask: np.ndarray | None = None
        self.result_mask: np.ndarray | None = None
        self.warning = ""
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
        """Whether the render of the stack as it stands is known."""
        return self.current is not None

    @property
    def steps(self) -> list[Step]:
        return list(self.stack.steps)

    # ------------------------------------------------------------------ edits

    def change(self, edit: Callable[[EditStack], Any]) -> Any:
        """Apply one change to the stack (``edit(stack)``); its render is now unknown."""
        result = edit(self.stack)
        self._changed()
        return result

    def _changed(self) -> None:
        self.version += 1
        self.current = None if self.stack.enabled_steps() else self.original
        if self.current is not None:
            self.shown = self.current
        if self.editing is not None and self.editing > self.stack.cursor:
            self.editing = None
        self._emit("image", "history")

    def undo(self) -> bool:
        """Take back the last change to the stack (a re-adjusted step gets its old values back)."""
        return self.stack.can_undo() and self.change(lambda stack: stack.undo())

    def redo(self) -> bool:
        return self.stack.can_redo() and self.change(lambda stack: stack.redo())

    def can_undo(self) -> bool:
        return self.stack.can_undo()

    def can_redo(self) -> bool:
        return self.stack.can_redo()

    def set_enabled(self, number: int, enabled: bool) -> None:
        """Show or hide step ``number``'s effect; its parameters stay."""
        self.change(lambda stack: stack.set_enabled(number, enabled))

    def delete(self, number: int) -> None:
        if self.editing is not None and self.editing >= number:
            self.editing = None if self.editing == number else self.editing - 1
        self.change(lambda stack: stack.delete(number))

    def adopt(self, stack: EditStack, image: Image, result_mask: np.ndarray | None = None) -> None:
        """Take a finished operation's stack and its render (the run changed a copy of the stack)."""
        self.stack = stack
        self.version += 1
        self.current = self.shown = image
        self.result_mask = result_mask
        if self.mask is not None and self.mask.shape != image.pixels.shape[:2]:
            self.mask = None
            self._emit("mask")
        self._emit("image", "history")

    def set_current(self, image: Image, version: int) -> bool:
        """A render of the stack as it was at ``version``; False (ignored) if it changed since."""
        if version != self.version:
            return False
        self.current = self.shown = image
        self._emit("image", "history")
        return True

    def show(self, image: Image) -> None:
        """Draw ``image`` until the render arrives (the render cache's screen-sized copy)."""
        self.shown = image
        self._emit("image")

    def stop_at(self, cursor: int) -> None:
        """The stack could not be rendered: continue from its first ``cursor`` steps. The
        others stay in the history, beyond the cursor, until a new edit replaces them."""
        self.stack.go_to(cursor)
        self._changed()

    # ------------------------------------------------------------------ masks

    def picture_shape(self) -> tuple[int, int]:
        """The height and width masks are painted at: the render's, the original's until it is known."""
        return (self.current if self.current is not None else self.original).pixels.shape[:2]

    def ensure_mask(self) -> np.ndarray:
        """The painted mask, created empty at the current picture's size when missing."""
        shape = self.picture_shape()
        if self.mask is None or self.mask.shape != shape:
            self.mask = np.zeros(shape, np.float32)
        return self.mask

    def set_mask(self, mask: np.ndarray | None) -> None:
        self.mask = None if mask is None else as_mask(mask, self.picture_shape()).copy()
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
        if self.result_mask is None or self.result_mask.shape != self.picture_shape():
            return False
        self.set_mask(self.result_mask)
        return True

    def operation_mask(self) -> np.ndarray | None:
        """The painted mask as an operation gets it: at 8-bit levels, exactly as its saved PNG
        replays, so a reopened history gives the same pixels. None when nothing is painted."""
        if self.mask is None or not self.has_mask():
            return None
        return as_mask(quantize(self.mask, np.uint8))

    def has_mask(self) -> bool:
        return self.mask is not None and bool((self.mask > 0.0).any())

    def store_mask(self, mask: np.ndarray) -> str:
        """Write a mask an operation is given into the picture's masks folder (named by its
        content, so painting the same mask again reuses the file); returns the name a step keeps.

        Written before the step runs: the render engine keys and replays steps by their files.
        """
        if self.path is None:
            raise BadInput("a mask can only be kept for a picture saved in a file")
        digest = hashlib.sha1(np.ascontiguousarray(mask).tobytes()).hexdigest()[:16]
        name = f"{self.name}{MASKS_SUFFIX}/mask-{digest}.png"
        target = self.path.parent / name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            save_mask(mask, target)
        return name

    def kept_files(self) -> set[Path]:
        """The files in the picture's masks folder (what a cancelled run must not leave behind)."""
        folder = self.path.parent / f"{self.name}{MASKS_SUFFIX}" if self.path is not None else None
        return set(folder.iterdir()) if folder is not None and folder.is_dir() else set()

    def store_file(self, source: Path) -> str:
        """Copy a step's reference picture into the masks folder (named by its content), so the
        step replays from a file that belongs to the picture; returns the name the step keeps."""
        import shutil

        if self.path is None:
            raise BadInput("a reference can only be kept for a picture saved in a file")
        digest = hashlib.sha1(Path(source).read_bytes()).hexdigest()[:16]
        name = f"{self.name}{MASKS_SUFFIX}/reference-{digest}{Path(source).suffix.lower()}"
        target = self.path.parent / name
        if not target.exists():
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, target)
        return name

    # ------------------------------------------------------------------ saving

    def save(self) -> Path | None:
        """Write the history beside the image (its masks are already there); never the image.

        None when there was nothing to write: no history, or the one already saved.
        """
        if self.path is None:
            return None
        if not self.stack.steps and not sidecar_path(self.path).exists():
            return None
        snapshot = self.stack.to_dict()
        if snapshot == self._saved:
            return None
        written = save_sidecar(self.path, self.stack)
        self._saved = snapshot
        return written


def describe_error(exc: BaseException) -> str:
    """The one line a person sees for a failure (a PackshotError's message, else its type)."""
    if isinstance(exc, PackshotError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
