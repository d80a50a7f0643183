"""Install a plugin for one test: a distribution's metadata written onto a ``sys.path`` folder.

``importlib.metadata`` finds ``*.dist-info`` folders on ``sys.path``, so a folder holding
one, plus the plugin's modules, is an installed plugin as far as Packshot's entry-point
loading is concerned: for this process (after ``sys.path`` gains the folder) and for any
subprocess started with the folder on ``PYTHONPATH``. No pip, no network.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from packshot.core.hookspecs import ENTRY_POINT_GROUP


def write_plugin_distribution(site: str | Path, name: str, modules: Mapping[str, str], *,
                              entry_points: Mapping[str, str] | None = None,
                              version: str = "0.1.0") -> Path:
    """Write ``modules`` (module name -> source) and a dist-info for distribution ``name``.

    ``entry_points`` maps plugin name -> ``module`` or ``module:attr`` in the ``packshot``
    group; by default each module is one plugin named after it. Returns the dist-info folder.
    """
    site = Path(site)
    site.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (site / f"{module}.py").write_text(source, "utf-8")
    eps = dict(entry_points) if entry_points is not None else {m: m for m in modules}
    folder = site / f"{re.sub(r'[-_.]+', '_', name)}-{version}.dist-info"
    folder.mkdir(exist_ok=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", "utf-8")
    lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in eps.items()), ""]
    (folder / "entry_points.txt").write_text("\n".join(lines), "utf-8")
    return folder
