"""Recipe-free export of 12 MP JPEGs, images per second.

First the user's path against the idiomatic pyvips loop at a shop's real size: ``packshot
batch --preset shopify`` (2048 px square, padded white, q90), a fresh process end to end
including start-up, against a fresh Python running ``thumbnail(2048)`` + ``gravity(centre,
2048, 2048, extend=white)`` + save q90 on the same files; the two alternate, run after run,
so the shared machine's load hits both alike, and each pair gives a ratio. Then the
in-process table (resize to 2000 px, sRGB JPEG q90): Packshot with 1 and 2 processes next to
Pillow in a loop (full decode), OpenCV and pyvips. Quality: PSNR of each result against a
full-decode Lanczos reference, so a speed-up bought with blur would show.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from packshot.core.export import ExportOptions, export_file

from .photos import best_rates, files_per_second, make_photos, output_psnr
from .table import print_table

LONG_SIDE = 2000
OPTIONS = ExportOptions(width=LONG_SIDE, height=LONG_SIDE, fit="contain", format="JPEG", quality=90,
                        colour_space="sRGB", metadata="keep")


def _packshot(src: Path, dst: Path) -> None:
    export_file(src, dst, OPTIONS, overwrite=True)


def _pillow(src: Path, dst: Path) -> None:
    with PILImage.open(src) as im:
        im = im.convert("RGB")
        im.thumbnail((LONG_SIDE, LONG_SIDE), PILImage.Resampling.LANCZOS, reducing_gap=None)
        im.save(dst, quality=90)


def _opencv(src: Path, dst: Path) -> None:
    import cv2

    img = cv2.imread(str(src), cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    scale = LONG_SIDE / max(h, w)
    small = cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(dst), small, [cv2.IMWRITE_JPEG_QUALITY, 90])


def _pyvips(src: Path, dst: Path) -> None:
    """The idiomatic libvips pipeline: thumbnail (shrink-on-load) then save. The inputs are
    untagged sRGB, so no colour transform is needed (Packshot skips it too)."""
    import pyvips

    pyvips.Image.thumbnail(str(src), LONG_SIDE, size="down").write_to_file(str(dst), Q=90)


def _pyvips_icc(src: Path, dst: Path) -> None:
    import pyvips

    pyvips.Image.thumbnail(str(src), LONG_SIDE, size="down", export_profile="srgb").write_to_file(str(dst), Q=90)


def _pool(sources: list[Path], out: Path, workers: int) -> float:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_packshot, sources[:workers], [out / f"warm{i}.jpg" for i in range(workers)]))
        start = time.perf_counter()
        list(pool.map(_packshot, sources, [out / f"pool_{s.stem}.jpg" for s in sources]))
        return len(sources) / (time.perf_counter() - start)


def _batch(sources: list[Path], out: Path, workers: int) -> float:
    """The user's path: run_batch end to end (spawning its pool, journal, report)."""
    from packshot.core.batch import BatchSpec, run_batch

    folder = out / f"batch{time.perf_counter_ns()}"
    start = time.perf_counter()
    report = run_batch(BatchSpec(sources, folder, OPTIONS), workers=workers)
    assert report.exit_code == 0
    return len(sources) / (time.perf_counter() - start)


def _vips_threads(n: int):
    import pyvips

    def measure(sources: list[Path], out: Path) -> float:
        before = pyvips.concurrency_get()
        pyvips.concurrency_set(n)
        try:
            return files_per_second(_pyvips, sources, out)
        finally:
            pyvips.concurrency_set(before)

    return measure


SHOP_SIDE = 2048
_VIPS_LOOP = f"""
import sys, pyvips
from pathlib import Path
out = Path(sys.argv[1])
out.mkdir(parents=True)
for src in sys.argv[2:]:
    image = pyvips.Image.thumbnail(src, {SHOP_SIDE}).gravity("centre", {SHOP_SIDE}, {SHOP_SIDE}, extend="white")
    image.write_to_file(str(out / Path(src).name), Q=90)
"""
_CLI = "import sys; from packshot.core.cli import main; sys.exit(main())"  # what the packshot script runs


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _cli_against_loop(sources: list[Path], out: Path, workers: int | None, repeat: int) -> list[float]:
    """Speed ratios (CLI images/s over loop images/s), one per alternating pair of fresh runs."""
    ratios = []
    for i in range(repeat):
        loop = _seconds([sys.executable, "-c", _VIPS_LOOP, str(out / f"loop{workers}_{i}"), *map(str, sources)])
        cli = [sys.executable, "-c", _CLI, "batch", *map(str, sources), "--out",
               str(out / f"cli{workers}_{i}"), "--preset", "shopify", "--quiet"]
        ratios.append(loop / _seconds(cli + ([f"--workers={workers}"] if workers else [])))
    return ratios


def run_shop(quick: bool) -> None:
    """The batch CLI against the pyvips loop at the shopify preset (the goal in issue 15)."""
    cases = [(4, None, 2), (8, 2, 2)] if quick else [(12, None, 5), (48, 2, 3)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="packshot-bench-") as tmp:
        tmp = Path(tmp)
        photos = make_photos(tmp / "in", max(count for count, _, _ in cases))
        for count, workers, repeat in cases:
            ratios = _cli_against_loop(photos[:count], tmp / "out", workers, repeat)
            rows.append([count, workers or f"default ({_default_workers()})", statistics.median(ratios),
                         min(ratios), max(ratios)])
    print_table(f"packshot batch --preset shopify against a pyvips loop ({SHOP_SIDE} px square, q90), "
                "fresh processes end to end, alternating",
                ["12 MP files", "CLI workers", "x pyvips (median)", "min", "max"], rows)


def _tiff_masters(folder: Path, count: int) -> list[Path]:
    """16-bit and 8-bit TIFF masters (what a raw converter hands a studio) made from the photos."""
    import tifffile

    paths = []
    for i, jpeg in enumerate(make_photos(folder / "jpeg", count)):
        with PILImage.open(jpeg) as im:
            rgb = np.asarray(im)
        path = folder / f"master{i:02d}_{8 if i % 2 else 16}bit.tif"
        tifffile.imwrite(path, rgb if i % 2 else rgb.astype(np.uint16) * 257, photometric="rgb")
        paths.append(path)
    return paths


def run_tiff(quick: bool) -> None:
    """TIFF masters to the shopify preset in this process: export_file (libvips), the Pillow
    path it replaced for them (full decode, Pillow render and encode) and the pyvips loop."""
    import tomllib

    from packshot.core.export import draft_size, export_image, image_size, options_from_preset
    from packshot.core.imageio import load_image
    from packshot.core.resources import resource_path

    with open(resource_path("presets", "shopify.toml"), "rb") as fh:
        preset = tomllib.load(fh)
    preset.pop("check", None)
    options = options_from_preset(preset)

    def packshot(src: Path, dst: Path) -> None:
        export_file(src, dst, options, overwrite=True)

    def pillow_path(src: Path, dst: Path) -> None:
        export_image(load_image(src, draft=draft_size(image_size(src), options)), dst, options, overwrite=True)

    def vips_loop(src: Path, dst: Path) -> None:
        import pyvips

        image = pyvips.Image.thumbnail(str(src), SHOP_SIDE)
        if image.format != "uchar":
            image = image.colourspace("srgb")
        image.gravity("centre", SHOP_SIDE, SHOP_SIDE, extend="white").write_to_file(str(dst), Q=90)

    count = 2 if quick else 6
    with tempfile.TemporaryDirectory(prefix="packshot-bench-") as tmp:
        sources = _tiff_masters(Path(tmp), count)
        out = Path(tmp) / "out"
        out.mkdir()
        rates = best_rates({"Packshot export_file (libvips)": lambda s, o: files_per_second(packshot, s, o),
                            "the Pillow path (before)": lambda s, o: files_per_second(pillow_path, s, o),
                            "pyvips loop": lambda s, o: files_per_second(vips_loop, s, o)}, 1 if quick else 2,
                           sources, out)
    loop = rates["pyvips loop"]
    print_table(f"{count} TIFF masters, 12 MP, half 16-bit, to shopify ({SHOP_SIDE} px square, q90), in process",
                ["pipeline", "images/s", "x pyvips loop"], [[name, rate, rate / loop] for name, rate in rates.items()])


def _default_workers() -> int:
    from packshot.core.batch.executors import default_workers

    return default_workers()


def run(quick: bool) -> None:
    import pyvips

    run_shop(quick)
    run_tiff(quick)

    pyvips.cache_set_max(0)
    cores = os.cpu_count() or 1
    count, repeat = (4, 1) if quick else (12, 3)
    pipelines = {
        "Packshot, 1 process, 1 thread": lambda s, o: files_per_second(_packshot, s, o),
        f"Packshot, 1 process, {cores} threads": lambda s, o: files_per_second(_packshot, s, o, cores),
        "Packshot, 2 processes": lambda s, o: _pool(s, o, 2),
        "Packshot batch runner, 2 workers (end to end)": lambda s, o: _batch(s, o, 2),
        "Pillow in a loop (full decode, Lanczos)": lambda s, o: files_per_second(_pillow, s, o),
        "OpenCV (imread, INTER_AREA, imwrite)": lambda s, o: files_per_second(_opencv, s, o),
        f"pyvips thumbnail ({pyvips.concurrency_get()} vips threads)": lambda s, o: files_per_second(_pyvips, s, o),
        "pyvips thumbnail (1 vips thread)": _vips_threads(1),
        "pyvips thumbnail + export_profile=srgb": lambda s, o: files_per_second(_pyvips_icc, s, o),
    }
    with tempfile.TemporaryDirectory(prefix="packshot-bench-") as tmp:
        tmp = Path(tmp)
        sources = make_photos(tmp / "in", count)
        out = tmp / "out"
        out.mkdir()
        rates = best_rates(pipelines, repeat, sources, out)
        vips = rates[next(k for k in rates if k.startswith("pyvips thumbnail ("))]
        with PILImage.open(sources[0]) as im:
            reference = np.asarray(im.convert("RGB").resize((LONG_SIDE, 1500), PILImage.Resampling.LANCZOS))
        quality = {name: output_psnr(fn, sources[0], out, reference)
                   for name, fn in (("Packshot", _packshot), ("Pillow", _pillow), ("OpenCV", _opencv),
                                    ("pyvips", _pyvips))}
        rows = []
        for name, rate in rates.items():
            q = quality.get(name.split(" ")[0].rstrip(","))
            rows.append([name, rate, rate / vips, f"{q:.1f}" if q is not None and "export_profile" not in name else ""])
        print_table(f"Export {count} x 12 MP JPEG -> {LONG_SIDE} px sRGB JPEG q90 ({cores} cores, best of {repeat})",
                    ["pipeline", "images/s", "x pyvips", "PSNR dB vs full-decode Lanczos"], rows)
