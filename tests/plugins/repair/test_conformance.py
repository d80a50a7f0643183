"""Every repair operation keeps Packshot's promises: originals untouched, same seed same
picture, metadata and 16-bit kept, progress in order, Cancel honoured."""

from __future__ import annotations

import pytest

from packshot.core.plugin_host import load_plugins

BUILT_IN = ["repair.inpaint", "repair.detect_dust", "repair.remove_dust", "repair.detect_text",
            "repair.remove_watermark",
            "repair.clone"]


@pytest.mark.parametrize("op_id", BUILT_IN)
def test_operation_keeps_the_promises(op_id, packshot_check_operation):
    params = {"offset": (8, 0)} if op_id == "repair.clone" else None
    packshot_check_operation(load_plugins().operation(op_id), params)


def test_model_tier_is_declared_and_the_rest_need_no_download():
    ops = {i: o for i, o in load_plugins().operations().items() if i.startswith("repair.")}
    assert sorted(ops) == sorted([*BUILT_IN, "repair.inpaint_model"])
    assert ops["repair.inpaint_model"].tier == "model" and ops["repair.inpaint_model"].uses_gpu
    assert all(ops[i].tier == "built-in" for i in BUILT_IN)


def test_listing_operations_imports_no_heavy_library():
    import subprocess
    import sys

    code = ("import sys; from packshot.core.plugin_host import load_plugins; load_plugins().operations(); "
            "print(sorted(m for m in ('cv2', 'torch', 'skimage', 'diffusers', 'onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
