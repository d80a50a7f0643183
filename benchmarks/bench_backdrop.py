"""Backdrop generation speed at 4000x4000 (16 MP), every style, next to libvips; and
rendering a fitted backdrop field (the cut-out's and extend's) next to its former formula.

The generation peer is libvips' own Perlin noise (``pyvips.Image.perlin``) at the same
size, brought into numpy, measured in the same run: what a texture costs with a fast C
library doing the noise. The field's peer is the (pixels x terms) basis product that
``BackdropFit.render`` used before it went row by row, kept here only for comparison.
"""

from __future__ import annotations

import tracemalloc

import numpy as np

from benchmarks.table import best_time, print_table
from packshot.core.backdrop_fit import BackdropFit, fit_backdrop
from packshot.core.synthetic import studio_shot
from packshot.plugins.generate.backdrops import STYLES, BackdropSpec, render_backdrop


def basis_render(fit: BackdropFit, height: int, width: int) -> np.ndarray:
    """The former render: mgrid coordinates, a float64 monomial basis per pixel, one product."""
    yy, xx = np.mgrid[0:height, 0:width]
    u = 2 * (xx.ravel() / max(width - 1, 1)) - 1
    v = 2 * (yy.ravel() / max(height - 1, 1)) - 1
    basis = np.stack([u**i * v**j for i in range(fit.degree + 1) for j in range(fit.degree + 1 - i)], axis=1)
    return (basis @ fit.coeffs).reshape(height, width, 3).astype(np.float32)


def _peak_mib(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def fitted_field(quick: bool) -> None:
    """Render time and peak memory (numpy's allocations, by tracemalloc) of the field at the
    cut-out's working size and at 12 MP, row by row against the former basis formula."""
    rgb, _ = studio_shot(300, 400, colour=(0.2, 0.3, 0.6), seed=1)
    fit = fit_backdrop(rgb)
    rows = []
    for height, width in ((768, 1024), (1500, 2000) if quick else (3000, 4000)):
        ours, former = (lambda: fit.render(height, width)), (lambda: basis_render(fit, height, width))
        diff = float(np.abs(ours() - former()).max())
        t_ours, t_former = best_time(ours, 3), best_time(former, 2)
        rows.append([f"{width}x{height}", t_ours, t_former, t_former / t_ours,
                     _peak_mib(ours), _peak_mib(former), f"{diff:.1e}"])
    print_table("Fitted backdrop field (degree 2, float32 RGB out), best of the runs",
                ["size", "row by row s", "basis s", "basis / row by row", "row by row MiB", "basis MiB",
                 "max |diff|"], rows)


def run(quick: bool) -> None:
    fitted_field(quick)
    size = 1000 if quick else 4000
    repeat = 1 if not quick else 2
    rows = []
    peer = None
    try:
        import pyvips

        peer = best_time(lambda: pyvips.Image.perlin(size, size, cell_size=max(size // 16, 8)).numpy(), repeat)
    except ImportError:
        print("pyvips not installed: no libvips peer (pip install pyvips pyvips-binary)")
    for style in STYLES:
        seconds = best_time(lambda s=style: render_backdrop(size, size, BackdropSpec(style=s),
                                                              np.random.default_rng(0)), repeat)
        rows.append([style, seconds, size * size / 1e6 / seconds, seconds / peer if peer else "-"])
    print_table(f"Backdrops at {size}x{size} (RGB float32)",
                ["style", "seconds", "MP/s", "x libvips perlin time"], rows)
    if peer:
        print(f"libvips perlin {size}x{size} (one channel): {peer:.3f} s")
