"""The first run is light: without the ``models`` extra (no torch, spandrel, diffusers,
onnxruntime, ...) the plugins load and every built-in-tier operation runs."""

from __future__ import annotations

import json
import subprocess
import sys

MODELS_EXTRA = ("torch", "torchvision", "spandrel", "spandrel_extra_arches", "safetensors", "diffusers",
                "transformers", "accelerate", "onnxruntime")

PROBE = f"""
import json, sys

class NotInstalled:
    # as if the extra were not installed: importing any of its packages fails
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {MODELS_EXTRA!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, NotInstalled())
from packshot.core.plugin_host import load_plugins
from packshot.testing import run_operation
from packshot.testing.conformance import sample_inputs
from packshot.testing.colour import chart_scene
from packshot.core.image import from_array

host = load_plugins(disabled=())
failed = {{info.name: info.error for info in host.infos.values() if info.status != "loaded"}}
outcomes = {{}}
for op_id, op in sorted(host.operations().items()):
    if op.tier != "built-in":
        continue
    image = from_array(chart_scene()) if op_id == "colour.calibrate_chart" else None
    record = run_operation(op, sample_inputs(op, image), seed=1)
    outcomes[op_id] = record.state if record.state == "done" else f"{{record.state}}: {{record.error}}"
print(json.dumps({{"failed_plugins": failed, "outcomes": outcomes}}))
"""


def test_every_built_in_operation_runs_without_the_models_extra():
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["failed_plugins"] == {}
    assert len(seen["outcomes"]) >= 20
    assert {op: state for op, state in seen["outcomes"].items() if state != "done"} == {}
