"""The installed distribution is one import package, ``packshot``, with a curated public API."""

import json
import subprocess
import sys

import packshot

PROBE = """
import importlib.util, json, sys
import packshot
print(json.dumps({
    "top_level": {n: importlib.util.find_spec(n) is not None for n in ("core", "plugins", "desktop", "resources")},
    "heavy": sorted(m for m in ("torch", "cv2", "PySide6", "diffusers", "spandrel") if m in sys.modules),
}))
"""


def test_no_top_level_core_plugins_desktop_or_resources_and_a_light_import(tmp_path):
    proc = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True)
    seen = json.loads(proc.stdout)
    assert seen["top_level"] == {"core": False, "plugins": False, "desktop": False, "resources": False}
    assert seen["heavy"] == []


def test_public_api_names_resolve_and_are_the_engine_objects():
    from packshot.core.hookspecs import hookimpl
    from packshot.core.operation import Operation

    assert all(hasattr(packshot, name) for name in packshot.__all__)
    assert packshot.hookimpl is hookimpl and packshot.Operation is Operation
    assert packshot.API_VERSION.split(".")[0] == "2"


def test_example_plugin_imports_only_the_public_api():
    import re
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "packshot-vintage"
    modules = {m for f in example.rglob("*.py")
               for m in re.findall(r"^\s*(?:from|import) (packshot\b[\w.]*)", f.read_text("utf-8"), re.MULTILINE)}
    assert modules and modules <= {"packshot", "packshot.testing", "packshot.desktop.testing"}, modules
