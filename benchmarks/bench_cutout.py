"""Cut-out quality and speed on synthetic studio shots with exact alpha truth.

The set: the four synthetic products in four colours (including white on white and
black) and real photographs' objects (skimage.data) on grey, white and blue backdrops
with gradient, contact shadow and noise. Peers, measured in the same run: plain GrabCut
(a rectangle 5 % inside the frame, as its documentation starts) and a colour key (the
median border colour, keyed out at a fixed distance).
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.table import print_table
from packshot.core.context import Context
from packshot.core.synthetic import photo_product_shot, studio_shot


def shots(quick: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from skimage import data

    colours = {"red": (0.75, 0.18, 0.12), "blue": (0.2, 0.3, 0.6), "black": (0.08, 0.08, 0.08),
               "white": (0.93, 0.93, 0.91)}
    out = []
    for shape in (("bottle", "ball") if quick else ("bottle", "mug", "box", "ball")):
        for name, colour in colours.items():
            rgb, alpha = studio_shot(360, 480, shape=shape, colour=colour, seed=len(out))
            out.append((f"{shape}/{name}", rgb, alpha))
    photos = ("chelsea", "rocket") if quick else ("chelsea", "coffee", "rocket", "astronaut")
    backdrops = {"grey": (0.86, 0.87, 0.9), "white": (0.95, 0.95, 0.95), "blue": (0.55, 0.7, 0.85)}
    for photo in photos:
        for name, colour in backdrops.items():
            rgb, alpha = photo_product_shot(getattr(data, photo)(), seed=len(out), backdrop_rgb=colour)
            out.append((f"{photo}/{name}", rgb, alpha))
    return out


def ours(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    from packshot.plugins.cutout.studio_cutout import cut_out

    found = cut_out(rgb, Context())
    return found.alpha, found.unsure


def plain_grabcut(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    import cv2

    h, w = rgb.shape[:2]
    img = np.ascontiguousarray((rgb * 255).astype(np.uint8)[..., ::-1])
    mask = np.zeros((h, w), np.uint8)
    rect = (int(0.05 * w), int(0.05 * h), int(0.9 * w), int(0.9 * h))
    bgd, fgd = np.zeros((1, 65)), np.zeros((1, 65))
    cv2.grabCut(img, mask, rect, bgd, fgd, 5, cv2.GC_INIT_WITH_RECT)
    return ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float32), False


def colour_key(rgb: np.ndarray, tolerance: float = 0.12) -> tuple[np.ndarray, bool]:
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    key = np.median(border, axis=0)
    distance = np.linalg.norm(rgb - key, axis=2)
    return np.clip((distance - tolerance) / tolerance + 0.5, 0, 1).astype(np.float32), False


def _iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha > 0.5, truth > 0.5
    return float((a & b).sum() / max((a | b).sum(), 1))


def _band_error(alpha: np.ndarray, truth: np.ndarray) -> float:
    """Mean |alpha error| where either alpha is fractional: the soft edge, where matting works."""
    soft = ((truth > 0) & (truth < 1)) | ((alpha > 0) & (alpha < 1))
    return float(np.abs(alpha - truth)[soft].mean())


def camera_shot(height: int, width: int, seed: int = 3, scene: str = "bottle") -> tuple[np.ndarray, np.ndarray]:
    """A shot at camera size: rendered at a quarter to an eighth of it, enlarged, with
    sensor-like grain. ``scene``: "bottle" (blue, the one the cut-out was tuned on), or the
    held-out "mug" (white on white) and "rocket" (skimage's photograph on a white backdrop)."""
    import cv2
    from skimage import data

    if scene == "bottle":
        rgb, alpha = studio_shot(375, 500, shape="bottle", colour=(0.2, 0.3, 0.6), seed=seed, noise=0.0)
    elif scene == "mug":
        rgb, alpha = studio_shot(750, 1000, shape="mug", colour=(0.93, 0.93, 0.91), seed=seed, noise=0.0)
    else:
        rgb, alpha = photo_product_shot(data.rocket(), 750, 1000, seed=seed, backdrop_rgb=(0.95, 0.95, 0.95),
                                        noise=0.0)
    big = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(seed).normal(0, 0.015, big.shape).astype(np.float32)
    pixels = (np.clip(big + grain, 0, 1) * 255 + 0.5).astype(np.uint8)
    return pixels, cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)


CAMERA_SCENES = {"bottle, blue (tuned on)": ("bottle", 3), "mug, white on white (held out)": ("mug", 5),
                 "rocket photo on white (held out)": ("rocket", 7)}


def at_camera_size(quick: bool) -> None:
    """The operation end to end (cut-out, clean edges, RGBA output) on a 12 MP frame, next to
    the same cut-out on a copy already shrunk to its working size, alternately: the
    difference is what camera resolution costs. Issue 15 measured 23 s at 12 MP before the
    full-size work was confined to the matte's edge band; its goal is a quarter of that."""
    import cv2

    from packshot.core.image import from_array
    from packshot.core.jobs import execute
    from packshot.core.operation import Inputs
    from packshot.plugins.cutout.remove_background import RemoveBackground
    from packshot.plugins.cutout.studio_cutout import WORKING_SIDE

    h, w = (1500, 2000) if quick else (3000, 4000)
    scale = WORKING_SIDE / max(h, w)
    small_size = (round(w * scale), round(h * scale))
    rows = []
    for title, (scene, seed) in list(CAMERA_SCENES.items())[:1 if quick else None]:
        pixels, truth = camera_shot(h, w, seed, scene)

        def packshot(pixels: np.ndarray = pixels) -> np.ndarray:
            return execute(RemoveBackground(), Inputs(from_array(pixels)), {}, Context()).mask

        def working_size(pixels: np.ndarray = pixels) -> np.ndarray:
            small = cv2.resize(pixels, small_size, interpolation=cv2.INTER_AREA)
            alpha = execute(RemoveBackground(), Inputs(from_array(small)), {}, Context()).mask
            return cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)

        methods = {"packshot": packshot, "copy": working_size}
        packshot()  # imports and compiled kernels (pymatting's numba) load once per process
        best, alphas = {name: float("inf") for name in methods}, {}
        for _ in range(1 if quick else 2):
            for name, fn in methods.items():
                start = time.perf_counter()
                alphas[name] = fn()
                best[name] = min(best[name], time.perf_counter() - start)
        original = "-" if quick else 23.0 / best["packshot"]  # issue 15's figure is at 12 MP
        rows.append([title, best["packshot"], best["copy"], best["packshot"] / best["copy"], original,
                     _iou(alphas["packshot"], truth), _iou(alphas["copy"], truth),
                     _band_error(alphas["packshot"], truth), _band_error(alphas["copy"], truth)])
    print_table(f"Cut-out at {w}x{h} ({h * w / 1e6:.0f} MP), best of the rounds; copy = the same operation on a "
                f"{small_size[0]} px copy, alpha enlarged; issue 15's goal: <= 5.75 s (23 s / 4)",
                ["shot", "packshot s", "copy s", "packshot / copy", "23 s / packshot", "IoU", "copy IoU",
                 "edge |err|", "copy edge |err|"], rows)


def run(quick: bool) -> None:
    at_camera_size(quick)
    data = shots(quick)
    methods = {"packshot built-in": ours, "plain GrabCut (rect)": plain_grabcut, "colour key": colour_key}
    rows, detail = [], {}
    for name, fn in methods.items():
        ious, maes, secs, flagged = [], [], 0.0, 0
        for label, rgb, truth in data:
            start = time.perf_counter()
            alpha, unsure = fn(rgb)
            secs += time.perf_counter() - start
            ious.append(_iou(alpha, truth))
            maes.append(float(np.abs(alpha - truth).mean()))
            flagged += unsure
            detail.setdefault(label, {})[name] = ious[-1]
        white = [i for (label, *_), i in zip(data, ious) if "white" not in label.split("/")[1:]]
        rows.append([name, float(np.mean(ious)), float(np.min(ious)), float(np.mean(white)),
                     float(np.mean(maes)), secs / len(data), flagged])
    print_table(f"Cut-out on {len(data)} synthetic studio shots (360x480; IoU of alpha > 0.5)",
                ["method", "mean IoU", "worst IoU", "mean IoU excl. white", "mean |alpha err|",
                 "s/image", "flagged unsure"], rows)
    print_table("Per shot IoU", ["shot", *methods],
                [[label, *(detail[label][m] for m in methods)] for label, *_ in data])
