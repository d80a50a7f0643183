"""Every real network in ../shared/weights next to the built-in tier and a classical peer.

Each file is installed into a fresh models folder as a person would (the store checks it),
then run through its Packshot operation. Quality: upscale PSNR against the original after
a Pillow bicubic shrink (peer: Pillow bicubic); denoise PSNR at sigma 25 and 10, colour
noise (peer: OpenCV fastNlMeansColored); cut-out IoU on synthetic studio shots (peer: plain GrabCut, as
bench_cutout); text: PSNR after watermark removal with no mask on photos with text
drawn over them (peer: the overlaid input, nothing removed). Speed: seconds per
megapixel of output on a small crop. ``--big`` (or PACKSHOT_BENCH_BIG=1) adds the peak
memory of one 12 MP run (12 MP output for upscalers), as tracemalloc's Python peak
plus the process's resident-memory growth; slow on a shared CPU.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from benchmarks.photos import psnr
from benchmarks.table import print_table
from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.operation import Inputs

WEIGHTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "weights"
PHOTOS = ("astronaut", "coffee", "chelsea")
UPSCALERS = {4: ("team34_craft.pth", "DITN_Real_x4.pth", "DITN_Real_GAN_x4.pth", "realesr-animevideov3.pth",
                 "LapSRN_x4.pb", "ESPCN_x4.pb", "FSRCNN_x4.pb", "FSRCNN-small_x4.pb"),
             2: ("team34_craft.pth", "DITN_Real_x4.pth", "LapSRN_x2.pb", "ESPCN_x2.pb", "FSRCNN_x2.pb",
                 "FSRCNN-small_x2.pb"),
             3: ("ESPCN_x3.pb", "FSRCNN_x3.pb", "FSRCNN-small_x3.pb")}
FONTS = Path("/usr/share/fonts/truetype/dejavu")
BIG_BUDGET = 240.0  # seconds one 12 MP memory run may take before it is measured at SMALL_MP
SMALL_MP = 0.5


def _op(op_id: str):
    from packshot.core.plugin_host import load_plugins

    return load_plugins().operation(op_id)


def _run(op_id: str, pixels: np.ndarray, store, **params) -> np.ndarray:
    op = _op(op_id)
    result = op.run(Inputs(from_array(pixels)), op.validate(params), Context(models=store))
    return result.image.pixels


def _install(store, file: str) -> str:
    return store.install(WEIGHTS / file, name="anime-copy" if file.startswith("realesr") else None).name


def _crop(name: str, side: int) -> np.ndarray:
    from skimage import data

    full = getattr(data, name)()[..., :3]
    y, x = (full.shape[0] - side) // 2, (full.shape[1] - side) // 2
    return np.ascontiguousarray(full[y:y + side, x:x + side])


def _seconds_per_mp(fn, pixels: np.ndarray) -> float:
    start = time.perf_counter()
    fn(pixels)
    return (time.perf_counter() - start) / (pixels.shape[0] * pixels.shape[1] / 1e6)


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb(fn, pixels: np.ndarray) -> str:
    """Python peak (tracemalloc) and resident peak above the start of one run, in MB.

    The resident high-water mark (VmHWM) is reset first (Linux: 5 into clear_refs), so
    each model's figure is its own, not the largest so far.
    """
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    start = _status_mb("VmRSS")
    tracemalloc.start()
    fn(pixels)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return f"{peak / 2**20:.0f} / +{_status_mb('VmHWM') - start:.0f}"


def _big_memory(fn, shape: tuple[int, int], seconds_per_mp: float, out_per_in: int = 1) -> str:
    """Peak memory of one run on ``shape`` (12 MP of output), or on a SMALL_MP-output input
    where the 12 MP run would take over BIG_BUDGET seconds here (labelled so)."""
    from skimage import data

    megapixels = shape[0] * shape[1] * out_per_in / 1e6
    label = ""
    if seconds_per_mp * megapixels > BIG_BUDGET:
        k = np.sqrt(megapixels / SMALL_MP)
        shape, label = (round(shape[0] / k), round(shape[1] / k)), f" (at {SMALL_MP} MP)"
    pixels = np.asarray(PILImage.fromarray(data.astronaut()).resize((shape[1], shape[0]), PILImage.BICUBIC))
    return _peak_mb(fn, pixels) + label


def upscale_rows(store, quick: bool, big: bool) -> list[list]:
    rows = []
    side = 96 if quick else 192
    for factor, files in UPSCALERS.items():
        truths = [_crop(p, side - side % factor) for p in PHOTOS]
        lows = [np.asarray(PILImage.fromarray(t).resize((t.shape[1] // factor,) * 2, PILImage.BICUBIC))
                for t in truths]
        built_in = np.mean([psnr(t, _run("enhance.upscale", low, store, scale=factor))
                            for t, low in zip(truths, lows)])
        peer = np.mean([psnr(t, np.asarray(PILImage.fromarray(low).resize(t.shape[:2][::-1], PILImage.BICUBIC)))
                        for t, low in zip(truths, lows)])
        for file in files:
            name = _install(store, file)

            def run(px, name=name, factor=factor):
                return _run("enhance.upscale_model", px, store, scale=factor, model=name)

            score = np.mean([psnr(t, run(low)) for t, low in zip(truths, lows)])
            speed = _seconds_per_mp(run, _crop("rocket", 128 if quick else 256)) / factor ** 2
            memory = _big_memory(run, (3000 // factor, 4000 // factor), speed, factor ** 2) if big else "-"
            rows.append([f"{name} (x{factor})", "upscale", f"{score:.2f} dB", f"{built_in:.2f}",
                         f"{peer:.2f} (bicubic)", speed, memory])
    return rows


def denoise_rows(store, quick: bool, big: bool) -> list[list]:
    import cv2

    name = _install(store, "dncnn_25.pth")
    rng = np.random.default_rng(0)
    rows = []
    for sigma, _colour in ((25, True), (10, True)):
        truths = [_crop(p, 128 if quick else 256) for p in PHOTOS]
        noisy = [np.clip(t + rng.normal(0, sigma, t.shape), 0, 255).astype(np.uint8) for t in truths]
        model = np.mean([psnr(t, _run("enhance.denoise_model", n, store, model=name)) for t, n in zip(truths, noisy)])
        built_in = np.mean([psnr(t, _run("enhance.denoise", n, store)) for t, n in zip(truths, noisy)])
        peer = np.mean([psnr(t, cv2.fastNlMeansDenoisingColored(n, None, sigma * 0.8, sigma * 0.8, 7, 21))
                        for t, n in zip(truths, noisy)])

        def run(px):
            return _run("enhance.denoise_model", px, store, model=name)

        speed = _seconds_per_mp(run, noisy[0])
        memory = _big_memory(run, (3000, 4000), speed) if big and sigma == 25 else "-"
        rows.append([f"{name} (sigma {sigma}, colour noise)", "denoise", f"{model:.2f} dB", f"{built_in:.2f}",
                     f"{peer:.2f} (OpenCV NLM)", speed, memory])
    return rows


def cutout_rows(store, quick: bool, big: bool) -> list[list]:
    from benchmarks.bench_cutout import _iou, ours, plain_grabcut, shots

    name = _install(store, "u2netp.onnx")
    data = shots(True)

    def run(px):
        return _run("cutout.remove_background_model", px, store, model=name)

    def alpha(rgb):
        return run((rgb * 255).round().astype(np.uint8))[..., 3] / 255.0

    model = np.mean([_iou(alpha(rgb), truth) for _, rgb, truth in data])
    built_in = np.mean([_iou(ours(rgb)[0], truth) for _, rgb, truth in data])
    peer = np.mean([_iou(plain_grabcut(rgb)[0], truth) for _, rgb, truth in data])
    speed = _seconds_per_mp(run, _crop("rocket", 256))
    memory = _big_memory(run, (3000, 4000), speed) if big else "-"
    return [[name, "cutout", f"IoU {model:.3f}", f"{built_in:.3f}", f"{peer:.3f} (GrabCut)", speed, memory]]


def overlaid(rgb: np.ndarray) -> np.ndarray:
    """White and coloured text lines drawn over the photo (DejaVu, else Pillow's font)."""
    out = rgb.astype(np.float64)
    lines = (("(c) PHOTOSTOCK 2026", "DejaVuSans-Bold.ttf", 20, (255, 255, 255), 0.6),
             ("SALE -30%", "DejaVuSerif-Bold.ttf", 18, (220, 30, 30), 0.9))
    for k, (text, font_file, size, colour, opacity) in enumerate(lines):
        layer = PILImage.new("L", (rgb.shape[1], rgb.shape[0]), 0)
        path = FONTS / font_file
        font = ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size=size)
        ImageDraw.Draw(layer).text((10, (k + 1) * rgb.shape[0] // 3 - size // 2), text, font=font, fill=255)
        a = np.asarray(layer, np.float64)[..., None] / 255 * opacity
        out = out * (1 - a) + np.asarray(colour, np.float64) * a
    return out.round().astype(np.uint8)


def text_rows(store, quick: bool, big: bool) -> list[list]:
    name = _install(store, "ch_PP-OCRv4_det_infer.onnx")
    truths = [_crop(p, 160 if quick else 256) for p in PHOTOS]
    marked = [overlaid(t) for t in truths]
    model = np.mean([psnr(t, _run("repair.remove_watermark", m, store)) for t, m in zip(truths, marked)])
    built_in = np.mean([psnr(t, _run("repair.remove_watermark", m, store, detector="built-in"))
                        for t, m in zip(truths, marked)])
    peer = np.mean([psnr(t, m) for t, m in zip(truths, marked)])

    def run(px):
        return _run("repair.detect_text", px, store)

    speed = _seconds_per_mp(run, _crop("rocket", 256))
    memory = _big_memory(run, (3000, 4000), speed) if big else "-"
    return [[f"{name} (remove_watermark, no mask)", "text", f"{model:.2f} dB", f"{built_in:.2f}",
             f"{peer:.2f} (input)", speed, memory]]


def run(quick: bool, big: bool | None = None) -> None:
    from packshot.core.models import ModelStore
    from packshot.core.plugin_host import load_plugins

    if not (WEIGHTS / "SHA256SUMS").exists():
        print(f"skipped: {WEIGHTS} (the real pretrained networks) is absent")
        return
    big = os.environ.get("PACKSHOT_BENCH_BIG") == "1" if big is None else big
    with tempfile.TemporaryDirectory() as folder:
        store = ModelStore(folder, load_plugins().model_catalogue(), device="cpu")
        rows = []
        for part in (upscale_rows, denoise_rows, cutout_rows, text_rows):
            rows += part(store, quick, big)
            store.release()
    print_table(f"Real networks against the built-in tier and a classical peer ({'quick' if quick else 'full'}; "
                f"photos {', '.join(PHOTOS)})",
                ["model", "task", "quality", "built-in", "classical peer", "s/MP (output)",
                 "12 MP peak MB (Python / RSS)"], rows)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller crops")
    parser.add_argument("--big", action="store_true", help="also measure peak memory on a 12 MP input")
    args = parser.parse_args()
    run(args.quick, args.big)
