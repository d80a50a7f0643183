"""Render the bundled sample product photos (``python -m packshot.resources.samples.make``)."""

from pathlib import Path

import numpy as np
from PIL import Image

from packshot.core.synthetic import apply_cast, plant_spots, studio_shot

SAMPLES = [
    # name, shape, product colour, illuminant (a warm tungsten, a cool shade, a green-ish LED)
    ("bottle_warm_cast", "bottle", (0.72, 0.16, 0.12), (1.0, 0.86, 0.62)),
    ("mug_cool_cast", "mug", (0.15, 0.35, 0.62), (0.78, 0.9, 1.0)),
    ("box_dusty", "box", (0.85, 0.7, 0.2), (0.95, 1.0, 0.9)),
]


def main() -> None:
    here = Path(__file__).parent
    for i, (name, shape, colour, illuminant) in enumerate(SAMPLES):
        rgb, alpha = studio_shot(900, 1200, shape=shape, colour=colour, seed=i, noise=0.006)
        rgb, _ = plant_spots(rgb, 6 if "dusty" in name else 2, seed=i, avoid=alpha)
        rgb = apply_cast(0.1 + 0.8 * rgb, illuminant)
        Image.fromarray((rgb * 255 + 0.5).astype(np.uint8)).save(here / f"{name}.jpg", quality=92)


if __name__ == "__main__":
    main()
