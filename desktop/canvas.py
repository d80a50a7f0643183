"""The canvas: the picture with zoom, pan, before/after and the mask overlay.

It draws from a downscaled preview (at most ``PREVIEW_EDGE`` pixels on a side) whenever
the zoom lets it, and from the full-resolution picture only for the visible part when
zoomed in past the preview, so a 50 MP image stays fluid. Both are made off the UI
thread by :func:`render`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from packshot.core.image import Image

from .document import Document, preview_of
from .picture_stats import clipping, histogram

ZOOM_STEP = 1.15
MIN_ZOOM, MAX_ZOOM = 0.01, 32.0
MASK_COLOUR = (255, 64, 64)
CLIP_COLOURS = ((255, 40, 40, 255), (40, 110, 255, 255))  # blown highlights, blocked shadows


def to_qimage(pixels: np.ndarray) -> QImage:
    """A QImage that owns a copy of 8-bit RGB/RGBA pixels."""
    pixels = np.ascontiguousarray(pixels if pixels.dtype == np.uint8 else (pixels >> 8).astype(np.uint8))
    h, w, c = pixels.shape
    fmt = QImage.Format.Format_RGBA8888 if c == 4 else QImage.Format.Format_RGB888
    return QImage(pixels.data, w, h, w * c, fmt).copy()


@dataclass
class Rendered:
    """What the canvas draws for one picture: its preview and (if larger) its full pixels."""

    width: int
    height: int
    preview: QImage
    full: QImage | None = None
    alpha: bool = False
    histogram: np.ndarray | None = None  # 3 x 256 counts of the preview (the Info panel)
    clipped: tuple[float, float] = (0.0, 0.0)  # shares of blown highlights and blocked shadows
    clipping: QImage | None = None  # red highlights, blue shadows over the preview (J)

    @property
    def preview_scale(self) -> float:
        return self.preview.width() / self.width


def render(image: Image, size: tuple[int, int] | None = None) -> Rendered:
    """Make the QImages for a picture; safe to call from a worker thread.

    A picture with a wide-gamut profile (Adobe RGB, ProPhoto...) is converted to sRGB for
    display, so colours are judged right on an sRGB screen; its pixels are not changed.
    ``size`` (width, height) draws a reduced copy (a live preview's proxy, the render
    cache's screen-sized copy) in the place of the full picture it stands for, so zoom,
    overlays and the before/after split stay where they were; it must keep the aspect.
    """
    from packshot.core.icc import is_srgb, to_srgb

    managed = not is_srgb(image.icc_profile)
    preview = image.with_pixels(preview_of(image.pixels))
    if managed:
        preview = to_srgb(preview)
    if size is not None and _same_aspect(size, (image.width, image.height)):
        return Rendered(size[0], size[1], to_qimage(preview.pixels), None, image.has_alpha)
    full = None
    if preview.pixels.shape[:2] != image.pixels.shape[:2]:
        full = to_qimage((to_srgb(image) if managed else image).pixels)
    pixels = preview.pixels if preview.pixels.dtype == np.uint8 else (preview.pixels >> 8).astype(np.uint8)
    highlights, shadows = clipping(pixels)
    marks = np.zeros((*pixels.shape[:2], 4), np.uint8)
    marks[highlights] = CLIP_COLOURS[0]
    marks[shadows] = CLIP_COLOURS[1]
    return Rendered(image.width, image.height, to_qimage(preview.pixels), full, image.has_alpha,
                    histogram(pixels), (float(highlights.mean()), float(shadows.mean())), to_qimage(marks))


def _same_aspect(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether a reduced copy of size ``b`` can stand for a picture of size ``a`` (rounding allowed)."""
    return abs(a[0] / a[1] - b[0] / b[1]) <= 2.0 / min(b)


def checkerboard(cell: int = 8) -> QBrush:
    tile = QPixmap(cell * 2, cell * 2)
    tile.fill(QColor(102, 102, 102))
    p = QPainter(tile)
    p.fillRect(0, 0, cell, cell, QColor(153, 153, 153))
    p.fillRect(cell, cell, cell, cell, QColor(153, 153, 153))
    p.end()
    return QBrush(tile)


class Canvas(QWidget):
    """Shows a document's current picture; paints its mask when a mask tool is active."""

    zoomChanged = Signal(float)
    maskPainted = Signal()
    healClicked = Signal(float, float)  # the spot-heal tool's click, in image pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 150)
        self.document: Document | None = None
        self.after: Rendered | None = None
        self.before: Rendered | None = None
        self.zoom = 1.0
        self.offset = QPointF(0, 0)
        self.fitted = True
        self.show_before = False
        self.split: float | None = None  # 0..1 across the widget, None: no split
        self.tool = "hand"  # hand | brush | eraser | heal
        self.brush_size = 40.0
        self.hardness = 0.8
        self.overlay_opacity = 0.5
        self.show_overlay = True  # M hides the mask overlay; painting shows it again
        self.show_clipping = False  # J: blown highlights red, blocked shadows blue
        self.space_held = False
        self._overlay: np.ndarray | None = None
        self._overlay_image: QImage | None = None
        self._drag: QPointF | None = None
        self._last_paint: tuple[float, float] | None = None
        self._cursor_pos: QPointF | None = None
        self._scaled_cache: dict[tuple[int, int, int], QImage] = {}
        self._checker = checkerboard()
        self._pick: Callable[[float, float], None] | None = None
        self._box_pick: Callable[[float, float, float, float], None] | None = None
        self._box_start: tuple[float, float] | None = None
        self._box_aspect = 0.0
        self.box: QRectF | None = None  # a crop box in image pixels, drawn with a rule-of-thirds grid
        self.placeholder = "Drop a folder or images here, or use File > Open Folder"
        self.busy: tuple[str, float] | None = None  # what works on this picture, and how far

    def set_busy(self, text: str | None, fraction: float = 0.0) -> None:
        """Say over the picture what works on it (None: nothing), with a bar for ``fraction``."""
        busy = (text, fraction) if text else None
        if busy != self.busy:
            self.busy = busy
            self.update()

    # ------------------------------------------------------------------ content

    def set_document(self, doc: Document | None) -> None:
        self.document = doc
        self.box = None
        self.after = self.before = None
        self.fitted = True
        self.refresh_overlay()
        self.update()

    def set_rendered(self, after: Rendered | None, before: Rendered | None = None) -> None:
        """Show new pictures; the zoom is kept unless the size changed or the view is fitted."""
        resized = (self.after is None or after is None
                   or (after.width, after.height) != (self.after.width, self.after.height))
        self.after = after
        if before is not None:
            self.before = before
        if resized or self.fitted:
            self.fit()
        self.refresh_overlay()
        self.update()

    # ------------------------------------------------------------------ view

    def image_size(self) -> tuple[int, int]:
        return (self.after.width, self.after.height) if self.after else (0, 0)

    def fit(self) -> None:
        w, h = self.image_size()
        if not w:
            return
        margin = 16
        self.zoom = min((self.width() - margin) / w, (self.height() - margin) / h, MAX_ZOOM)
        self.zoom = max(self.zoom, MIN_ZOOM)
        self.offset = QPointF((self.width() - w * self.zoom) / 2, (self.height() - h * self.zoom) / 2)
        self.fitted = True
        self.zoomChanged.emit(self.zoom)
        self.update()

    def actual_pixels(self) -> None:
        """100 %: one image pixel per screen pixel, keeping the point under the pointer in place
        (the view's centre when the pointer is elsewhere), as Lightroom's Z does."""
        pointer = self._cursor_pos  # followed while the pointer is over the canvas
        self.zoom_to(1.0, pointer if pointer is not None else QPointF(self.width() / 2, self.height() / 2))
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        """Panning stops at the picture's edge: a picture larger than the view always fills it, a
        smaller one stays wholly inside it."""
        w, h = self.image_size()
        room_x, room_y = self.width() - w * self.zoom, self.height() - h * self.zoom
        self.offset = QPointF(min(max(self.offset.x(), min(0.0, room_x)), max(0.0, room_x)),
                              min(max(self.offset.y(), min(0.0, room_y)), max(0.0, room_y)))

    def toggle_zoom(self) -> None:
        """Z: between fit and 100 %."""
        if self.fitted:
            self.actual_pixels()
        else:
            self.fit()

    def zoom_to(self, zoom: float, anchor: QPointF) -> None:
        """Zoom keeping the image point under ``anchor`` (widget coordinates) in place."""
        zoom = min(max(zoom, MIN_ZOOM), MAX_ZOOM)
        image_point = (anchor - self.offset) / self.zoom
        self.zoom = zoom
        self.offset = anchor - image_point * zoom
        self.fitted = False
        self.zoomChanged.emit(self.zoom)
        self.update()

    def to_image(self, pos: QPointF) -> tuple[float, float]:
        p = (pos - self.offset) / self.zoom
        return p.x(), p.y()

    def set_show_before(self, on: bool) -> None:
        self.show_before = on
        self.update()

    def set_split(self, fraction: float | None) -> None:
        self.split = fraction
        self.update()

    def set_clipping_visible(self, on: bool) -> None:
        self.show_clipping = on
        self.update()

    def set_overlay_visible(self, on: bool) -> None:
        self.show_overlay = on
        self.update()

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        if tool in ("brush", "eraser"):
            self.show_overlay = True  # one paints what one sees
        self.setCursor(Qt.CursorShape.OpenHandCursor if tool == "hand" else Qt.CursorShape.CrossCursor)
        self.update()

    # ------------------------------------------------------------------ mask overlay

    def refresh_overlay(self, box: tuple[int, int, int, int] | None = None) -> None:
        """Rebuild the overlay (at preview resolution) from the document's mask, or one box of it."""
        doc = self.document
        if (doc is None or doc.mask is None or self.after is None
                or doc.mask.shape != (self.after.height, self.after.width)):
            self._overlay = self._overlay_image = None
            self.update()
            return
        pw, ph = self.after.preview.width(), self.after.preview.height()
        if self._overlay is None or self._overlay.shape[:2] != (ph, pw) or box is None:
            self._overlay = np.zeros((ph, pw, 4), np.uint8)
            self._overlay[..., :3] = MASK_COLOUR
            box = (0, 0, self.after.width, self.after.height)
        sx, sy = self.after.width / pw, self.after.height / ph
        px0, py0 = int(box[0] / sx), int(box[1] / sy)
        px1, py1 = min(int(np.ceil(box[2] / sx)), pw), min(int(np.ceil(box[3] / sy)), ph)
        if px1 > px0 and py1 > py0:
            ys = np.minimum(((np.arange(py0, py1) + 0.5) * sy).astype(int), self.after.height - 1)
            xs = np.minimum(((np.arange(px0, px1) + 0.5) * sx).astype(int), self.after.width - 1)
            self._overlay[py0:py1, px0:px1, 3] = (doc.mask[np.ix_(ys, xs)] * 255 + 0.5).astype(np.uint8)
        self._overlay_image = QImage(self._overlay.data, pw, ph, pw * 4, QImage.Format.Format_RGBA8888)
        self.update()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(38, 38, 38))
        if self.after is None:
            p.setPen(QColor(150, 150, 150))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self.zoom < 2.0)
        target = QRectF(self.offset.x(), self.offset.y(), self.after.width * self.zoom, self.after.height * self.zoom)
        main = self.before if (self.show_before and self.before) else self.after
        if main.alpha:  # transparency shows as a checkerboard, as in every editor
            p.fillRect(target.intersected(QRectF(self.rect())), self._checker)
        self._draw(p, main, target)
        if self.split is not None and self.before is not None and not self.show_before:
            x = self.width() * self.split
            p.save()
            p.setClipRect(QRectF(0, 0, x, self.height()))
            self._draw(p, self.before, target)
            p.restore()
            p.setPen(QPen(QColor(230, 230, 230), 1))
            p.drawLine(QPointF(x, 0), QPointF(x, self.height()))
            p.drawText(QPointF(x - 60, 18), "before")
            p.drawText(QPointF(x + 10, 18), "after")
        if self.show_clipping and main.clipping is not None:
            p.drawImage(target, main.clipping)
        if self._overlay_image is not None and self.show_overlay and not self.show_before:
            p.setOpacity(self.overlay_opacity)
            p.drawImage(target, self._overlay_image)
            p.setOpacity(1.0)
        if self.show_before:
            p.setPen(QColor(230, 230, 230))
            p.drawText(QPointF(12, 20), "Before (original)")
        if self.tool != "hand" and self._cursor_pos is not None:
            p.setPen(QPen(QColor(240, 240, 240), 1))
            r = self.brush_size / 2 * self.zoom
            p.drawEllipse(self._cursor_pos, r, r)
        if self.box is not None:
            self._draw_box(p, QRectF(self.offset + self.box.topLeft() * self.zoom, self.box.size() * self.zoom))
        if self.busy is not None:
            self._draw_busy(p, *self.busy)

    def _draw_box(self, p: QPainter, box: QRectF) -> None:
        """A crop box: the outside dimmed, a light frame, and the rule-of-thirds grid inside."""
        p.save()
        outside = QPainterPath()
        outside.addRect(QRectF(self.rect()))
        inside = QPainterPath()
        inside.addRect(box)
        p.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 140))
        p.setPen(QPen(QColor(240, 240, 240, 150), 1))
        for i in (1, 2):
            x, y = box.left() + box.width() * i / 3, box.top() + box.height() * i / 3
            p.drawLine(QPointF(x, box.top()), QPointF(x, box.bottom()))
            p.drawLine(QPointF(box.left(), y), QPointF(box.right(), y))
        p.setPen(QPen(QColor(245, 245, 245), 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(box)
        p.restore()

    def _draw_busy(self, p: QPainter, text: str, fraction: float) -> None:
        """A dark card in the middle of the view: the job's line, a bar, and how to cancel."""
        width = min(max(p.fontMetrics().horizontalAdvance(text) + 48, 300), self.width() - 24)
        card = QRectF((self.width() - width) / 2, (self.height() - 74) / 2, width, 74)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(24, 24, 24, 215))
        p.drawRoundedRect(card, 6, 6)
        p.setPen(QColor(235, 235, 235))
        p.drawText(card.adjusted(16, 10, -16, -44), Qt.AlignmentFlag.AlignCenter,
                   p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(card.width()) - 32))
        bar = QRectF(card.left() + 16, card.top() + 36, card.width() - 32, 6)
        p.setBrush(QColor(60, 60, 60))
        p.drawRoundedRect(bar, 3, 3)
        p.setBrush(QColor(200, 200, 200))
        p.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * min(max(fraction, 0.0), 1.0), 6), 3, 3)
        p.setPen(QColor(160, 160, 160))
        p.drawText(card.adjusted(16, 48, -16, -6), Qt.AlignmentFlag.AlignCenter, "Esc to cancel")

    def _draw(self, p: QPainter, pic: Rendered, target: QRectF) -> None:
        if pic.full is None or self.zoom <= pic.preview_scale * 1.001:
            if self.zoom < pic.preview_scale * 0.999:
                p.drawImage(target.topLeft(), self._scaled(pic.preview, target))
            else:
                p.drawImage(target, pic.preview)
            return
        visible = target.intersected(QRectF(self.rect()))
        if visible.isEmpty():
            return
        source = QRectF((visible.x() - self.offset.x()) / self.zoom, (visible.y() - self.offset.y()) / self.zoom,
                        visible.width() / self.zoom, visible.height() / self.zoom)
        p.drawImage(visible, pic.full, source)

    def _scaled(self, image: QImage, target: QRectF) -> QImage:
        """The preview smoothly scaled to the view once per zoom, so repaints only copy pixels."""
        key = (image.cacheKey(), max(round(target.width()), 1), max(round(target.height()), 1))
        if key not in self._scaled_cache:
            if len(self._scaled_cache) >= 2:  # after and before
                self._scaled_cache.pop(next(iter(self._scaled_cache)))
            self._scaled_cache[key] = image.scaled(key[1], key[2], Qt.AspectRatioMode.IgnoreAspectRatio,
                                                   Qt.TransformationMode.SmoothTransformation)
        return self._scaled_cache[key]

    # ------------------------------------------------------------------ input

    def resizeEvent(self, event) -> None:
        if self.fitted:
            self.fit()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_to(self.zoom * ZOOM_STEP ** steps, event.position())
        event.accept()

    def _panning(self, event: QMouseEvent) -> bool:
        return bool(event.buttons() & Qt.MouseButton.MiddleButton) or self.space_held or self.tool == "hand"

    def pick_point(self, callback: Callable[[float, float], None]) -> None:
        """Let the next left click on the picture report its image coordinates to ``callback``."""
        self._pick = callback
        self.setCursor(Qt.CursorShape.CrossCursor)

    def pick_box(self, callback: Callable[[float, float, float, float], None], aspect: float = 0.0) -> None:
        """Let the next left-button drag on the picture draw a box (of width / height ``aspect``, when
        above 0); ``callback(x0, y0, x1, y1)`` in image pixels."""
        self._box_pick = callback
        self._box_aspect = aspect
        self.box = None
        self.setCursor(Qt.CursorShape.CrossCursor)

    def show_box(self, box: QRectF | None) -> None:
        self.box = box
        self.update()

    def _dragged_box(self, end: tuple[float, float]) -> QRectF:
        """From the drag's start to ``end``, shrunk to the chosen aspect and kept inside the picture."""
        (x0, y0), (x1, y1) = cast(tuple[float, float], self._box_start), end  # set while a box is dragged
        w, h = abs(x1 - x0), abs(y1 - y0)
        if self._box_aspect > 0 and w and h:
            w, h = (h * self._box_aspect, h) if w / h > self._box_aspect else (w, w / self._box_aspect)
        return QRectF(QPointF(x0, y0), QPointF(x0 + w * (1 if x1 >= x0 else -1),
                                                 y0 + h * (1 if y1 >= y0 else -1))).normalized()

    def _clamped(self, pos: QPointF) -> tuple[float, float]:
        x, y = self.to_image(pos)
        w, h = self.image_size()
        return min(max(x, 0.0), float(w)), min(max(y, 0.0), float(h))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()
        if self._box_pick is not None and event.button() == Qt.MouseButton.LeftButton and self.after is not None:
            self._box_start = self._clamped(event.position())
            self.show_box(QRectF(QPointF(*self._box_start), QPointF(*self._box_start)))
            return
        if self._pick is not None and event.button() == Qt.MouseButton.LeftButton and self.after is not None:
            callback, self._pick = self._pick, None
            self.set_tool(self.tool)
            callback(*self.to_image(event.position()))
            return
        if self._panning(event):
            self._drag = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif event.button() == Qt.MouseButton.LeftButton and self.tool == "heal" and self.after is not None:
            self.healClicked.emit(*self.to_image(event.position()))
        elif event.button() == Qt.MouseButton.LeftButton and self.document is not None and self.after is not None:
            point = self.to_image(event.position())
            self.show_overlay = True
            self._last_paint = point
            self._paint_to(point)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._cursor_pos = event.position()
        if self._box_start is not None:
            self.show_box(self._dragged_box(self._clamped(event.position())))
            return
        if self._drag is not None:
            self.offset += event.position() - self._drag
            self._keep_in_view()
            self._drag = event.position()
            self.fitted = False
        elif self._last_paint is not None:
            self._paint_to(self.to_image(event.position()))
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._box_start is not None and self._box_pick is not None:
            callback, self._box_pick, self._box_start = self._box_pick, None, None
            self.set_tool(self.tool)
            if self.box is not None and self.box.width() >= 1 and self.box.height() >= 1:
                callback(self.box.left(), self.box.top(), self.box.right(), self.box.bottom())
            return
        if self._drag is not None:
            self._drag = None
            self.set_tool(self.tool)
        if self._last_paint is not None:
            self._last_paint = None
            self.maskPainted.emit()

    def leaveEvent(self, event) -> None:
        self._cursor_pos = None
        self.update()

    def _paint_to(self, point: tuple[float, float]) -> None:
        assert self.document is not None and self._last_paint is not None
        box = self.document.paint(self._last_paint, point, self.brush_size / 2, self.hardness,
                                  erase=self.tool == "eraser")
        self._last_paint = point
        if box is not None:
            self.refresh_overlay(box)
