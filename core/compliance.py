"""Checking a finished file against a shop's rules, the way the shop's upload check would.

For each file: background purity (the share of border pixels exactly the required colour,
then of the backdrop all around the product), product fill (the product's bounding box
against the frame, on its tighter axis), pixel size and aspect, bit depth, colour space,
file size and format. Each rule the preset's ``[check]`` table sets gives a pass, a fail
with the reason, or "cannot tell" with the reason; what it does not set is measured and
shown for information. The file is read as the shop would: 16-bit pixels rounded to 8 bits,
and nothing decoded before its header has passed the size limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BadInput
from .export import PRODUCT_TOLERANCE, product_box
from .icc import is_srgb, profile_name
from .imageio import load_image, open_header

BORDER_SHARE = 0.01  # the border band is 1 % of the shorter side (at least one pixel)
EDGE_BAND = 32  # px along the product's edge left out of the backdrop: a JPEG export rings up to 25 px out
JPEG_BLOCK = 8  # px: how far a JPEG's ringing reaches out of a hard edge at usual qualities
RECTANGLE = 0.98  # what stands out of the background and fills this much of its box is a rectangle


@dataclass
class Finding:
    """One measurement; ``ok`` None with a ``rule`` means the rule was set but cannot be decided."""

    name: str
    value: str
    ok: bool | None  # None: measured for information (no rule), or "cannot tell" (a rule)
    rule: str = ""

    @property
    def undecided(self) -> bool:
        return self.ok is None and bool(self.rule)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "ok": self.ok, "rule": self.rule}


@dataclass
class CheckReport:
    path: Path
    preset: str
    findings: list[Finding] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and all(f.ok is not False and not f.undecided for f in self.findings)

    @property
    def failed(self) -> bool:
        return bool(self.error) or any(f.ok is False for f in self.findings)

    @property
    def doubts(self) -> list[str]:
        return [f"{f.name}: {f.value}" for f in self.findings if f.undecided]

    @property
    def reasons(self) -> list[str]:
        if self.error:
            return [self.error]
        return [f"{f.name} {f.value} (needs {f.rule})" for f in self.findings if f.ok is False]

    def get(self, name: str) -> Finding:
        return next(f for f in self.findings if f.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "preset": self.preset, "passed": self.passed,
                "reasons": self.reasons, "cannot_tell": self.doubts,
                "findings": [f.to_dict() for f in self.findings]}


def border_purity(pixels: np.ndarray, colour: tuple[int, int, int], share: float = BORDER_SHARE) -> float:
    """The share of pixels in the frame's border band that are exactly ``colour`` (and opaque)."""
    h, w = pixels.shape[:2]
    band = max(1, round(min(h, w) * share))
    ring = np.ones((h, w), bool)
    ring[band:h - band, band:w - band] = False
    exact = (pixels[..., :3] == np.asarray(colour, pixels.dtype)).all(axis=2)
    if pixels.shape[2] == 4:
        exact &= pixels[..., 3] == np.iinfo(pixels.dtype).max
    return float(exact[ring].mean())


def background_finding(pixels: np.ndarray, colour: tuple[int, int, int], needed: float) -> Finding:
    """Whether the product stands on ``colour``: the frame's border first, then the backdrop
    all around the product (all but the product and a band along its edge, where JPEG rings).

    A photo letterboxed onto bars of ``colour`` has a pure border and a pure backdrop around
    its rectangle, and so does a box shot square-on: when what stands out of ``colour`` is a
    rectangle that is not a single colour, the answer is "cannot tell".
    """
    rule, name = f"at least {needed:.0%}", "background purity"
    border = border_purity(pixels, colour)
    if border < needed:
        return Finding(name, f"{border:.1%} of border pixels exactly {colour}", False, rule)
    content = _stands_out(pixels, colour)
    box = _box(content)
    if box is None:
        return Finding(name, f"{border:.1%} of border pixels exactly {colour}; no product found", None, rule)
    if _is_rectangle(content, box) and not _one_colour(pixels, box):
        return Finding(name, f"cannot tell: what stands out of {colour} is a rectangle (a photo letterboxed "
                             "onto bars, or a box shot square-on)", None, rule)
    backdrop = ~_grown(content, EDGE_BAND)
    if not backdrop.any():
        return Finding(name, "cannot tell: no backdrop is left around the product", None, rule)
    purity = float(_exactly(pixels, colour)[backdrop].mean())
    return Finding(name, f"{purity:.1%} of the backdrop around the product exactly {colour}",
                   purity >= needed, rule)


def _exactly(pixels: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    exact = (pixels[..., :3] == np.asarray(colour, pixels.dtype)).all(axis=2)
    if pixels.shape[2] == 4:
        exact &= pixels[..., 3] == np.iinfo(pixels.dtype).max
    return exact


def _stands_out(pixels: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """What differs from ``colour`` by more than the export's product tolerance, or is not opaque."""
    diff = np.abs(pixels[..., :3].astype(np.int16) - np.asarray(colour, np.int16)).max(axis=2)
    out = diff > PRODUCT_TOLERANCE
    if pixels.shape[2] == 4:
        out |= pixels[..., 3] < 255
    return out


def _box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _is_rectangle(mask: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether ``mask`` fills ``box`` edge to edge, judged one JPEG block inside the box: a
    JPEG's ringing puts faint pixels just outside a pasted photo's edge, which widen the box."""
    x0, y0, x1, y1 = box
    inset = min(JPEG_BLOCK, (x1 - x0) // 4, (y1 - y0) // 4)
    inside = mask[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    edges = (inside[0], inside[-1], inside[:, 0], inside[:, -1])
    return inside.mean() >= RECTANGLE and all(edge.mean() >= RECTANGLE for edge in edges)


def _one_colour(pixels: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the box holds one flat colour (a plain product, not a picture within the picture)."""
    x0, y0, x1, y1 = box
    inside = pixels[y0:y1, x0:x1, :3].reshape(-1, 3).astype(np.int16)
    spread = np.abs(inside - np.median(inside, axis=0)).max(axis=1)
    return float((spread <= PRODUCT_TOLERANCE).mean()) >= RECTANGLE


def _grown(mask: np.ndarray, band: int) -> np.ndarray:
    import cv2

    kernel = np.ones((2 * band + 1, 2 * band + 1), np.uint8)
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def fill_ratio(pixels: np.ndarray, background: tuple[int, int, int]) -> float:
    """The product's bounding box over the frame, on the axis where it spans the most."""
    box = product_box(pixels, background)
    if box is None:
        return 0.0
    x0, y0, x1, y1 = box
    return max((x1 - x0) / pixels.shape[1], (y1 - y0) / pixels.shape[0])


def check_file(path: str | Path, preset: Mapping[str, Any]) -> CheckReport:
    """Check one file against ``preset``'s ``[check]`` rules; unreadable files fail with the reason."""
    path = Path(path)
    report = CheckReport(path, str(preset.get("name", "")))
    rules = dict(preset.get("check", {}))
    try:
        with open_header(path) as im:
            fmt, mode, icc = im.format, im.mode, im.info.get("icc_profile")
            width, height = im.size
        image = load_image(path)
    except BadInput as exc:
        report.error = str(exc)
        return report
    size = path.stat().st_size
    bits = image.bit_depth
    pixels = image.pixels
    if bits == 16:  # the shop sees 8 bits: 16-bit levels rounded, never clipped
        pixels = ((pixels.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    _size_findings(report, rules, width, height)
    add = report.findings.append
    if "bit_depth" in rules:
        add(Finding("bit depth", f"{bits}-bit", bits == int(rules["bit_depth"]), f"{rules['bit_depth']}-bit"))
    spaces = rules.get("colour_spaces")
    name = profile_name(icc) or "untagged (taken as sRGB)"
    if mode == "CMYK":
        space_ok = spaces is None or "CMYK" in spaces
    else:
        space_ok = spaces is None or ("sRGB" in spaces and is_srgb(icc)) or name in spaces
    add(Finding("colour space", f"{mode} {name}", space_ok if spaces else None, " or ".join(spaces or [])))
    formats = rules.get("formats")
    add(Finding("format", str(fmt), (fmt in formats) if formats else None, " or ".join(formats or [])))
    limit = rules.get("max_bytes")
    add(Finding("file size", f"{size} bytes", (size <= int(limit)) if limit else None,
                f"at most {limit} bytes" if limit else ""))
    background = tuple(rules.get("background") or preset.get("background") or (255, 255, 255))
    if rules.get("background") is not None:
        add(background_finding(pixels, background, float(rules.get("min_background_purity", 1.0))))
    fill = fill_ratio(pixels, background)
    lo, hi = rules.get("min_fill"), rules.get("max_fill")
    ok = None if lo is None and hi is None else (lo is None or fill >= lo) and (hi is None or fill <= hi)
    if lo is not None and hi is not None:
        span = f"{lo:.0%} to {hi:.0%}"
    else:
        span = f"at least {lo:.0%}" if lo is not None else (f"at most {hi:.0%}" if hi is not None else "")
    add(Finding("product fill", f"{fill:.1%}", ok, span))
    return report


def _size_findings(report: CheckReport, rules: Mapping[str, Any], width: int, height: int) -> None:
    long_side, short_side = max(width, height), min(width, height)
    tests = [
        ("min_width", width >= rules.get("min_width", 0), f"width at least {rules.get('min_width')} px"),
        ("min_height", height >= rules.get("min_height", 0), f"height at least {rules.get('min_height')} px"),
        ("min_long_side", long_side >= rules.get("min_long_side", 0),
         f"longest side at least {rules.get('min_long_side')} px"),
        ("max_long_side", long_side <= rules.get("max_long_side", long_side),
         f"longest side at most {rules.get('max_long_side')} px"),
        ("min_short_side", short_side >= rules.get("min_short_side", 0),
         f"shortest side at least {rules.get('min_short_side')} px"),
        ("max_megapixels", width * height <= rules.get("max_megapixels", 1e9) * 1e6,
         f"at most {rules.get('max_megapixels')} MP"),
        ("square", not rules.get("square") or abs(width - height) <= max(1, 0.01 * long_side), "1:1 square"),
    ]
    failed = [rule for key, ok, rule in tests if key in rules and not ok]
    applied = [rule for key, _, rule in tests if key in rules]
    report.findings.append(Finding("pixel size", f"{width}x{height}", (not failed) if applied else None,
                                   "; ".join(failed or applied)))
