"""Start-up with many plugins: does loading 50 trivial third-party plugins slow Packshot down?

Each figure is the best of several fresh interpreters that import Packshot, load every
plugin and list the operations (what ``packshot ops`` and the window do at start-up),
with 0 and with 50 extra installed plugins (each one small distribution with one
operation). The peer is pluggy's own entry-point loader on the same 50 plugins, in the
same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.table import print_table

PLUGIN = '''
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result

packshot_api_version = "2.0"

class Op(Operation):
    id, title, family = "{name}.noop", "No-op {i}", "other"

    def run(self, inputs, params, ctx):
        return Result(inputs.image)

@hookimpl
def packshot_operations():
    return [Op()]
'''

# Each prints: operations found, seconds spent loading plugins and listing operations
# (timed inside the interpreter, after ``core`` and numpy are imported, so start-up noise
# of the interpreter itself stays out of the comparison).
PACKSHOT = ("import time; import packshot.core.plugin_host as p; t = time.perf_counter(); "
            "h = p.load_plugins(disabled=()); n = len(h.operations()); print(n, time.perf_counter() - t)")
PLUGGY = ("import time, pluggy; from core import hookspecs; import packshot.core.operation; t = time.perf_counter(); "
          "pm = pluggy.PluginManager('packshot'); pm.add_hookspecs(hookspecs); "
          "pm.load_setuptools_entrypoints('packshot'); n = sum(len(r) for r in pm.hook.packshot_operations()); "
          "print(n, time.perf_counter() - t)")


def _install(site: Path, count: int) -> None:
    from packshot.testing import write_plugin_distribution

    for i in range(count):
        name = f"bench_plugin_{i:02d}"
        write_plugin_distribution(site, f"packshot-bench-{i:02d}", {name: PLUGIN.format(name=name, i=i)})


def _measure(cases: dict[str, tuple[str, Path]], repeat: int) -> dict[str, tuple[int, float, float]]:
    """Best wall time and best in-process load time per case, cases interleaved to share noise."""
    best = {name: (0, float("inf"), float("inf")) for name in cases}
    for _ in range(repeat):
        for name, (code, site) in cases.items():
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                 check=True).stdout.split()
            wall = time.perf_counter() - start
            ops, load = (int(out[0]), float(out[1])) if out else (0, 0.0)
            best[name] = (ops, min(best[name][1], wall), min(best[name][2], load))
    return best


def run(quick: bool) -> None:
    repeat = 3 if quick else 9
    with tempfile.TemporaryDirectory() as tmp:
        empty, many = Path(tmp, "none"), Path(tmp, "fifty")
        empty.mkdir()
        _install(many, 50)
        r = _measure({"bare": ("pass", empty), "none": (PACKSHOT, empty), "fifty": (PACKSHOT, many),
                      "peer": (PLUGGY, many)}, repeat)
    none, fifty, peer = r["none"], r["fifty"], r["peer"]
    print_table(
        f"Start-up with plugins (best of {repeat} fresh interpreters each, interleaved)",
        ["case", "operations", "start-up s", "plugin loading s", "loading vs built-ins only"],
        [["python -c pass (interpreter only)", "-", r["bare"][1], "-", "-"],
         ["Packshot, built-ins only", none[0], none[1], none[2], 1.0],
         ["Packshot, built-ins + 50 plugins", fifty[0], fifty[1], fifty[2], fifty[2] / none[2]],
         ["pluggy's own loader, same 51+ plugins (peer)", peer[0], peer[1], peer[2], peer[2] / none[2]]],
    )
    added = fifty[2] - none[2]
    print(f"\n50 plugins add {added * 1000:.0f} ms to plugin loading ({added / 50 * 1000:.1f} ms each), "
          f"{(fifty[1] - none[1]) * 1000:.0f} ms to the whole start-up; Packshot's loader (with its "
          f"per-plugin checks and failure reports) takes {fifty[2] / peer[2]:.2f}x the time of "
          f"pluggy's bare entry-point loader on the same plugins.")
