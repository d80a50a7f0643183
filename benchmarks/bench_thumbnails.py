"""Library thumbnails (256 px JPEG) from 12 MP JPEGs, thumbnails per second.

Packshot's thumbnailer (JPEG draft decoding) on one thread and in its thread pool, next to
pyvips' thumbnail and a Pillow full decode, measured in this run on the same files.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from packshot.core.library.thumbnails import make_thumbnail, make_thumbnails

from .photos import best_rates, files_per_second, make_photos, output_psnr
from .table import print_table

SIZE = 256


def _pillow_full(src: Path, dst: Path) -> None:
    with PILImage.open(src) as im:
        im = im.convert("RGB")
        im.thumbnail((SIZE, SIZE), PILImage.Resampling.BICUBIC, reducing_gap=None)
        im.save(dst, quality=85)


def _pyvips(src: Path, dst: Path) -> None:
    import pyvips

    pyvips.Image.thumbnail(str(src), SIZE).write_to_file(str(dst), Q=85)


def _pool_rate(sources: list[Path], out: Path, workers: int) -> float:
    folder = out / f"cache{time.perf_counter_ns()}"
    start = time.perf_counter()
    make_thumbnails([(s, f"{i:032x}") for i, s in enumerate(sources)], SIZE, workers=workers, folder=folder)
    return len(sources) / (time.perf_counter() - start)


def run(quick: bool) -> None:
    import pyvips

    pyvips.cache_set_max(0)
    count, repeat = (6, 1) if quick else (24, 3)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="packshot-bench-") as tmp:
        tmp = Path(tmp)
        sources = make_photos(tmp / "in", count)
        out = tmp / "out"
        out.mkdir()

        def packshot(src: Path, dst: Path) -> None:
            make_thumbnail(src, dst, SIZE)

        pipelines = {
            "Packshot, 1 thread (draft decode)": lambda: files_per_second(packshot, sources, out),
            f"Packshot pool ({cores} threads)": lambda: _pool_rate(sources, out, cores),
            f"pyvips thumbnail, loop ({pyvips.concurrency_get()} vips threads)":
                lambda: files_per_second(_pyvips, sources, out),
            f"pyvips thumbnail, {cores} threads": lambda: files_per_second(_pyvips, sources, out, cores),
            "Pillow full decode, 1 thread": lambda: files_per_second(_pillow_full, sources, out),
        }
        rates = best_rates(pipelines, repeat)
        vips = rates[next(k for k in rates if k.startswith("pyvips thumbnail, loop"))]
        with PILImage.open(sources[0]) as im:
            reference = np.asarray(im.convert("RGB").resize((SIZE, 192), PILImage.Resampling.LANCZOS))
        quality = {name: output_psnr(fn, sources[0], out, reference)
                   for name, fn in (("Packshot", packshot), ("pyvips", _pyvips), ("Pillow", _pillow_full))}
        rows = [[name, rate, rate / vips, f"{quality[name.split(' ')[0].rstrip(',')]:.1f}"]
                for name, rate in rates.items()]
        print_table(f"Thumbnails {SIZE} px from {count} x 12 MP JPEG ({cores} cores)",
                    ["pipeline", "thumbs/s", "x pyvips loop", "PSNR dB vs Lanczos"], rows)
