"""Synthetic studio shots with known ground truth, for tests, benchmarks and samples.

A studio packshot is a product on a neutral seamless backdrop with a soft light
fall-off and a contact shadow. Making them here gives tests exact truths to measure
against: the product's alpha, the backdrop's true neutral, the illuminant of a cast.
"""

from __future__ import annotations

import numpy as np

SHAPES = ("bottle", "mug", "box", "ball")


def backdrop(height: int, width: int, tone: float = 0.9, falloff: float = 0.12) -> np.ndarray:
    """A neutral seamless sweep: brighter at the top, darker towards the floor edges."""
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    lum = tone - falloff * (0.6 * y**2 + 0.4 * x**2)
    return np.repeat(np.clip(lum, 0, 1)[..., None], 3, axis=2).astype(np.float32)


def _supersampled(height: int, width: int, inside, factor: int = 4) -> np.ndarray:
    ys = (np.arange(height * factor, dtype=np.float32) + 0.5) / (height * factor)
    xs = (np.arange(width * factor, dtype=np.float32) + 0.5) / (width * factor)
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    hit = inside(yy, xx).astype(np.float32)
    return hit.reshape(height, factor, width, factor).mean(axis=(1, 3))


def shape_alpha(height: int, width: int, shape: str = "bottle") -> np.ndarray:
    """An anti-aliased product silhouette, centred, about 60 % of the frame tall."""
    aspect = width / height

    def bottle(y, x):
        cx = (x - 0.5) * aspect
        body = (np.abs(cx) < 0.13) & (y > 0.38) & (y < 0.84)
        shoulder = ((cx / 0.13) ** 2 + ((y - 0.38) / 0.1) ** 2 < 1) & (y <= 0.38)
        neck = (np.abs(cx) < 0.045) & (y > 0.2) & (y <= 0.32)
        return body | shoulder | neck

    def mug(y, x):
        cx = (x - 0.45) * aspect
        body = (np.abs(cx) < 0.17) & (y > 0.4) & (y < 0.82)
        r = np.sqrt(((cx - 0.19) / 0.09) ** 2 + ((y - 0.6) / 0.11) ** 2)
        handle = (r < 1.0) & (r > 0.62) & (cx > 0.15)
        return body | handle

    def box(y, x):
        cx = (x - 0.5) * aspect
        return (np.abs(cx) < 0.22) & (y > 0.3) & (y < 0.82)

    def ball(y, x):
        cx = (x - 0.5) * aspect
        return cx**2 + (y - 0.58) ** 2 < 0.22**2

    inside = {"bottle": bottle, "mug": mug, "box": box, "ball": ball}[shape]
    return _supersampled(height, width, inside).astype(np.float32)


def studio_shot(height: int = 480, width: int = 640, shape: str = "bottle",
                colour: tuple[float, float, float] = (0.75, 0.18, 0.12), seed: int = 0,
                noise: float = 0.01, shadow: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """A product on a neutral backdrop, as float RGB 0..1, with its true alpha."""
    rng = np.random.default_rng(seed)
    bg = backdrop(height, width)
    alpha = shape_alpha(height, width, shape)
    if shadow:
        import scipy.ndimage as ndi

        rows = np.nonzero(alpha.max(axis=1) > 0.5)[0]
        bottom = rows.max() if rows.size else height - 1
        foot = np.zeros_like(alpha)
        cols = np.nonzero(alpha[bottom] > 0.5)[0]
        if cols.size:
            foot[max(bottom - 3, 0):bottom + 3, cols.min():cols.max() + 1] = 1.0
        soft = ndi.gaussian_filter(foot, sigma=max(height, width) / 60)
        soft /= max(soft.max(), 1e-6)
        bg = bg * (1.0 - 0.45 * soft[..., None])
    xs = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    cols = np.nonzero(alpha.max(axis=0) > 0.5)[0]
    if cols.size:
        centre = (cols.min() + cols.max()) / 2 / width * 2 - 1
        half = max((cols.max() - cols.min()) / width, 1e-3)
        u = np.clip((xs - centre) / half, -1, 1)
    else:
        u = xs
    shade = (0.55 + 0.45 * np.sqrt(np.clip(1 - u**2, 0, 1))).astype(np.float32)
    highlight = np.exp(-((u + 0.45) ** 2) / 0.01).astype(np.float32) * 0.35
    product = np.asarray(colour, np.float32)[None, None, :] * shade[..., None] + highlight[..., None]
    product = np.broadcast_to(product, bg.shape)
    rgb = bg * (1 - alpha[..., None]) + product * alpha[..., None]
    if noise > 0:
        rgb = rgb + rng.normal(0, noise, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0, 1).astype(np.float32), alpha


def apply_cast(rgb: np.ndarray, illuminant: tuple[float, float, float]) -> np.ndarray:
    """Light the scene with an illuminant (per-channel gains, normalised to green = 1)."""
    gains = np.asarray(illuminant, np.float32) / float(illuminant[1])
    return np.clip(rgb * gains, 0, 1).astype(np.float32)


def plant_spots(rgb: np.ndarray, count: int, seed: int = 0, radius: tuple[int, int] = (2, 5),
                avoid: np.ndarray | None = None, contrast: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Dust spots (soft dark or bright discs) where ``avoid`` is 0; returns image and spot mask."""
    rng = np.random.default_rng(seed)
    h, w = rgb.shape[:2]
    out = rgb.copy()
    mask = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    placed = 0
    tries = 0
    while placed < count and tries < count * 200:
        tries += 1
        r = int(rng.integers(radius[0], radius[1] + 1))
        cy, cx = int(rng.integers(r + 2, h - r - 2)), int(rng.integers(r + 2, w - r - 2))
        y0, y1, x0, x1 = cy - 3 * r, cy + 3 * r + 1, cx - 3 * r, cx + 3 * r + 1
        if avoid is not None and avoid[max(y0, 0):y1, max(x0, 0):x1].max() > 0.01:
            continue
        if mask[max(y0, 0):y1, max(x0, 0):x1].max() > 0:
            continue
        d = np.sqrt((yy[y0:y1, x0:x1] - cy) ** 2 + (xx[y0:y1, x0:x1] - cx) ** 2)
        spot = np.clip(r + 0.5 - d, 0, 1).astype(np.float32)
        sign = -1.0 if rng.random() < 0.7 else 1.0
        out[y0:y1, x0:x1] = np.clip(out[y0:y1, x0:x1] + sign * contrast * spot[..., None], 0, 1)
        mask[y0:y1, x0:x1] = np.maximum(mask[y0:y1, x0:x1], (spot > 0).astype(np.float32))
        placed += 1
    return out, mask


def photo_product_shot(photo: np.ndarray, height: int = 360, width: int = 480, seed: int = 0,
                       backdrop_rgb: tuple[float, float, float] = (0.86, 0.87, 0.9),
                       gradient: float = 0.12, shadow: float = 0.4,
                       noise: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """A real photograph's object cut with a known soft alpha onto a studio backdrop.

    ``photo`` (any HxWx3 array, e.g. from ``skimage.data``) gives the product's texture;
    the alpha is a wavy anti-aliased blob, so the truth is exact. The backdrop has a
    vertical gradient, a contact shadow under the blob, and sensor noise.
    """
    import scipy.ndimage as ndi

    rng = np.random.default_rng(seed)
    src = np.asarray(photo, np.float32)
    src = src / (255.0 if src.max() > 1.5 else 1.0)
    phase, lobes = rng.uniform(0, 2 * np.pi), int(rng.integers(3, 7))
    aspect = width / height

    def blob(y, x):
        cx, cy = (x - 0.5) * aspect, y - 0.52
        r = np.sqrt(cx**2 + (cy * 0.8) ** 2)
        theta = np.arctan2(cy, cx)
        return r < 0.3 * (1 + 0.12 * np.sin(lobes * theta + phase))

    alpha = _supersampled(height, width, blob)
    ys = np.linspace(0, src.shape[0] - 1, height).astype(int)
    xs = np.linspace(0, src.shape[1] - 1, width).astype(int)
    product = src[ys][:, xs, :3]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    bg = np.asarray(backdrop_rgb, np.float32)[None, None, :] * (1 - gradient * y)
    bg = np.broadcast_to(bg, (height, width, 3)).copy()
    if shadow > 0:
        rows = np.nonzero(alpha.max(axis=1) > 0.5)[0]
        foot = np.zeros_like(alpha)
        if rows.size:
            foot[rows.max() - 4:rows.max() + 4] = alpha[rows.max() - 30:rows.max() - 22].max(axis=0)
        soft = ndi.gaussian_filter(foot, sigma=max(height, width) / 50)
        bg *= 1 - shadow * (soft / max(soft.max(), 1e-6))[..., None]
    rgb = bg * (1 - alpha[..., None]) + product * alpha[..., None]
    rgb = rgb + rng.normal(0, noise, rgb.shape).astype(np.float32)
    return np.clip(rgb, 0, 1).astype(np.float32), alpha
