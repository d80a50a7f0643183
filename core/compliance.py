"""Checking a finished file against a shop's rules, the way the shop's upload check would.

For each file: background purity (the share of border pixels exactly the required
colour), product fill (the product's bounding box against the frame, on its tighter
axis), pixel size and aspect, bit depth, colour space, file size and format. Each rule
the preset's ``[check]`` table sets gives a pass or a fail with the reason; what it does
not set is measured and shown for information.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image as PILImage

from .errors import BadInput
from .export import is_srgb, product_box, profile_name
from .imageio import _png_bit_depth

BORDER_SHARE = 0.01  # the border band is 1 % of the shorter side (at least one pixel)


@dataclass
class Finding:
    name: str
    value: str
    ok: bool | None  # None: measured for information, no rule set
    rule: str = ""

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
        return not self.error and all(f.ok is not False for f in self.findings)

    @property
    def reasons(self) -> list[str]:
        if self.error:
            return [self.error]
        return [f"{f.name} {f.value} (needs {f.rule})" for f in self.findings if f.ok is False]

    def get(self, name: str) -> Finding:
        return next(f for f in self.findings if f.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "preset": self.preset, "passed": self.passed,
                "reasons": self.reasons, "findings": [f.to_dict() for f in self.findings]}


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
        size = path.stat().st_size
        with PILImage.open(path) as im:
            fmt, mode, icc = im.format, im.mode, im.info.get("icc_profile")
            width, height = im.size
            bits = 16 if mode.startswith("I;16") or mode in ("I", "RGB;16") else 8
            if im.format == "PNG" and mode in ("RGB", "RGBA"):
                bits = _png_bit_depth(path)
            rgb = im.convert("RGBA" if "A" in mode or "transparency" in im.info else "RGB")
            pixels = np.asarray(rgb)
    except FileNotFoundError:
        report.error = f"{path}: no such file"
        return report
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as exc:
        report.error = f"{path.name}: not a readable image ({exc})"
        return report
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
        purity = border_purity(pixels, background)
        needed = float(rules.get("min_background_purity", 1.0))
        add(Finding("background purity", f"{purity:.1%} of border pixels exactly {background}",
                    purity >= needed, f"at least {needed:.0%}"))
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
