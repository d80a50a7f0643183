"""Library thumbnails (256 px JPEG) from 12 MP JPEGs, thumbnails per second.

Packshot's thumbnailer (libvips, shrink-on-load) on one thread and in its thread pool, next
to the Pillow draft-decode path it replaced (still its path of last resort) and a plain
pyvips ``thumbnail`` loop, measured in this run on the same files, on 1 and 2 threads; then
the pool's worker count against libvips' own thread count (``concurrency``), which picked
the pool's default.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from packshot.core.library.thumbnails import QUALITY, _pillow_thumbnail, make_thumbnail, make_thumbnails

from .photos import best_rates, files_per_second, make_photos, output_path, psnr
from .table import print_table

SIZE = 256


def _packshot(src: Path, dst: Path) -> None:
    make_thumbnail(src, dst, SIZE)


def _pillow_draft(src: Path, dst: Path) -> None:
    _pillow_thumbnail(src, SIZE).save(dst, "JPEG", quality=QUALITY)


def _pyvips(src: Path, dst: Path) -> None:
    import pyvips

    pyvips.Image.thumbnail(str(src), SIZE).write_to_file(str(dst), Q=QUALITY)


def _pool_rate(sources: list[Path], out: Path, workers: int | None) -> float:
    folder = out / f"cache{time.perf_counter_ns()}"
    start = time.perf_counter()
    make_thumbnails([(s, f"{i:032x}") for i, s in enumerate(sources)], SIZE, workers=workers, folder=folder)
    return len(sources) / (time.perf_counter() - start)


def run(quick: bool) -> None:
    import pyvips

    pyvips.cache_set_max(0)
    count, repeat = (6, 2) if quick else (24, 3)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="packshot-bench-") as tmp:
        tmp = Path(tmp)
        sources = make_photos(tmp / "in", count)
        out = tmp / "out"
        out.mkdir()
        pipelines = {
            "Packshot libvips, 1 thread": lambda: files_per_second(_packshot, sources, out),
            f"Packshot libvips, {cores} threads": lambda: files_per_second(_packshot, sources, out, cores),
            f"Packshot pool, default ({cores + 1}) workers": lambda: _pool_rate(sources, out, None),
            "Pillow draft (before), 1 thread": lambda: files_per_second(_pillow_draft, sources, out),
            f"Pillow draft (before), {cores} threads": lambda: files_per_second(_pillow_draft, sources, out, cores),
            "pyvips thumbnail loop, 1 thread": lambda: files_per_second(_pyvips, sources, out),
            f"pyvips thumbnail, {cores} threads": lambda: files_per_second(_pyvips, sources, out, cores),
        }
        rates = best_rates(pipelines, repeat)
        with PILImage.open(sources[0]) as im:
            reference = np.asarray(im.convert("RGB").resize((SIZE, 192), PILImage.Resampling.LANCZOS))
        quality = {}
        for fn in (_packshot, _pillow_draft, _pyvips):
            with PILImage.open(output_path(fn, sources[0], out)) as im:
                quality[fn] = psnr(np.asarray(im.convert("RGB")), reference)
        owner = {"Packshot": _packshot, "Pillow": _pillow_draft, "pyvips": _pyvips}
        loop = rates["pyvips thumbnail loop, 1 thread"]
        rows = [[name, rate, rate / loop, f"{quality[owner[name.split(' ')[0]]]:.1f}"] for name, rate in rates.items()]
        print_table(f"Thumbnails {SIZE} px from {count} x 12 MP JPEG ({cores} cores, libvips concurrency "
                    f"{pyvips.concurrency_get()})", ["pipeline", "thumbs/s", "x pyvips loop", "PSNR dB vs Lanczos"],
                    rows)
        _pool_against_concurrency(sources, out, repeat, cores)


def _pool_against_concurrency(sources: list[Path], out: Path, repeat: int, cores: int) -> None:
    """make_thumbnails' rate for pool sizes against libvips' threads per image."""
    import pyvips

    default = pyvips.concurrency_get()
    settings = [(workers, threads) for workers in (1, cores, cores + 1, 2 * cores) for threads in (1, cores)]

    def measure(workers: int, threads: int) -> float:
        pyvips.concurrency_set(threads)
        try:
            return _pool_rate(sources, out, workers)
        finally:
            pyvips.concurrency_set(default)

    rates = best_rates({f"{w} {t}": lambda w=w, t=t: measure(w, t) for w, t in settings}, repeat)
    rows = [[w, t, rates[f"{w} {t}"]] for w, t in settings]
    print_table(f"make_thumbnails: pool workers against libvips threads per image ({cores} cores)",
                ["pool workers", "libvips concurrency", "thumbs/s"], rows)
