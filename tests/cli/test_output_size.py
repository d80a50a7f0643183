"""Parameters in range that multiply into an absurd canvas are refused before any allocation,
at the same limit that reading applies."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli, imageio
from packshot.core.errors import BadParameter
from packshot.core.image import Image
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins


@pytest.fixture(scope="module")
def host():
    return load_plugins()


@pytest.fixture
def product_mask(tmp_path):
    mask = np.zeros((24, 32), np.uint8)
    mask[7:17, 11:21] = 255  # a 10x10 product
    path = tmp_path / "mask.png"
    PILImage.fromarray(mask).save(path)
    return path


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packshot: error:"), err
    return err[0]


@pytest.mark.parametrize("op", ["generate.extend_canvas", "generate.backdrop", "generate.stage_product"])
def test_a_20000_square_canvas_is_refused_at_the_read_limit(photo, product_mask, tmp_path, capsys, op):
    out = tmp_path / "out.png"
    mask = ["--mask", str(product_mask)] if op == "generate.stage_product" else []
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", op, *mask,
                     "--set", "width=20000", "--set", "height=20000"]) == 2
    assert _error_line(capsys) == (f"packshot: error: {op}: the output would be 20000x20000 (400 MP), "
                                   "more than the 200 MP limit; choose a smaller size")
    assert not out.exists()


# The limit lowered so that small pictures reach it: the cap is the read limit, whatever it is.
CASES = {
    "cutout.auto_frame": (["--set", "aspect=1,100", "--set", "fill=0.05"], "200x20000 (4 MP)"),
    "enhance.upscale": (["--set", "scale=4"], "128x96 (0 MP)"),
    "generate.extend_canvas": (["--set", "aspect=1:100"], "32x3200 (0 MP)"),
}


@pytest.mark.parametrize("op", list(CASES))
def test_every_canvas_is_capped_at_the_read_limit(photo, product_mask, tmp_path, capsys, monkeypatch, op):
    monkeypatch.setattr(imageio, "MAX_PIXELS", 10_000)
    extra, size = CASES[op]
    mask = ["--mask", str(product_mask)] if op == "cutout.auto_frame" else []
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", op, *mask, *extra]) == 2
    line = _error_line(capsys)
    assert f"{op}: the output would be {size}" in line and "more than the 0 MP limit" in line
    assert not out.exists()


def test_a_canvas_at_the_limit_is_made(photo, tmp_path, monkeypatch):
    monkeypatch.setattr(imageio, "MAX_PIXELS", 100 * 100)
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", "generate.backdrop",
                     "--set", "width=100", "--set", "height=100"]) == 0
    assert PILImage.open(out).size == (100, 100)


def test_outpainting_is_capped_before_its_model_loads(host, monkeypatch):
    monkeypatch.setattr(imageio, "MAX_PIXELS", 10_000)
    op = host.operation("generate.diffusion_outpaint")
    params = op.validate({"width": 200, "height": 100})
    image = Image(np.zeros((24, 32, 3), np.uint8))
    with pytest.raises(BadParameter, match="generate.diffusion_outpaint: the output would be 200x100"):
        op.run(Inputs(image, None, None, "a studio"), params, ctx=None)
