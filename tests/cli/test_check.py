"""``packshot check``: what the exporter made for a preset passes it; a grey backdrop fails."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli
from packshot.core.compliance import border_purity, check_file, fill_ratio
from packshot.core.export import export_image, find_preset, options_from_preset
from packshot.core.image import from_array
from packshot.core.plugin_host import load_plugins
from packshot.core.synthetic import studio_shot

PRESETS = ["amazon-main", "amazon-additional", "shopify", "etsy", "ebay", "google-merchant", "walmart",
           "taobao-tmall", "jd", "web-thumbnail"]


@pytest.fixture(scope="module")
def presets():
    return load_plugins().export_presets()


@pytest.fixture(scope="module")
def cutout():
    """A cut-out product (RGBA), as the cut-out family hands it to the exporter."""
    rgb, alpha = studio_shot(450, 600, shape="mug", noise=0.0, shadow=False)
    rgba = PILImage.fromarray((np.dstack([rgb, alpha]) * 255).astype(np.uint8), "RGBA")
    return from_array(np.asarray(rgba.resize((2000, 1500), PILImage.Resampling.LANCZOS)))


@pytest.mark.parametrize("name", PRESETS)
def test_exporter_output_passes_its_own_preset(tmp_path, presets, cutout, name):
    preset = find_preset(presets, name)
    options = options_from_preset(preset)
    result = export_image(cutout, tmp_path / f"out.{options.extension}", options)
    report = check_file(result.path, preset)
    assert report.passed, report.reasons
    if "min_fill" in preset.get("check", {}):
        assert report.get("product fill").ok


def _grey_backdrop(path, size=(2000, 2000)):
    rgb, _ = studio_shot(300, 300, noise=0.0)
    PILImage.fromarray((rgb * 255).astype(np.uint8)).resize(size).save(path, quality=92)
    return path


def test_grey_background_fails_with_the_reason(tmp_path, presets):
    grey = _grey_backdrop(tmp_path / "grey.jpg")
    report = check_file(grey, find_preset(presets, "amazon-main"))
    assert not report.passed
    assert report.get("background purity").ok is False
    assert any("background purity 0.0%" in r for r in report.reasons)


def test_each_rule_fails_on_its_own(tmp_path, presets):
    walmart = find_preset(presets, "walmart")
    small = tmp_path / "small.png"
    canvas = np.full((600, 800, 3), 255, np.uint8)
    canvas[100:500, 200:600] = (200, 30, 30)
    PILImage.fromarray(canvas).save(small)
    report = check_file(small, walmart)
    failing = {f.name for f in report.findings if f.ok is False}
    assert failing == {"pixel size"}, report.reasons
    assert report.get("background purity").ok is True
    gif = tmp_path / "x.gif"
    PILImage.fromarray(canvas).resize((2200, 2200)).save(gif)
    assert {f.name for f in check_file(gif, walmart).findings if f.ok is False} == {"format"}


def test_fill_ratio_and_purity_measure_what_they_say():
    frame = np.full((100, 200, 3), 255, np.uint8)
    frame[10:90, 50:100] = 0
    assert fill_ratio(frame, (255, 255, 255)) == pytest.approx(0.8)
    assert border_purity(frame, (255, 255, 255)) == 1.0
    frame[0, :] = 254
    assert border_purity(frame, (255, 255, 255)) == pytest.approx(1 - 200 / (2 * 200 + 2 * 98))


def test_colour_space_rule(tmp_path, presets):
    from PIL import ImageCms

    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    path = tmp_path / "tagged.jpg"
    PILImage.fromarray(np.full((1000, 1000, 3), 255, np.uint8)).save(path, icc_profile=lab)
    finding = check_file(path, find_preset(presets, "amazon-additional")).get("colour space")
    assert finding.ok is False and "sRGB" in finding.rule


def test_cli_exit_code_and_json(tmp_path, presets, cutout, capsys):
    preset = find_preset(presets, "amazon-main")
    good = export_image(cutout, tmp_path / "good.jpg", options_from_preset(preset)).path
    grey = _grey_backdrop(tmp_path / "grey.jpg")
    assert cli.main(["check", "--preset", "amazon-main", str(good)]) == 0
    assert "PASS" in capsys.readouterr().out
    assert cli.main(["check", "--preset", "amazon-main", str(good), str(grey), str(tmp_path / "nope.jpg")]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {grey}: background purity" in out and "1 passed, 2 failed" in out
    assert cli.main(["check", "--preset", "amazon-main", "--json", str(grey)]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data[0]["passed"] is False and data[0]["reasons"]
    assert cli.main(["check", "--preset", "no-such-shop", str(good)]) == 2
    assert "unknown preset" in capsys.readouterr().err
