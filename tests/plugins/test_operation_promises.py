"""Every installed operation keeps the promises a plugin author's own tests check
(``packshot.testing.check_operation``): built-in plugins are held to the same bar as third
parties. Operations whose model weights are not installed are skipped, saying which.
"""

from __future__ import annotations

import pytest

from packshot.core.plugin_host import load_plugins
from packshot.testing import NeedsModel, check_operation

OPERATIONS = load_plugins(disabled=()).operations()


def _chart_shot():
    from packshot.core.image import from_array
    from packshot.testing.colour import chart_scene

    return from_array(chart_scene())


# Operations that can only work on a particular kind of picture get one here.
SAMPLE_IMAGES = {"colour.calibrate_chart": _chart_shot}


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_operation_keeps_packshots_promises(op_id):
    try:
        image = SAMPLE_IMAGES[op_id]() if op_id in SAMPLE_IMAGES else None
        problems = check_operation(OPERATIONS[op_id], image=image)
    except NeedsModel as exc:
        pytest.skip(str(exc))
    assert not problems, f"{op_id}: " + "; ".join(problems)
