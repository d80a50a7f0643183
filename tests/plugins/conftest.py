"""Plugin test helpers: run an operation through the plugin host as a person would."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.image import from_array
from packshot.core.jobs import execute
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins


@pytest.fixture(scope="module")
def host():
    return load_plugins(disabled=())


@pytest.fixture
def run_op(host):
    def run(op_id, image, params=None, mask=None, reference=None, prompt=None, ctx=None):
        if isinstance(image, np.ndarray):
            image = from_array(image)
        return execute(host.operation(op_id), Inputs(image, mask, reference, prompt), params or {},
                       ctx or Context())
    return run


@pytest.fixture
def serial_and_parallel():
    """``job(item)`` for each item one after another, then for the items ``rounds`` times over
    four at a time: (serial, parallel) outputs in the same order, so a test can check that jobs
    sharing a cached model do not disturb each other."""
    from concurrent.futures import ThreadPoolExecutor

    def run(job, items, rounds=3):
        serial = [job(item) for item in items]
        with ThreadPoolExecutor(4) as pool:
            parallel = list(pool.map(job, list(items) * rounds))
        return serial * rounds, parallel
    return run
