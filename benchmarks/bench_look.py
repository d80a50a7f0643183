"""Learned looks: training time, validation quality against two baselines, and apply speed.

Pairs come from ``packshot.testing.looks``: shots with their own exposure error and cast,
and the studio's fixed edit as the after. Training sees photographs and product shots of
some kinds; the look is scored on held-out product shots of other kinds, and on crops of
a photograph no training pair came from (rocket), against no change and one global 3D
LUT fitted on the same training pairs. Apply speed is measured at 24 MP against Pillow's
``ImageFilter.Color3DLUT`` (trilinear, C) running the same size table on the same picture.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.table import best_time, print_table
from packshot.core.looks.pairs import pair_of
from packshot.core.looks.train import TrainOptions, train_look
from packshot.testing.looks import look_pairs

TRAIN_SOURCES = ("astronaut", "studio:bottle", "coffee", "studio:mug", "chelsea", "studio:bottle")
HELD_OUT = {"other products": ("studio:box", "studio:ball"), "unseen photograph": ("rocket",)}


def _pairs(sources, count, seed, side):
    return [pair_of(n, b, a) for n, b, a in look_pairs(sources, count, side=side, seed=seed)]


def run(quick: bool) -> None:
    import torch

    side, epochs = (128, 120) if quick else (384, 240)
    train = _pairs(TRAIN_SOURCES, 40, seed=1, side=side)
    held = {label: _pairs(sources, 10, seed=2 + i, side=side) for i, (label, sources) in enumerate(HELD_OUT.items())}
    options = TrainOptions(epochs=epochs, seed=0)
    start = time.perf_counter()
    trained = train_look(train, held["other products"], options)
    seconds = time.perf_counter() - start
    print(f"trained on {len(train)} pairs at {side} px, {epochs} epochs, cpu, "
          f"{torch.get_num_threads()} torch threads available (training uses 1): {seconds:.1f} s")

    from packshot.core.looks.evaluate import compare
    from packshot.core.looks.global_lut import fit_global_lut
    from packshot.core.looks.lut import apply_lut
    from packshot.core.looks.runtime import Look

    look = Look(trained.net)
    base = fit_global_lut([(p.before, p.after) for p in train], options.config.lut_size, seed=options.seed)
    rows = []
    for label, pairs in held.items():
        figures = compare(pairs, lambda p: look.apply(p.before), lambda p: apply_lut(p.before, base))
        for method, name in (("look", "learned look"), ("global_lut", "global 3D LUT"), ("no_change", "no change")):
            rows.append((label, name, figures[method]["psnr"], figures[method]["delta_e"]))
    print_table(f"held-out pairs (10 each, {side} px)", ("pairs", "method", "PSNR dB", "ΔE2000"), rows)
    _apply_speed(look, 6 if quick else 24)


def _apply_speed(look, megapixels: int) -> None:
    from PIL import Image as PILImage
    from PIL import ImageFilter

    h = int(np.sqrt(megapixels * 1e6 * 2 / 3))
    w = int(megapixels * 1e6 / h)
    small = look_pairs(("studio:bottle",), 1, side=240, seed=9)[0][1].pixels
    pixels = np.asarray(PILImage.fromarray(small).resize((w, h), PILImage.Resampling.BILINEAR))
    table = look.table(pixels)
    size = table.shape[1]
    pillow = ImageFilter.Color3DLUT(size, table.transpose(1, 2, 3, 0).reshape(-1).tolist())
    picture = PILImage.fromarray(pixels)
    ours = best_time(lambda: look.apply(pixels), repeat=2)
    theirs = best_time(lambda: picture.filter(pillow), repeat=2)
    ours16 = best_time(lambda: look.apply(pixels.astype(np.uint16) * 257), repeat=1)
    mp = w * h / 1e6
    print_table(f"apply at {mp:.0f} MP ({w}x{h}, {size}^3 table)", ("method", "seconds", "MP/s", "vs Pillow"), [
        ("colour.apply_look 8-bit (choose table + trilinear)", ours, mp / ours, theirs / ours),
        ("colour.apply_look 16-bit (incl. conversion)", ours16, mp / ours16, theirs / ours16),
        ("Pillow Color3DLUT 8-bit (same table)", theirs, mp / theirs, 1.0),
    ])
