"""A text-detection network (PP-OCRv4's DBNet, exported to ONNX) run by onnxruntime.

The graph takes a 1x3xHxW BGR batch (H and W multiples of 32, pixels mapped by
(x - 0.5) / 0.5) and gives a 1x1xHxW map of how likely each pixel lies in the shrunk
core of a text line. Large pictures are shrunk to a working size and run in
overlapping tiles (the network is fully convolutional), so memory stays bounded and
watermark-sized text stays within what the network was trained on. The core is grown
back by about its own height, as DBNet's "unclip" does, so the mask covers whole
glyphs. The session comes from the model store, which caches it and lets one job at a
time run it (``store.use(name, device, open_onnx_session, kind="onnx")``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

SHORT_SIDE = 736  # the network reads text best with the shorter side at least this long
LONG_SIDE = 1920  # ...and the longer side at most this (RapidOCR's own limits)
TILE = 960
OVERLAP = 96
THRESHOLD = 0.3  # DBNet's own binarisation threshold
UNCLIP = 1.0  # the core is grown by its height: its edge lies about half a line inside the glyphs


def _probability_tile(session: Any, rgb: np.ndarray) -> np.ndarray:
    """The text probability of one float RGB tile, padded to multiples of 32 and cut back."""
    h, w = rgb.shape[:2]
    ph, pw = -h % 32, -w % 32
    x = np.pad(rgb[..., ::-1], ((0, ph), (0, pw), (0, 0)), mode="edge")
    x = np.ascontiguousarray(((x - 0.5) / 0.5).transpose(2, 0, 1)[None], np.float32)
    out = session.run(None, {session.get_inputs()[0].name: x})[0]
    return np.asarray(out, np.float32).reshape(out.shape[-2], out.shape[-1])[:h, :w]


def text_probability(session: Any, rgb: np.ndarray, progress=None) -> np.ndarray:
    """Per-pixel text probability (float32, the picture's size) for float RGB 0..1."""
    import cv2

    from packshot.core.models.tiling import tiled_apply
    from packshot.core.resample import resize

    h, w = rgb.shape[:2]
    scale = min(max(1.0, SHORT_SIDE / min(h, w)), LONG_SIDE / max(h, w))
    work = rgb.astype(np.float32, copy=False)
    if scale != 1.0:
        work = resize(work, (max(32, round(w * scale)), max(32, round(h * scale))))
    prob = tiled_apply(lambda tile: _probability_tile(session, tile), work, tile=TILE,
                       overlap=OVERLAP, progress=progress)[..., 0]
    if scale != 1.0:
        prob = cv2.resize(prob, (w, h), interpolation=cv2.INTER_AREA if scale > 1 else cv2.INTER_LINEAR)
    return prob


def text_regions(prob: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """Bool mask of the text lines: each core above ``threshold`` grown by UNCLIP of its
    height (its shorter box side), so the whole glyphs are inside."""
    import cv2

    core = (prob > threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    out = np.zeros(prob.shape, bool)
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        grow = max(1, round(UNCLIP * min(w, h)))
        y0, y1 = max(0, y - grow), min(prob.shape[0], y + h + grow)
        x0, x1 = max(0, x - grow), min(prob.shape[1], x + w + grow)
        piece = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
        out[y0:y1, x0:x1] |= cv2.dilate(piece, disc) > 0
    return out
