"""Colour test material: a synthetic ColorChecker photograph and the cast a correction left.

For the colour tests, bench_white_balance and plugin authors measuring a colour correction
against ground truth; nothing in Packshot itself uses them.
"""

from __future__ import annotations

import numpy as np

from packshot.plugins.colour.chart_reference import COLUMNS, ROWS, reference_srgb
from packshot.plugins.colour.colour_math import angle_deg, srgb_to_linear


def chart_scene(height: int = 480, width: int = 640, patch: int = 44, tilt: float = 0.0,
                background: float = 0.5) -> np.ndarray:
    """A synthetic photograph of the chart: the 24 reference patches on a black card, float RGB.

    For tests, demos and plugin authors: a scene whose every patch colour is known.
    """
    import cv2

    gap = max(2, patch // 5)
    card_w, card_h = COLUMNS * patch + (COLUMNS + 1) * gap, ROWS * patch + (ROWS + 1) * gap
    card = np.full((card_h, card_w, 3), 0.08, np.float32)
    for i, colour in enumerate(reference_srgb()):
        r, c = divmod(i, COLUMNS)
        y, x = gap + r * (patch + gap), gap + c * (patch + gap)
        card[y:y + patch, x:x + patch] = colour
    turn: np.ndarray = cv2.getRotationMatrix2D((card_w / 2, card_h / 2), tilt, 1.0)
    turn[:, 2] += [(width - card_w) / 2, (height - card_h) / 2]
    placed = cv2.warpAffine(card, turn, (width, height), flags=cv2.INTER_AREA, borderValue=(-1, -1, -1))
    scene = np.full((height, width, 3), background, np.float32)
    inside = placed[..., 0] >= 0
    scene[inside] = placed[inside]
    return scene


def residual_cast_deg(corrected: np.ndarray, truth: np.ndarray) -> float:
    """How far a corrected image's colour balance is from the truth, in degrees.

    The per-channel ratio of linear-light sums (corrected over truth), compared with
    grey. It measures the cast left over, whatever method produced ``corrected``;
    pixels that are clipped or near black in either image are left out.
    """
    c = srgb_to_linear(corrected).reshape(-1, 3)
    t = srgb_to_linear(truth).reshape(-1, 3)
    ok = (c.max(axis=1) < 0.98) & (t.max(axis=1) < 0.98) & (c.min(axis=1) > 0.002) & (t.min(axis=1) > 0.002)
    if ok.sum() < 16:
        ok = np.ones(len(c), bool)
    ratio = c[ok].sum(axis=0) / np.maximum(t[ok].sum(axis=0), 1e-9)
    return angle_deg(ratio, np.ones(3))
