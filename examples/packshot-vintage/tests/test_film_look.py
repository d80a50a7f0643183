"""The vintage film look, tested the way Packshot runs it: installed, through the job runner.

The fixtures (``packshot_run``, ``packshot_photo``, ...) come from Packshot's pytest
plugin, ``packshot.testing``, which pytest loads by itself once Packshot is installed.
"""

from dataclasses import replace

import numpy as np
import packshot_vintage
import pytest
from packshot_vintage.film import LUMA

OFF = {"fade": 0.0, "warmth": 0.0, "grain": 0.0, "vignette": 0.0}


@pytest.fixture
def film_look(packshot_host):
    """The operation as Packshot finds it: through the entry point this package installs."""
    return packshot_host().operation("vintage.film_look")


def luma(image):
    return image.rgb() @ LUMA


def test_installed_plugin_is_found_with_its_name_and_version(packshot_host):
    host = packshot_host()
    info = host.plugin_of("vintage.film_look")
    assert (info.name, info.version, info.status) == ("vintage", packshot_vintage.__version__, "loaded")
    assert info.distribution == "packshot-vintage" and not info.builtin


def test_all_effects_off_leaves_every_pixel_as_it_was(film_look, packshot_run, packshot_photo):
    photo = packshot_photo("astronaut")
    run = packshot_run(film_look, photo, OFF)
    assert run.state == "done"
    assert np.array_equal(run.image.pixels, photo.pixels)


def test_fade_lifts_the_blacks_and_lowers_contrast(film_look, packshot_run, packshot_photo):
    photo = packshot_photo("coffee")
    faded = packshot_run(film_look, photo, {**OFF, "fade": 0.6}).image
    before, after = luma(photo), luma(faded)
    assert np.percentile(after, 1) >= np.percentile(before, 1) + 0.1
    assert after.std() < 0.85 * before.std()


def test_warmth_adds_an_orange_or_blue_cast_to_a_neutral_backdrop(film_look, packshot_run, packshot_studio_shot):
    shot = packshot_studio_shot("box")
    backdrop = shot.alpha < 0.01

    def red_over_blue(params):
        rgb = packshot_run(film_look, shot.image, {**OFF, **params}).image.rgb()[backdrop]
        return rgb[:, 0].mean() / rgb[:, 2].mean()

    neutral = red_over_blue({})
    assert abs(neutral - 1.0) < 0.02
    assert red_over_blue({"warmth": 0.8}) > 1.2 * neutral
    assert red_over_blue({"warmth": -0.8}) < 0.85 * neutral


def test_grain_repeats_with_the_seed_and_grows_with_its_strength(film_look, packshot_run, packshot_studio_shot):
    shot = packshot_studio_shot("ball")
    clean = shot.image.rgb()
    runs = {(g, s): packshot_run(film_look, shot.image, {**OFF, "grain": g}, seed=s).image
            for g, s in [(0.3, 1), (0.3, 2), (0.9, 1)]}
    again = packshot_run(film_look, shot.image, {**OFF, "grain": 0.3}, seed=1).image
    assert np.array_equal(again.pixels, runs[0.3, 1].pixels)
    assert not np.array_equal(runs[0.3, 2].pixels, runs[0.3, 1].pixels)
    weak = (runs[0.3, 1].rgb() - clean).std()
    strong = (runs[0.9, 1].rgb() - clean).std()
    assert 0.005 < weak < 0.03
    assert strong == pytest.approx(3 * weak, rel=0.15)


def test_same_seed_gives_the_same_picture_whatever_the_tile_size(film_look, packshot_run, packshot_photo):
    photo = packshot_photo("chelsea")
    small = packshot_run(film_look, photo, {}, seed=7, tile_size=32)
    large = packshot_run(film_look, photo, {}, seed=7, tile_size=1024)
    assert len(small.progress) > len(large.progress)
    assert np.array_equal(small.image.pixels, large.image.pixels)


def test_vignette_darkens_the_corners_and_spares_the_centre(film_look, packshot_run, packshot_studio_shot):
    shot = packshot_studio_shot("ball", 200, 200)
    ratio = packshot_run(film_look, shot.image, {**OFF, "vignette": 1.0}).image.rgb() / shot.image.rgb()
    assert ratio[95:105, 95:105].mean() > 0.99
    assert ratio[:8, :8].mean() < 0.5


def test_sixteen_bits_alpha_and_profile_survive(film_look, packshot_run, packshot_studio_shot):
    shot = packshot_studio_shot("bottle", bit_depth=16, with_alpha=True)
    image = replace(shot.image, icc_profile=b"icc-bytes", exif=b"Exif\x00\x00")
    out = packshot_run(film_look, image, {}).image
    assert out.pixels.dtype == np.uint16 and out.has_alpha
    assert np.array_equal(out.pixels[..., 3], image.pixels[..., 3])
    assert (out.icc_profile, out.exif) == (image.icc_profile, image.exif)


def test_progress_rises_and_cancel_stops_within_a_strip(film_look, packshot_run, packshot_photo):
    photo = packshot_photo("rocket")
    run = packshot_run(film_look, photo, {}, tile_size=16, cancel_at=0.4)
    assert run.state == "cancelled" and run.result is None
    assert run.fractions == sorted(run.fractions)
    assert 0.4 <= run.fractions[-1] < 0.6


def test_out_of_range_parameter_is_refused_by_name(film_look, packshot_run, packshot_photo):
    run = packshot_run(film_look, packshot_photo("coffee"), {"grain": 1.5})
    assert run.state == "failed"
    assert "'grain'" in str(run.error) and "from 0 to 1" in str(run.error)


def test_parameters_render_in_the_desktop_form(film_look, packshot_params_form):
    form = packshot_params_form(film_look)
    assert form.values()["grain_size"] == pytest.approx(1.2)


def test_operation_runs_in_the_editor_window(make_packshot_window, qtbot, packshot_studio_shot, tmp_path):
    from packshot import save_image
    from packshot.desktop.testing import listed_operations, open_pictures, run_in_window

    path = tmp_path / "shot.png"
    save_image(packshot_studio_shot("mug").image, path)
    original = path.read_bytes()
    window = make_packshot_window()
    assert "vintage.film_look" in listed_operations(window)
    doc = open_pictures(window, qtbot, [path])
    job = run_in_window(window, qtbot, "vintage.film_look", {**OFF, "warmth": 0.8}, seed=3)
    assert job.state == "done", job.error
    step = doc.steps[-1]
    assert (step.op, step.plugin, step.plugin_version) == ("vintage.film_look", "vintage", packshot_vintage.__version__)
    before, after = doc.original.rgb(), doc.current.rgb()
    assert after[..., 0].mean() / after[..., 2].mean() > 1.2 * before[..., 0].mean() / before[..., 2].mean()
    assert path.read_bytes() == original


def test_keeps_the_promises_every_packshot_operation_makes(film_look, packshot_check_operation):
    packshot_check_operation(film_look)
    packshot_check_operation(film_look, {"grain": 1.0, "grain_size": 4.0, "vignette": 1.0})


def test_loading_the_plugin_imports_nothing_heavy():
    from packshot.testing import heavy_imports

    assert heavy_imports("vintage") == []
