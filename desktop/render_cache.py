"""The window's cache of drawn pictures: the QImages of the few pictures shown last.

Rendering a 50 MP picture for the screen takes a while, so it happens in a worker and
the result is kept here, keyed by the picture object itself (an edit makes a new
:class:`packshot.core.image.Image`, so a stale render is never found). Only the newest
``size`` renders are kept; a picture being rendered is marked so it is not started twice.
"""

from __future__ import annotations

from collections import OrderedDict

from packshot.core.image import Image

from .canvas import Rendered

RENDER_CACHE = 8


class RenderCache:
    """Renders of the newest pictures, least recently stored dropped first."""

    def __init__(self, size: int = RENDER_CACHE) -> None:
        self.size = size
        self._rendered: OrderedDict[int, tuple[Image, Rendered]] = OrderedDict()
        self._rendering: set[int] = set()

    def get(self, image: Image) -> Rendered | None:
        hit = self._rendered.get(id(image))
        return hit[1] if hit is not None and hit[0] is image else None

    def put(self, image: Image, rendered: Rendered) -> None:
        self._rendering.discard(id(image))
        self._rendered[id(image)] = (image, rendered)
        self._rendered.move_to_end(id(image))
        while len(self._rendered) > self.size:
            self._rendered.popitem(last=False)

    def claim(self, image: Image) -> bool:
        """Mark ``image`` as being rendered; False if it is cached or already under way."""
        if self.get(image) is not None or id(image) in self._rendering:
            return False
        self._rendering.add(id(image))
        return True

    def release(self, image: Image) -> None:
        """Its render failed: a later look may try again."""
        self._rendering.discard(id(image))
