"""Enhance family: speed, tiling overhead, memory, and quality against classical peers.

All figures come from one run on this machine: megapixels per second of every built-in
operation and of a tiny network on the CPU; tiled against untiled time; the peak memory
of a 2x upscale of a 24-megapixel photo (a child process, so its high-water mark is its
own); denoising PSNR and seconds next to OpenCV's fastNlMeans, scikit-image's non-local
means and the ``bm3d`` package; upscaling PSNR/SSIM next to Pillow's bicubic and Lanczos
(and OpenCV's FSRCNN/ESPCN when ``../shared/weights`` is present).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.photos import psnr
from benchmarks.table import best_time, print_table
from packshot.core.context import Context
from packshot.core.image import Image
from packshot.core.operation import Inputs

WEIGHTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "weights"
PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


def _photo(name: str) -> np.ndarray:
    import skimage.data

    return getattr(skimage.data, name)()


def _crop(pixels: np.ndarray, side: int) -> np.ndarray:
    h, w = pixels.shape[:2]
    side = min(side, h, w)
    return pixels[(h - side) // 2:(h - side) // 2 + side, (w - side) // 2:(w - side) // 2 + side]


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(a, b, data_range=255, channel_axis=-1))


def _run(op, pixels: np.ndarray, params: dict, tile: int = 512) -> np.ndarray:
    from packshot.core.jobs import execute

    return execute(op, Inputs(Image(pixels)), params, Context(device="cpu", tile_size=tile)).image.pixels


# ---------------------------------------------------------------- speed


def speed(quick: bool) -> None:
    from packshot.plugins.enhance.denoise import Denoise
    from packshot.plugins.enhance.sharpen import Sharpen
    from packshot.plugins.enhance.upscale import Upscale

    side = 512 if quick else 1024
    base = np.asarray(_tile_photo(side))
    mp = base.shape[0] * base.shape[1] / 1e6
    rows = []
    cases = [
        ("enhance.upscale 2x", Upscale(), {"scale": 2}),
        ("enhance.denoise fast", Denoise(), {"quality": "fast", "sigma": 15}),
        ("enhance.denoise auto (default)", Denoise(), {"sigma": 15}),
        ("enhance.denoise balanced", Denoise(), {"quality": "balanced", "sigma": 15}),
        ("enhance.denoise best", Denoise(), {"quality": "best", "sigma": 15}),
        ("enhance.denoise method=nlm", Denoise(), {"method": "nlm", "sigma": 15}),
        ("enhance.sharpen unsharp", Sharpen(), {}),
        ("enhance.sharpen clarity", Sharpen(), {"mode": "clarity", "radius": 10}),
    ]
    for label, op, params in cases:
        seconds = best_time(lambda: _run(op, base, params), repeat=1 if quick else 2)
        rows.append((label, f"{mp:.2f}", seconds, mp / seconds))
    import cv2
    from PIL import Image as PILImage

    rows.append(("peer: Pillow Lanczos 2x", f"{mp:.2f}",
                 t := best_time(lambda: PILImage.fromarray(base).resize((side * 2, side * 2), PILImage.LANCZOS)),
                 mp / t))
    rows.append(("peer: OpenCV fastNlMeansColored", f"{mp:.2f}",
                 t := best_time(lambda: cv2.fastNlMeansDenoisingColored(base, None, 15, 15, 7, 21), repeat=1),
                 mp / t))
    rows.append(("peer: OpenCV unsharp (GaussianBlur)", f"{mp:.2f}",
                 t := best_time(lambda: cv2.addWeighted(base, 1.8, cv2.GaussianBlur(base, (0, 0), 1.5), -0.8, 0)),
                 mp / t))
    tiny, untiled, tiled = _tiny_model_times(base, quick)
    rows.append(("tiny Compact 2x network (CPU, 512 tiles)", f"{mp:.2f}", tiled, mp / tiled))
    print_table(f"Speed on the CPU ({side}x{side} photo)", ("operation", "MP", "seconds", "MP/s"), rows)

    up_untiled = best_time(lambda: _run(Upscale(), base, {"scale": 2}, tile=8192), repeat=1)
    up_tiled = best_time(lambda: _run(Upscale(), base, {"scale": 2}, tile=256), repeat=1)
    print_table("Tiling overhead (same image, tiled / untiled time)",
                ("work", "untiled s", "tiled s", "tile", "overhead"),
                [(f"{tiny} network", untiled, tiled, 512, f"{tiled / untiled:.2f}x"),
                 ("built-in upscale 2x", up_untiled, up_tiled, 256, f"{up_tiled / up_untiled:.2f}x")])


def _tile_photo(side: int) -> np.ndarray:
    astro = _photo("astronaut")
    reps = -(-side // astro.shape[0])
    return np.ascontiguousarray(np.tile(astro, (reps, reps, 1))[:side, :side])


def _tiny_model_times(base: np.ndarray, quick: bool) -> tuple[str, float, float]:
    from packshot.core.models.inference import run_image_model
    from packshot.core.models.safe_load import load_spandrel
    from packshot.core.models.tiny import save_tiny

    with tempfile.TemporaryDirectory() as tmp:
        model = load_spandrel(save_tiny("compact", Path(tmp) / "tiny.safetensors"))
    ctx = Context(device="cpu")
    untiled = best_time(lambda: run_image_model(model, base, ctx, tile=8192), repeat=1)
    tiled = best_time(lambda: run_image_model(model, base, ctx, tile=512), repeat=1)
    return "tiny Compact 2x", untiled, tiled


# ---------------------------------------------------------------- memory

_MEMORY_SCRIPT = r"""
import json, resource, sys, time, tracemalloc
import numpy as np
from packshot.core.context import Context
from packshot.core.image import Image
from packshot.core.jobs import execute
from packshot.core.operation import Inputs
from packshot.plugins.enhance.upscale import Upscale
import cv2, skimage.data
h, w = 4000, 6000
astro = skimage.data.astronaut()
pixels = np.ascontiguousarray(np.tile(astro, (h // 512 + 1, w // 512 + 1, 1))[:h, :w])
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
out = execute(Upscale(), Inputs(Image(pixels)), {"scale": 2}, Context(device="cpu", tile_size=512))
seconds = time.perf_counter() - t
_, peak = tracemalloc.get_traced_memory()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"shape": list(out.image.pixels.shape), "seconds": seconds, "traced_peak": peak,
                  "rss_before": rss0 * 1024, "rss_peak": rss1 * 1024}))
"""


def memory(quick: bool) -> None:
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT], capture_output=True, text=True,
                          cwd=root, check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    gib = 1024**3
    print_table("Peak memory: built-in 2x upscale of a 24 MP photo (6000x4000 -> 12000x8000, 8-bit)",
                ("measure", "GiB", "limit"),
                [("process peak RSS (includes Python, numpy, OpenCV, input, output)", r["rss_peak"] / gib, "< 3"),
                 ("RSS before the upscale (libraries + 24 MP input)", r["rss_before"] / gib, ""),
                 ("numpy/Python allocations peak (tracemalloc)", r["traced_peak"] / gib, ""),
                 ("output array alone", 12000 * 8000 * 3 / gib, "")])
    print(f"  24 MP upscale took {r['seconds']:.1f} s ({24 / r['seconds']:.2f} input MP/s)")


# ---------------------------------------------------------------- denoise quality


def denoise_quality(quick: bool) -> None:
    import cv2
    from skimage.restoration import denoise_nl_means, estimate_sigma

    from packshot.plugins.enhance.dct_denoise import denoise_dct
    from packshot.plugins.enhance.denoise import QUALITY

    names = ("astronaut", "coffee") if quick else ("astronaut", "coffee", "chelsea")
    side = 128 if quick else 192
    rows = []
    for sigma in (15, 25, 50):
        totals: dict[str, list[float]] = {}
        for name in names:
            clean = _crop(_photo(name), side).astype(np.float32) / 255
            rng = np.random.default_rng(sigma)
            noisy = np.clip(clean + rng.normal(0, sigma / 255, clean.shape), 0, 1).astype(np.float32)
            noisy8 = (noisy * 255 + 0.5).astype(np.uint8)
            est = float(np.mean(estimate_sigma(noisy, channel_axis=-1)))
            methods = {
                "noisy input": lambda: noisy,
                "OpenCV fastNlMeansColored (h=sigma)": lambda: cv2.fastNlMeansDenoisingColored(
                    noisy8, None, sigma, sigma, 7, 21).astype(np.float32) / 255,
                "skimage NLM (h=0.8 sigma_est)": lambda: denoise_nl_means(
                    noisy, h=0.8 * est, sigma=est, fast_mode=True, patch_size=5, patch_distance=6,
                    channel_axis=-1),
                **{f"ours {quality}": lambda s=step, p=pilot, r=refine: denoise_dct(noisy, est, s, r, p)
                   for quality, (step, pilot, refine) in QUALITY.items()},
                "bm3d package (true sigma)": lambda: _bm3d(noisy, sigma / 255),
            }
            for label, fn in methods.items():
                start = time.perf_counter()
                out = np.clip(fn(), 0, 1)
                seconds = time.perf_counter() - start
                totals.setdefault(label, []).extend([psnr(clean, out, 1.0), seconds])
        for label, vals in totals.items():
            psnrs, secs = vals[0::2], vals[1::2]
            rows.append((sigma, label, float(np.mean(psnrs)), float(np.mean(secs))))
    print_table(f"Denoise: mean PSNR over {', '.join(names)} ({side}x{side} crops, Gaussian noise, "
                "clipped to 0..1; ours and NLM estimate sigma blind)",
                ("sigma", "method", "PSNR dB", "seconds/image"), rows)


def _bm3d(noisy: np.ndarray, sigma: float) -> np.ndarray:
    import bm3d

    return bm3d.bm3d_rgb(noisy, sigma)


# ---------------------------------------------------------------- upscale quality


def upscale_quality(quick: bool) -> None:
    from PIL import Image as PILImage

    from packshot.plugins.enhance.backprojection import upscale_backprojection

    names = PHOTOS[:2] if quick else PHOTOS
    sr = _opencv_networks()
    rows = []
    for scale in (2, 3, 4):
        scores: dict[str, list[tuple[float, float]]] = {}
        for name in names:
            truth = _crop(_photo(name), 384 - 384 % 12)
            h, w = truth.shape[:2]
            low = np.asarray(PILImage.fromarray(truth).resize((w // scale, h // scale), PILImage.BICUBIC))
            results = {
                "Pillow bicubic": np.asarray(PILImage.fromarray(low).resize((w, h), PILImage.BICUBIC)),
                "Pillow Lanczos": np.asarray(PILImage.fromarray(low).resize((w, h), PILImage.LANCZOS)),
                "ours (back-projection + halo guard)": _u8(upscale_backprojection(low / 255.0, scale)),
            }
            for label, net in sr.get(scale, {}).items():
                results[label] = net.upsample(np.ascontiguousarray(low[..., ::-1]))[..., ::-1]
            for label, out in results.items():
                scores.setdefault(label, []).append((psnr(truth, out), _ssim(truth, out)))
        for label, vals in scores.items():
            rows.append((f"{scale}x", label, float(np.mean([v[0] for v in vals])),
                         float(np.mean([v[1] for v in vals]))))
    print_table(f"Upscale: mean PSNR/SSIM over {', '.join(names)} (384 px crops shrunk with Pillow bicubic)",
                ("scale", "method", "PSNR dB", "SSIM"), rows)


def _u8(values: np.ndarray) -> np.ndarray:
    return (np.clip(values, 0, 1) * 255 + 0.5).astype(np.uint8)


def _opencv_networks() -> dict[int, dict[str, object]]:
    import cv2

    nets: dict[int, dict[str, object]] = {}
    for algo, stem in (("fsrcnn", "FSRCNN"), ("espcn", "ESPCN")):
        for scale in (2, 3, 4):
            path = WEIGHTS / f"{stem}_x{scale}.pb"
            if path.exists():
                sr = cv2.dnn_superres.DnnSuperResImpl_create()
                sr.readModel(str(path))
                sr.setModel(algo, scale)
                nets.setdefault(scale, {})[f"OpenCV {stem} (model tier)"] = sr
    return nets


# ---------------------------------------------------------------- JPEG clean-up

# The photos enhance.deblock's noise level was fitted on, and the ones it never saw (grey
# ones as RGB).
DEBLOCK_TUNING = PHOTOS
DEBLOCK_HELD_OUT = ("hubble_deep_field", "immunohistochemistry", "retina", "camera", "grass", "brick",
                    "clock", "coins", "moon")


def _refined_deblock(jpeg: np.ndarray, quality: int, tile: int = 512) -> np.ndarray:
    """enhance.deblock before it dropped the non-local-means pass (commit f1aee77)."""
    from packshot.plugins.enhance.dct_denoise import ALIGN, MARGIN, denoise_dct
    from packshot.plugins.enhance.deblock import JPEG_NOISE_PER_QUALITY
    from packshot.plugins.enhance.padded_tiles import map_tiles

    sigma = (100 - quality) / 100 * JPEG_NOISE_PER_QUALITY
    return map_tiles(lambda b: np.clip(denoise_dct(b, sigma, 2), 0.0, 1.0), jpeg, tile=tile, margin=MARGIN,
                     align=ALIGN)


def _opencv_deblock(jpeg: np.ndarray, quality: int) -> np.ndarray:
    """OpenCV's fastNlMeansDenoisingColored at the strength deblock gives the quality."""
    import cv2

    from packshot.plugins.enhance.deblock import jpeg_noise

    h = jpeg_noise(quality) * 255
    return cv2.fastNlMeansDenoisingColored(jpeg, None, h, h, 7, 21)


def _jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(pixels).save(buf, "JPEG", quality=quality)
    return np.asarray(PILImage.open(buf))


def deblock_speed(quick: bool) -> None:
    from packshot.plugins.enhance.deblock import RestoreJpeg

    width, height = (1000, 750) if quick else (4000, 3000)
    astro = _photo("astronaut")
    pixels = _jpeg(np.ascontiguousarray(np.tile(astro, (height // 512 + 1, width // 512 + 1, 1))[:height, :width]), 50)
    mp = width * height / 1e6
    rows = [(label, best_time(fn, repeat=1)) for label, fn in (
        ("enhance.deblock (default, quality 50)", lambda: _run(RestoreJpeg(), pixels, {"jpeg_quality": 50})),
        ("before: refined with non-local means", lambda: _refined_deblock(pixels, 50)),
        ("peer: OpenCV fastNlMeansDenoisingColored", lambda: _opencv_deblock(pixels, 50)),
    )]
    print_table(f"enhance.deblock speed at {width}x{height} ({mp:.0f} MP, tiles of 512 on every core)",
                ("method", "seconds", "MP/s"), [(label, t, mp / t) for label, t in rows])


def deblock_quality(quick: bool) -> None:
    from packshot.plugins.enhance.deblock import RestoreJpeg

    qualities = (20, 50, 80) if quick else (10, 20, 30, 50, 70, 90)
    rows = []
    for label, names in (("tuning", DEBLOCK_TUNING), ("held-out", DEBLOCK_HELD_OUT)):
        names = names[:2] if quick else names
        for quality in qualities:
            gains: dict[str, list[float]] = {"now": [], "before": [], "OpenCV": []}
            for name in names:
                photo = _photo(name)
                photo = np.stack([photo] * 3, axis=-1) if photo.ndim == 2 else photo[..., :3]
                truth = np.ascontiguousarray(_crop(photo, 192))
                jpeg = _jpeg(truth, quality)
                base = psnr(truth, jpeg)
                gains["now"].append(psnr(truth, _run(RestoreJpeg(), jpeg, {"jpeg_quality": quality})) - base)
                gains["before"].append(psnr(truth, _refined_deblock(jpeg, quality)) - base)
                gains["OpenCV"].append(psnr(truth, _opencv_deblock(jpeg, quality)) - base)
            rows.append((label, quality, *(float(np.mean(v)) for v in gains.values())))
    print_table("enhance.deblock: mean PSNR gain over the JPEG (dB, 192 px centre crops); tuning: "
                f"{', '.join(DEBLOCK_TUNING)}; held-out: {', '.join(DEBLOCK_HELD_OUT)}",
                ("photos", "JPEG quality", "now", "before (refined)", "OpenCV fastNlMeans"), rows)


def run(quick: bool) -> None:
    speed(quick)
    memory(quick)
    upscale_quality(quick)
    denoise_quality(quick)
    deblock_quality(quick)
    deblock_speed(quick)
