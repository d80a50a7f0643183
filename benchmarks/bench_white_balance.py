"""White balance: residual cast (degrees) and time per megapixel, Packshot's methods next to OpenCV's.

Casts of known illuminant are applied (``packshot.core.synthetic.apply_cast``) to synthetic studio
shots with a neutral backdrop and to the photographs shipped in ``skimage.data``; the
residual cast of each result against the uncast truth is measured in linear light
(``packshot.testing.colour.residual_cast_deg``). OpenCV-contrib's SimpleWB,
GrayworldWB and LearningBasedWB run on the same 8-bit images in the same run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks.table import best_time, print_table
from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.jobs import execute
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins
from packshot.core.synthetic import SHAPES, apply_cast, studio_shot
from packshot.plugins.colour.white_balance import METHODS
from packshot.testing.colour import residual_cast_deg

CASTS = [(1.0, 0.86, 0.62), (0.78, 0.9, 1.0), (0.92, 1.0, 0.86), (1.0, 0.88, 0.98),
         (1.0, 0.94, 0.84), (0.9, 1.0, 1.0)]
# Casts around the opponent hue circle: the tuning set every 30 degrees on seeds 0-3, the
# held-out set half-way between on seeds 20-23 (tests/plugins/colour/test_white_balance.py);
# (floor, span) exposures with a cast strength each: dim, bright (one channel clips), mild.
EXPOSURES = (((0.05, 0.55), 0.3), ((0.1, 0.8), 0.15), ((0.08, 0.85), 0.1))
COLOURS = [(0.75, 0.18, 0.12), (0.15, 0.35, 0.62), (0.85, 0.7, 0.2), (0.2, 0.6, 0.25)]


def _q8(rgb: np.ndarray) -> np.ndarray:
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def _balancers() -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """name -> function(uint8 RGB) -> float RGB 0..1."""
    import cv2

    op = load_plugins().operation("colour.auto_white_balance")

    def packshot(method: str):
        return lambda px: execute(op, Inputs(from_array(px)), {"method": method}, Context()).image.rgb()

    def opencv(make):
        return lambda px: make().balanceWhite(np.ascontiguousarray(px[..., ::-1]))[..., ::-1] / np.float32(255)

    out = {f"packshot {m}": packshot(m) for m in METHODS}
    out["OpenCV SimpleWB"] = opencv(cv2.xphoto.createSimpleWB)
    out["OpenCV GrayworldWB"] = opencv(cv2.xphoto.createGrayworldWB)
    out["OpenCV LearningBasedWB"] = opencv(cv2.xphoto.createLearningBasedWB)
    out["input (no correction)"] = lambda px: px / np.float32(255)
    return out


def _studio_scenes(quick: bool) -> list[np.ndarray]:
    h, w = (240, 320) if quick else (480, 640)
    return [0.1 + 0.8 * studio_shot(h, w, shape=s, colour=COLOURS[i], seed=i)[0] for i, s in enumerate(SHAPES)]


def _photographs(quick: bool) -> list[np.ndarray]:
    import skimage.data as data

    photos = [data.astronaut(), data.coffee(), data.chelsea(), data.rocket(), data.stereo_motorcycle()[0]]
    return [p[::2, ::2] if quick else p for p in (x.astype(np.float32) / 255 for x in photos)]


def _errors(balancers, scenes, casts) -> dict[str, list[float]]:
    errors: dict[str, list[float]] = {name: [] for name in balancers}
    for truth in scenes:
        for cast in casts:
            shot = _q8(apply_cast(truth, cast))
            for name, balance in balancers.items():
                errors[name].append(residual_cast_deg(balance(shot), truth))
    return errors


def cast_of_hue(hue_deg: float, strength: float) -> tuple[float, float, float]:
    t = np.radians(hue_deg)
    gains = np.exp(strength * np.cos([t, t - 2 * np.pi / 3, t + 2 * np.pi / 3]))
    return tuple(gains / gains.max())


def hue_circle(quick: bool) -> None:
    """Auto on studio shots under casts of every hue, tuning and held-out material apart."""
    op = load_plugins().operation("colour.auto_white_balance")
    rows = []
    for title, hues, seed in (("tuning (0, 30, ... 330; seeds 0-3)", np.arange(12) * 30.0, 0),
                              ("held out (15, 45, ... 345; seeds 20-23)", np.arange(12) * 30.0 + 15.0, 20)):
        for (floor, span), strength in EXPOSURES:
            errors, untouched, found = [], [], 0
            for hue in hues[::3] if quick else hues:
                for i, shape in enumerate(SHAPES):
                    truth = floor + span * studio_shot(150, 200, shape=shape, colour=COLOURS[i], seed=seed + i)[0]
                    shot = _q8(apply_cast(truth, cast_of_hue(hue, strength)))
                    result = execute(op, Inputs(from_array(shot)), {"method": "auto"}, Context())
                    found += result.report["method"] == "auto: neutral backdrop"
                    errors.append(residual_cast_deg(result.image.rgb(), truth))
                    untouched.append(residual_cast_deg(shot / np.float32(255), truth))
            rows.append([title, f"{floor}+{span}x", strength, f"{found}/{len(errors)}", float(np.median(untouched)),
                         float(np.median(errors)), float(np.max(errors))])
    print_table("Auto white balance under casts around the hue circle (studio shots)",
                ["material", "exposure", "cast strength", "backdrop found", "input median°",
                 "auto median°", "auto worst°"], rows)


def run(quick: bool) -> None:
    hue_circle(quick)
    balancers = _balancers()
    casts = CASTS[:3] if quick else CASTS
    sets = {"studio shots, neutral backdrop": _studio_scenes(quick), "skimage.data photographs": _photographs(quick)}
    results = {title: _errors(balancers, scenes, casts) for title, scenes in sets.items()}
    size = (600, 800) if quick else (1200, 1600)
    timing_shot = _q8(apply_cast(0.1 + 0.8 * studio_shot(*size, seed=5)[0], CASTS[0]))
    mp = timing_shot.shape[0] * timing_shot.shape[1] / 1e6
    reference = best_time(lambda: balancers["OpenCV SimpleWB"](timing_shot)) / mp
    rows = []
    for name, balance in balancers.items():
        per_mp = best_time(lambda b=balance: b(timing_shot)) / mp
        row = [name]
        for title in sets:
            e = results[title][name]
            row += [float(np.median(e)), float(np.mean(e))]
        rows.append(row + [per_mp * 1000, per_mp / reference])
    headers = ["method"]
    for title in sets:
        short = "studio" if title.startswith("studio") else "photos"
        headers += [f"{short} median°", f"{short} mean°"]
    headers += ["ms / MP", "time vs SimpleWB"]
    n = {t: len(s) * len(casts) for t, s in sets.items()}
    print_table(f"White balance: residual cast in degrees ({', '.join(f'{k}: {v} cases' for k, v in n.items())}), "
                f"time on a {size[1]}x{size[0]} shot", headers, rows)
