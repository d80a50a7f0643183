"""12-megapixel test photographs for the speed benchmarks, and the shared per-file timing and quality loops."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image as PILImage

from packshot.core.synthetic import SHAPES, studio_shot


def make_photos(folder: Path, count: int, size: tuple[int, int] = (4000, 3000)) -> list[Path]:
    """``count`` studio shots at ``size`` with sensor-like grain, saved as JPEG q92 (4:2:0)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        rgb, _ = studio_shot(375, 500, shape=SHAPES[i % len(SHAPES)], seed=i, noise=0.0)
        base = PILImage.fromarray((rgb * 255).astype(np.uint8)).resize(size, PILImage.Resampling.BICUBIC)
        grain = np.random.default_rng(i).normal(0, 4, (size[1], size[0], 1)).astype(np.float32)
        pixels = np.clip(np.asarray(base, np.float32) + grain, 0, 255).astype(np.uint8)
        path = folder / f"photo{i:02d}.jpg"
        PILImage.fromarray(pixels).save(path, quality=92)
        paths.append(path)
    return paths


def psnr(a: np.ndarray, b: np.ndarray, top: float = 255.0) -> float:
    """Peak signal-to-noise ratio in dB of ``b`` against ``a``, for values up to ``top``."""
    err = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if err == 0 else float(10 * np.log10(top**2 / err))


def output_path(fn: Callable[[Path, Path], None], source: Path, out: Path) -> Path:
    """Where :func:`files_per_second` has ``fn`` write its result for ``source``."""
    return out / f"{fn.__name__}_{source.stem}.jpg"


def output_psnr(fn: Callable[[Path, Path], None], source: Path, out: Path, reference: np.ndarray) -> float:
    """PSNR of what ``fn`` wrote for ``source`` (in :func:`files_per_second`) against ``reference``."""
    with PILImage.open(output_path(fn, source, out)) as im:
        return psnr(np.asarray(im.convert("RGB")), reference)


def files_per_second(fn: Callable[[Path, Path], None], sources: list[Path], out: Path, threads: int = 1) -> float:
    """Run ``fn(source, out/<fn>_<stem>.jpg)`` over every source (on ``threads`` threads); files/s."""
    jobs = [(src, output_path(fn, src, out)) for src in sources]
    start = time.perf_counter()
    if threads == 1:
        for src, dst in jobs:
            fn(src, dst)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda job: fn(*job), jobs))
    return len(sources) / (time.perf_counter() - start)


def best_rates(pipelines: dict[str, Callable[..., float]], repeat: int, *args: Any) -> dict[str, float]:
    """The best of ``repeat`` rates of each ``measure(*args)``, run round robin so that a change
    in machine load hits every pipeline alike."""
    rates = dict.fromkeys(pipelines, 0.0)
    for _ in range(repeat):
        for name, measure in pipelines.items():
            rates[name] = max(rates[name], measure(*args))
    return rates
