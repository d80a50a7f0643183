"""Backdrop generation speed at 4000x4000 (16 MP), every style, next to libvips.

The peer is libvips' own Perlin noise (``pyvips.Image.perlin``) at the same size,
brought into numpy, measured in the same run: what a texture costs with a fast C
library doing the noise.
"""

from __future__ import annotations

import numpy as np

from benchmarks.table import best_time, print_table
from packshot.plugins.generate.backdrops import STYLES, BackdropSpec, render_backdrop


def run(quick: bool) -> None:
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
