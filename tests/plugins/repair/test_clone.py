"""Clone / heal from a source offset, blending colour to the destination."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.image import from_array
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins

from .conftest import hole_psnr


def _scene():
    """A repeating real texture (a 60 px tile of brick, like a patterned backdrop) lit
    unevenly (a brightness ramp), with a blemish stamped on it."""
    from skimage import data

    brick = np.tile(data.brick()[:60, :60], (4, 5))[:200, :300].astype(np.float32) / 255.0
    ramp = np.linspace(0.7, 1.3, 300, dtype=np.float32)[None, :]
    truth = np.repeat(np.clip(brick * ramp, 0, 1)[..., None], 3, axis=2)
    hole = np.zeros((200, 300), bool)
    hole[120:160, 200:240] = True
    damaged = (truth * 255 + 0.5).astype(np.uint8)
    damaged[hole] = (30, 200, 30)
    return truth, damaged, hole


def test_heal_matches_the_destination_tone_better_than_a_plain_clone():
    truth, damaged, hole = _scene()
    op = load_plugins().operation("repair.clone")
    # 120 px to the left is the same texture in a darker part of the ramp.
    healed = op.run(Inputs(from_array(damaged), hole.astype(np.float32)),
                    op.validate({"offset": "-120, 0"}), Context())
    stamped = op.run(Inputs(from_array(damaged), hole.astype(np.float32)),
                     op.validate({"offset": (-120, 0), "blend": False}), Context())
    heal_psnr = hole_psnr(healed.image.pixels / 255.0, truth, hole)
    stamp_psnr = hole_psnr(stamped.image.pixels / 255.0, truth, hole)
    tone = abs(healed.image.pixels[hole].mean() / 255.0 - truth[hole].mean())
    stamp_tone = abs(stamped.image.pixels[hole].mean() / 255.0 - truth[hole].mean())
    assert heal_psnr > stamp_psnr + 3.0, (heal_psnr, stamp_psnr)
    assert tone < stamp_tone / 4
    assert heal_psnr > hole_psnr(damaged / 255.0, truth, hole) + 10.0
    assert np.array_equal(healed.image.pixels[~hole], damaged[~hole])
    assert healed.report["pixels_processed"] < hole.size / 10


def test_source_outside_the_picture_and_zero_offset_are_clear_errors():
    _, damaged, hole = _scene()
    op = load_plugins().operation("repair.clone")
    with pytest.raises(BadInput, match="outside the picture"):
        op.run(Inputs(from_array(damaged), hole.astype(np.float32)), op.validate({"offset": (200, 0)}),
               Context())
    with pytest.raises(BadParameter, match="offset"):
        op.run(Inputs(from_array(damaged), hole.astype(np.float32)), op.validate({"offset": (0, 0)}),
               Context())


def test_the_colour_membrane_never_overshoots_its_rim():
    """Healing across a strong edge (a stripe's rim on one side, orange cloth on the other)
    must not invent colours: the spread ratio stays within the rim's own range."""
    from packshot.plugins.repair.clone import harmonic_fill

    rng = np.random.default_rng(0)
    values = rng.normal(0, 1, (40, 50, 3)).astype(np.float32)
    values[:, :25] += 3.0  # a strong edge through the rim
    hole = np.zeros((40, 50), bool)
    hole[5:35, 5:45] = True
    filled = harmonic_fill(values, hole)
    rim = values[~hole]
    assert (filled[hole] >= rim.min(axis=0) - 1e-4).all() and (filled[hole] <= rim.max(axis=0) + 1e-4).all()
    assert np.array_equal(filled[~hole], values[~hole])
