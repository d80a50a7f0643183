"""Crop shapes a person picks by name: the shops' own (from the installed export presets) and the photo classics.

A crop's ``aspect`` parameter is a number (width / height); the form offers it as a drop-down
of named shapes, so "1:1 — Amazon main image, eBay, ..." is one click, whatever shops the
installed presets describe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

CLASSIC = ((4, 5), (2, 3), (3, 4), (3, 2), (4, 3), (16, 9))


def ratio_name(width: int, height: int) -> str:
    r = Fraction(width, height).limit_denominator(20)
    return f"{r.numerator}:{r.denominator}"


def aspect_shapes(presets: Iterable[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(label, width / height) pairs: free first, then the presets' shapes named by their shops, then classics."""
    shops: dict[str, list[str]] = {}
    ratios: dict[str, float] = {}
    for preset in presets:
        w, h = preset.get("width"), preset.get("height")
        if isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0:
            name = ratio_name(w, h)
            shops.setdefault(name, []).append(str(preset.get("title") or preset["name"]))
            ratios[name] = w / h
    shapes = [("Free (as drawn)", 0.0)]
    for name, titles in shops.items():
        shown = ", ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else "")
        shapes.append((f"{name} — {shown}", ratios[name]))
    shapes += [(f"{w}:{h}", w / h) for w, h in CLASSIC if ratio_name(w, h) not in shops]
    return shapes
