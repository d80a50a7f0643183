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
from packshot.testing.images import png_claiming

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


def _png16(path, pixels):
    """A 16-bit PNG: grey (2-D) through Pillow, RGB through OpenCV."""
    if pixels.ndim == 2:
        PILImage.fromarray(pixels).save(path)
    else:
        import cv2

        cv2.imwrite(str(path), np.ascontiguousarray(pixels[..., ::-1]))
    return path


def test_a_dark_sixteen_bit_backdrop_is_not_white(tmp_path, presets):
    """Pillow clips 16-bit grey to 255 when it converts: a dark grey passed as pure white."""
    grey = np.full((1200, 1200), 5000, np.uint16)
    grey[200:1000, 300:900] = 1000
    report = check_file(_png16(tmp_path / "dark.png", grey), find_preset(presets, "amazon-main"))
    assert report.get("background purity").ok is False and not report.passed
    assert report.get("background purity").value.startswith("0.0%")


def test_a_sixteen_bit_white_backdrop_is_white(tmp_path, presets):
    rgb = np.full((1200, 1200, 3), 65535, np.uint16)
    rgb[75:1125, 200:1000] = (40000, 9000, 3000)
    report = check_file(_png16(tmp_path / "white.png", rgb), find_preset(presets, "amazon-main"))
    assert report.passed, report.reasons
    assert report.get("background purity").value.startswith("100.0%")


def _letterboxed(path, size=2000, share=0.88):
    """A studio photo (product on its grey sweep) scaled onto white bars, as a letterbox."""
    rgb, _ = studio_shot(450, 600, shape="mug", noise=0.0)
    photo = PILImage.fromarray((rgb * 255).astype(np.uint8)).resize((round(size * share), round(size * share * 0.75)))
    canvas = PILImage.new("RGB", (size, size), (255, 255, 255))
    canvas.paste(photo, ((size - photo.width) // 2, (size - photo.height) // 2))
    canvas.save(path, quality=92)
    return path


def test_a_photo_letterboxed_onto_white_bars_is_not_called_white(tmp_path, presets, capsys):
    path = _letterboxed(tmp_path / "letterbox.jpg")
    report = check_file(path, find_preset(presets, "amazon-main"))
    background = report.get("background purity")
    assert background.ok is None and background.undecided and "cannot tell" in background.value
    assert not report.passed and not report.failed
    assert cli.main(["check", "--preset", "amazon-main", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"UNSURE  {path}: background purity: cannot tell" in out and "0 passed, 0 failed, 1 cannot tell" in out


@pytest.mark.parametrize("quality", [95, 75])
def test_a_photograph_matted_in_white_is_not_called_white_as_a_jpeg(tmp_path, presets, quality):
    """A real photo pasted on a white mat, white all around: as a JPEG the ringing just outside
    the photo's edge widened its box, so the rectangle went unseen and the check said PASS."""
    from skimage import data

    photo = PILImage.fromarray(data.astronaut()).resize((1300, 1300))
    canvas = PILImage.new("RGB", (1500, 1500), (255, 255, 255))
    canvas.paste(photo, (100, 100))
    path = tmp_path / "matted.jpg"
    canvas.save(path, quality=quality)
    background = check_file(path, find_preset(presets, "amazon-main")).get("background purity")
    assert background.undecided and "is a rectangle" in background.value


def test_a_near_white_backdrop_inside_a_white_border_fails(tmp_path, presets):
    """The border is pure white, the product's surroundings are not."""
    frame = np.full((1500, 1500, 3), 255, np.uint8)
    yy, xx = np.mgrid[:1500, :1500]
    frame[np.hypot(yy - 750, xx - 750) < 700] = 249  # a near-white halo, within the product tolerance
    frame[np.hypot(yy - 750, xx - 750) < 600] = (30, 60, 160)  # the product, a disc
    PILImage.fromarray(frame).save(tmp_path / "halo.png")
    finding = check_file(tmp_path / "halo.png", find_preset(presets, "amazon-main")).get("background purity")
    assert finding.ok is False and "backdrop around the product" in finding.value
    assert border_purity(frame, (255, 255, 255)) == 1.0


def test_an_oversized_picture_is_refused_before_it_is_decoded(tmp_path, presets, monkeypatch):
    """300 MP is over Packshot's 200 MP limit but under twice Pillow's, where Pillow only warns
    and decodes in full (8-11 GB and minutes for a real file)."""
    from PIL import ImageFile

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    path = tmp_path / "huge.png"
    path.write_bytes(png_claiming(20_000, 15_000))
    report = check_file(path, find_preset(presets, "amazon-main"))
    assert not report.passed and "300 MP" in report.error and "200 MP limit" in report.error


@pytest.mark.timeout(30)
def test_a_named_pipe_or_a_device_fails_at_once(tmp_path, presets, capsys):
    """Checking a FIFO waited for a writer forever; a link to /dev/zero read forever."""
    import os

    fifo, zero = tmp_path / "pipe.jpg", tmp_path / "zero.jpg"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    assert cli.main(["check", "--preset", "amazon-main", str(fifo), str(zero)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {fifo}: {fifo}: is a named pipe (FIFO)" in out
    assert f"FAIL  {zero}: {zero}: is a character device" in out
