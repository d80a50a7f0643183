"""Exemplar fill for large holes: multi-scale PatchMatch with patch voting (Wexler et al.).

Diffusion fills (Telea, Navier-Stokes, biharmonic) smear a large hole into a blur; this
copies texture from the rest of the window instead, as Content-Aware Fill does. The
coarsest level is filled ring by ring from the hole's edge by exact patch search (so
structure runs in from the boundary), finer levels refine the texture with PatchMatch;
every hole pixel is the weighted vote of all patches that cover it, which keeps the fill
coherent and its error low.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from packshot.core.resample import shrink_with_mask

from .threads import one_opencv_thread

Progress = Callable[[float, str], None]

PATCH = 7
SIMILARITY_PERCENTILE = 75.0
BOUNDARY_DECAY = 1.3
COARSEST = 6


def exemplar_fill(rgb: np.ndarray, hole: np.ndarray, *, rng: np.random.Generator,
                  patch: int = PATCH, progress: Progress | None = None) -> np.ndarray:
    """Fill ``hole`` (bool HxW) of float RGB ``rgb`` from the known pixels around it.

    Pixels outside the hole come back unchanged. ``progress`` is called once per
    EM iteration (it may raise Cancelled).
    """
    hole = np.asarray(hole, bool)
    if not hole.any():
        return rgb.copy()
    if hole.all():
        raise ValueError("exemplar fill needs some known pixels to copy from")
    with one_opencv_thread():
        estimate = _fill(rgb.astype(np.float32), hole, rng, patch, progress)
    out = rgb.astype(np.float32).copy()
    out[hole] = estimate[hole]
    return out


def _fill(rgb: np.ndarray, hole: np.ndarray, rng: np.random.Generator, patch: int,
          progress: Progress | None) -> np.ndarray:
    """Coarse to fine: the coarsest level by onion fill, then EM at every level."""
    pyramid = _pyramid(rgb, hole, patch)
    schedule = [(level, _iterations(level)) for level in range(len(pyramid) - 1, -1, -1)]
    total = sum(n for _, n in schedule)
    done = 0
    estimate = nnf = None
    for level, iterations in schedule:
        image, level_hole = pyramid[level]
        if estimate is None:
            estimate = _onion_fill(image, level_hole, patch, rng)
        else:
            estimate = _upsample_into(image, level_hole, estimate)
        filler = _Level(estimate, level_hole, patch, rng)
        filler.init_nnf(nnf)
        for _ in range(iterations):
            if progress is not None:
                progress(done / total, "exemplar fill")
            filler.search(passes=2)
            filler.vote()
            done += 1
        estimate, nnf = filler.image, filler.field
    assert estimate is not None  # the schedule has at least one level
    return estimate


def _iterations(level: int) -> int:
    """More EM iterations where they are cheap (coarse), fewer at full size."""
    return 3 if level == 0 else 6


def _pyramid(rgb: np.ndarray, hole: np.ndarray, patch: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Halve until the hole is a few patches across (but keep enough known texture)."""
    ys, xs = np.nonzero(hole)
    extent = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1)
    levels = [(rgb, hole)]
    while extent > COARSEST * patch and min(levels[-1][0].shape[:2]) >= 8 * patch:
        image, level_hole = levels[-1]
        size = ((image.shape[1] + 1) // 2, (image.shape[0] + 1) // 2)
        small, small_hole = shrink_with_mask(image, level_hole, size)
        levels.append((small, small_hole))
        extent = (extent + 1) // 2
    return levels


def _onion_fill(image: np.ndarray, hole: np.ndarray, patch: int, rng: np.random.Generator,
                max_sources: int = 20000) -> np.ndarray:
    """Fill the coarsest hole ring by ring from its edge, each pixel from the known patch
    that best matches what is already known around it (exact search; the level is small)."""
    import cv2
    from numpy.lib.stride_tricks import sliding_window_view

    r = patch // 2
    h, w = hole.shape
    img = image.astype(np.float32).copy()
    img[hole] = 0.0
    known = ~hole
    kernel = np.ones((patch, patch), np.uint8)
    source = cv2.erode(known.astype(np.uint8), kernel, borderValue=0) > 0
    sy, sx = np.nonzero(source)
    if sy.size == 0:
        sy, sx = np.nonzero(known)
    if sy.size > max_sources:
        pick = rng.choice(sy.size, max_sources, replace=False)
        sy, sx = sy[pick], sx[pick]
    pad = ((r, r), (r, r), (0, 0))
    sources = sliding_window_view(np.pad(img, pad, mode="edge"), (patch, patch), axis=(0, 1))[sy, sx]
    sources = np.ascontiguousarray(sources.reshape(sy.size, -1), dtype=np.float32)
    # Squared source values summed over the channels: the mask weighs each pixel once.
    source_sq = np.ascontiguousarray((sources**2).reshape(sy.size, 3, -1).sum(1))
    centre = img[sy, sx]
    no_addend = np.empty((0, 0), np.float32)  # gemm's third matrix, weighted 0
    ring = np.ones((3, 3), np.uint8)
    while not known.all():
        front = ~known & (cv2.dilate(known.astype(np.uint8), ring) > 0)
        fy, fx = np.nonzero(front)
        padded = np.pad(img, pad, mode="edge")
        weights = np.pad(known.astype(np.float32), ((r, r), (r, r)))
        t = sliding_window_view(padded, (patch, patch), axis=(0, 1))[fy, fx].reshape(fy.size, 3, -1)
        k = np.ascontiguousarray(sliding_window_view(weights, (patch, patch))[fy, fx].reshape(fy.size, -1))
        kt = np.ascontiguousarray((k[:, None] * t).reshape(fy.size, -1))
        # Masked SSD to every source, in two products. cv2.gemm, not numpy's matmul: these
        # products are many and small, and a multi-threaded BLAS waits a scheduler slice
        # for its second thread whenever the other core is busy; OpenCV's threads can be
        # held at one (see threads), numpy's BLAS threads cannot.
        dist = ((kt * t.reshape(fy.size, -1)).sum(1)[:, None]
                - 2.0 * cv2.gemm(kt, sources, 1.0, no_addend, 0.0, flags=cv2.GEMM_2_T)
                + cv2.gemm(k, source_sq, 1.0, no_addend, 0.0, flags=cv2.GEMM_2_T))
        best = np.argmin(dist / np.maximum(k.sum(1), 1.0)[:, None], axis=1)
        img[fy, fx] = centre[best]
        known = known | front
    return img


def _upsample_into(image: np.ndarray, hole: np.ndarray, coarse: np.ndarray) -> np.ndarray:
    import cv2

    up = cv2.resize(coarse, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    out[hole] = up[hole]
    return out


class _Level:
    """One pyramid level: the nearest-neighbour field from hole patches to known patches."""

    def __init__(self, image: np.ndarray, hole: np.ndarray, patch: int, rng: np.random.Generator):
        import cv2
        from scipy.ndimage import distance_transform_edt

        self.r = r = patch // 2
        self.patch = patch
        self.rng = rng
        self.hole = hole
        self.shape = hole.shape
        h, w = hole.shape
        self.image = image.astype(np.float32).copy()
        kernel = np.ones((patch, patch), np.uint8)
        touched = cv2.dilate(hole.astype(np.uint8), kernel) > 0
        # Source centres: whole patch inside the image and fully known.
        source = ~touched
        source[:r], source[h - r:], source[:, :r], source[:, w - r:] = False, False, False, False
        if not source.any():
            source = ~hole
        self.source = source
        self.source_ys, self.source_xs = np.nonzero(source)
        self.ty, self.tx = np.nonzero(touched)
        self.index = -np.ones(self.shape, np.int64)
        self.index[self.ty, self.tx] = np.arange(self.ty.size)
        depth = distance_transform_edt(hole)
        self.confidence = (BOUNDARY_DECAY ** -depth[self.ty, self.tx]).astype(np.float32)
        self.nnf = np.zeros((2, self.ty.size), np.int64)
        self.dist = np.full(self.ty.size, np.inf, np.float32)

    # ------------------------------------------------------------------ NNF

    def init_nnf(self, coarse: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        """Random sources, or the coarser level's field scaled up where it stays valid."""
        pick = self.rng.integers(0, self.source_ys.size, self.ty.size)
        sy, sx = self.source_ys[pick], self.source_xs[pick]
        if coarse is not None:
            cnnf, cty, ctx = coarse
            cindex = -np.ones((cty.max() + 2, ctx.max() + 2), np.int64)
            cindex[cty, ctx] = np.arange(cty.size)
            py, px = self.ty // 2, self.tx // 2
            inside = (py < cindex.shape[0]) & (px < cindex.shape[1])
            j = np.where(inside, cindex[np.minimum(py, cindex.shape[0] - 1),
                                        np.minimum(px, cindex.shape[1] - 1)], -1)
            have = j >= 0
            uy = 2 * cnnf[0, j[have]] + (self.ty[have] - 2 * py[have])
            ux = 2 * cnnf[1, j[have]] + (self.tx[have] - 2 * px[have])
            ok = self._valid(uy, ux)
            sy[np.flatnonzero(have)[ok]] = uy[ok]
            sx[np.flatnonzero(have)[ok]] = ux[ok]
        self.nnf = np.stack([sy, sx])
        self._refresh_targets()
        self.dist = self._distance(sy, sx)

    @property
    def field(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.nnf, self.ty, self.tx

    def _valid(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        h, w = self.shape
        inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
        ok = np.zeros(y.shape, bool)
        ok[inside] = self.source[y[inside], x[inside]]
        return ok

    def _patches(self, y: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Patches centred at (y, x) as (N, 3*patch*patch), from the edge-padded image."""
        return self._windows[y, x].reshape(y.size, -1)

    def _refresh_targets(self) -> None:
        from numpy.lib.stride_tricks import sliding_window_view

        r = self.r
        self._padded = np.pad(self.image, ((r, r), (r, r), (0, 0)), mode="edge")
        self._windows = sliding_window_view(self._padded, (self.patch, self.patch), axis=(0, 1))
        self._targets = self._patches(self.ty, self.tx)

    def _distance(self, sy: np.ndarray, sx: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        targets = self._targets if rows is None else self._targets[rows]
        diff = self._patches(sy, sx) - targets
        return np.einsum("ij,ij->i", diff, diff)

    def _try(self, rows: np.ndarray, cy: np.ndarray, cx: np.ndarray) -> None:
        ok = self._valid(cy, cx)
        rows, cy, cx = rows[ok], cy[ok], cx[ok]
        if rows.size == 0:
            return
        d = self._distance(cy, cx, rows)
        better = d < self.dist[rows]
        rows = rows[better]
        self.nnf[0, rows], self.nnf[1, rows] = cy[better], cx[better]
        self.dist[rows] = d[better]

    def search(self, passes: int) -> None:
        """PatchMatch: propagate good matches from neighbours, then random search."""
        h, w = self.shape
        all_rows = np.arange(self.ty.size)
        for step in range(passes):
            jump = 1 if step % 2 == 0 else 4
            for dy, dx in ((0, jump), (jump, 0), (0, -jump), (-jump, 0)):
                ny, nx = self.ty - dy, self.tx - dx
                inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
                j = np.full(self.ty.size, -1, np.int64)
                j[inside] = self.index[ny[inside], nx[inside]]
                rows = all_rows[j >= 0]
                nb = j[j >= 0]
                self._try(rows, self.nnf[0, nb] + dy, self.nnf[1, nb] + dx)
            radius = max(h, w)
            while radius >= 1:
                off = self.rng.integers(-radius, radius + 1, (2, self.ty.size))
                self._try(all_rows, self.nnf[0] + off[0], self.nnf[1] + off[1])
                radius //= 2

    # ------------------------------------------------------------------ voting

    def vote(self) -> None:
        """Every hole pixel becomes the weighted mean of what its covering patches say."""
        r = self.r
        sigma2 = max(float(np.percentile(self.dist, SIMILARITY_PERCENTILE)), 1e-6)
        weight = np.exp(-self.dist / (2.0 * sigma2)).astype(np.float32) * self.confidence
        h, w = self.shape
        acc = np.zeros((3, h * w), np.float64)
        norm = np.zeros(h * w, np.float64)
        padded = self._padded  # the image as padded when the targets were last taken: unchanged since
        sy, sx = self.nnf
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                qy, qx = self.ty + dy, self.tx + dx
                inside = (qy >= 0) & (qy < h) & (qx >= 0) & (qx < w)
                qy, qx = qy[inside], qx[inside]
                into = self.hole[qy, qx]
                qy, qx = qy[into], qx[into]
                sel = np.flatnonzero(inside)[into]
                flat = qy * w + qx
                wt = weight[sel]
                values = padded[sy[sel] + dy + r, sx[sel] + dx + r] * wt[:, None]
                for c in range(3):
                    acc[c] += np.bincount(flat, values[:, c], minlength=h * w)
                norm += np.bincount(flat, wt, minlength=h * w)
        norm = norm.reshape(h, w)
        filled = self.hole & (norm > 0)
        self.image[filled] = (acc.reshape(3, h, w)[:, filled] / norm[filled]).T
        self._refresh_targets()
        self.dist = self._distance(sy, sx)
