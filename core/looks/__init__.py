"""Learned looks: a studio's colour and tone edit, learned from before/after pairs.

A look is an image-adaptive 3D LUT (Zeng et al., TPAMI 2020): a few basis lookup tables
and a tiny network that looks at a small copy of the picture and says how to blend them,
so a shot that came out warm or dark gets a different correction than a neutral one.
Importing this package imports neither torch nor scikit-image; the modules that need
them are imported by name when a look is trained or applied.
"""

from __future__ import annotations

from .store import LookInfo, list_looks, look_folder, looks_folder, remove_look

__all__ = ["LookInfo", "list_looks", "look_folder", "looks_folder", "remove_look"]
