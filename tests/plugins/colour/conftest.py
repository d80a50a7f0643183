"""Helpers for the colour family's tests: run an operation the way the CLI does."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.image import Image, from_array
from packshot.core.jobs import execute
from packshot.core.operation import Inputs, Result
from packshot.core.plugin_host import load_plugins


@pytest.fixture(scope="session")
def colour_ops():
    return load_plugins(disabled=()).operations()


@pytest.fixture
def run_op(colour_ops):
    def run(op_id: str, image: Image | np.ndarray, mask=None, reference=None, **params) -> Result:
        if not isinstance(image, Image):
            image = from_array(image)
        if reference is not None and not isinstance(reference, Image):
            reference = from_array(reference)
        return execute(colour_ops[op_id], Inputs(image, mask, reference), params, Context())

    return run


def as_float(image: Image) -> np.ndarray:
    return image.rgb()
