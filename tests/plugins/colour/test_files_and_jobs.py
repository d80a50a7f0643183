"""What a photographer checks on disk: metadata survives, originals are untouched, Cancel leaves nothing."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from packshot.core.cli import main
from packshot.core.synthetic import apply_cast, studio_shot


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def tagged_jpeg(tmp_path):
    """A warm-cast studio shot carrying an sRGB ICC profile and camera EXIF."""
    truth, _ = studio_shot(120, 160, seed=0)
    pixels = (apply_cast(0.1 + 0.8 * truth, (1.0, 0.86, 0.62)) * 255 + 0.5).astype(np.uint8)
    exif = PILImage.Exif()
    exif[0x010F] = "Packshot Test Camera"  # Make
    exif[0x0110] = "Studio 1"  # Model
    exif[0x0131] = "colour tests"  # Software
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path = tmp_path / "shot.jpg"
    PILImage.fromarray(pixels).save(path, quality=95, icc_profile=icc, exif=exif.tobytes())
    return path


def metadata(path):
    with PILImage.open(path) as im:
        return im.info.get("icc_profile"), im.info.get("exif")


@pytest.mark.parametrize("op, sets", [
    ("colour.auto_white_balance", []),
    ("colour.auto_levels", []),
    ("colour.exposure", ["--set", "stops=0.5", "--set", "contrast=0.2"]),
])
def test_icc_and_exif_round_trip_byte_for_byte_and_the_original_is_untouched(tagged_jpeg, tmp_path, op, sets):
    icc, exif = metadata(tagged_jpeg)
    assert icc and exif
    before = sha256(tagged_jpeg)
    out = tmp_path / "out.jpg"
    assert main(["apply", str(tagged_jpeg), "-o", str(out), "--op", op, "--quiet", *sets]) == 0
    assert metadata(out) == (icc, exif)
    assert sha256(tagged_jpeg) == before
    with PILImage.open(out) as a, PILImage.open(tagged_jpeg) as b:
        assert not np.array_equal(np.asarray(a), np.asarray(b))  # the edit really happened


def test_calibration_is_saved_as_a_replayable_step(tmp_path):
    from packshot.core.recipe import load_recipe
    from packshot.testing.colour import chart_scene

    chart = tmp_path / "chart.png"
    scene = chart_scene() * np.array([1.0, 0.9, 0.7], np.float32)
    PILImage.fromarray((scene * 255 + 0.5).astype(np.uint8)).save(chart)
    recipe = tmp_path / "calibration.toml"
    assert main(["apply", str(chart), "-o", str(tmp_path / "c.png"), "--op", "colour.calibrate_chart",
                 "--save-recipe", str(recipe), "--quiet"]) == 0
    step = load_recipe(recipe).steps[0]
    assert step.op == "colour.apply_matrix" and len(step.params["matrix"]) == 9
    replayed = tmp_path / "replayed.png"
    assert main(["apply", str(chart), "-o", str(replayed), "--recipe", str(recipe), "--quiet"]) == 0
    with PILImage.open(replayed) as a, PILImage.open(tmp_path / "c.png") as b:
        assert np.array_equal(np.asarray(a), np.asarray(b))


def test_a_cancelled_job_writes_nothing(tagged_jpeg, tmp_path, monkeypatch):
    from packshot.core.errors import Cancelled
    from packshot.core.imageio import load_image, save_image
    from packshot.core.jobs import JobRunner
    from packshot.core.operation import Inputs
    from packshot.core.plugin_host import load_plugins
    from packshot.plugins.colour import pixelwise

    monkeypatch.setattr(pixelwise, "BAND_PIXELS", 160 * 8)  # many bands, so Cancel lands mid-run
    op = load_plugins().operation("colour.auto_white_balance")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen = threading.Event()

    def cancel_mid_run(job):
        if job.progress.message == "balancing" and job.progress.fraction > 0.4 and not seen.is_set():
            seen.set()
            job.cancel()

    runner = JobRunner(cpu_workers=1)
    job = runner.submit(op, Inputs(load_image(tagged_jpeg)), {}, listener=cancel_mid_run)
    try:
        result = job.wait(timeout=60)
        save_image(result.image, out_dir / "shot.jpg")
    except Cancelled:
        pass
    finally:
        runner.shutdown()
    assert seen.is_set() and job.state == "cancelled"
    assert list(out_dir.iterdir()) == []


def test_every_colour_operation_accepts_its_own_defaults_back(colour_ops):
    """A recipe records every parameter, optional empty ones included; replaying it must validate."""
    for op_id, op in colour_ops.items():
        if op_id.startswith("colour."):
            defaults = op.validate({})
            assert op.validate(defaults) == defaults, op_id
