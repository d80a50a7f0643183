"""A learned look: quality against both baselines on unseen sources, reproducibility, resume,
the apply operation's promises (depth, alpha, metadata, strength) and the look store."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from packshot.core.context import CancelToken, Context
from packshot.core.errors import BadInput, Cancelled, MissingModel
from packshot.core.image import Image
from packshot.core.looks import list_looks, look_folder, remove_look
from packshot.core.looks.learn import learn_look
from packshot.core.looks.pairs import pair_of
from packshot.core.looks.store import checkpoint_path, looks_folder, save_look
from packshot.core.looks.train import TrainOptions, train_look
from packshot.core.settings import load_settings
from packshot.testing.looks import look_pairs

# Training sees photographs and product shots of some kinds; the held-out pairs are shots of
# other products (shapes, colours, seeds) that no training pair came from.
TRAIN_SOURCES = ("astronaut", "studio:bottle", "coffee", "studio:mug", "chelsea", "studio:bottle")
HELD_OUT_SOURCES = ("studio:box", "studio:ball")


def _pairs(sources, count, seed, side=64):
    return [pair_of(name, before, after) for name, before, after in look_pairs(sources, count, side=side, seed=seed)]


@pytest.fixture(scope="module")
def trained():
    options = TrainOptions(epochs=240, seed=3)
    return train_look(_pairs(TRAIN_SOURCES, 30, seed=1), _pairs(HELD_OUT_SOURCES, 10, seed=2), options)


def test_look_beats_both_baselines_on_held_out_products(trained):
    figures = trained.figures
    print(json.dumps(figures))  # reported: see pytest -s
    best = max(figures["global_lut"]["psnr"], figures["no_change"]["psnr"])
    assert figures["look"]["psnr"] >= best + 2.0, figures
    assert figures["look"]["delta_e"] < min(figures["global_lut"]["delta_e"], figures["no_change"]["delta_e"])


def _small_run(**kw):
    train, val = _pairs(("coffee", "studio:mug"), 6, seed=5, side=48), _pairs(("studio:box",), 2, seed=6, side=48)
    return train, val, TrainOptions(epochs=4, seed=7, batch=3, **kw)


def _weights(net):
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def test_same_seed_same_look_and_another_seed_differs():
    train, val, options = _small_run()
    a, b = train_look(train, val, options), train_look(train, val, options)
    c = train_look(train, val, TrainOptions(**{**options.__dict__, "seed": 8}))
    wa, wb, wc = _weights(a.net), _weights(b.net), _weights(c.net)
    assert all(torch.allclose(wa[k], wb[k], atol=1e-6) for k in wa)
    assert not all(torch.allclose(wa[k], wc[k], atol=1e-3) for k in wa)
    assert a.figures == b.figures


def test_resume_after_interruption_matches_an_uninterrupted_run(tmp_path):
    train, val, options = _small_run()
    whole = train_look(train, val, options)
    checkpoint = tmp_path / "look.safetensors"

    def stop_at_five(done, total, message):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_look(train, val, options, checkpoint=checkpoint, progress=stop_at_five)
    assert checkpoint.is_file()
    resumed = train_look(train, val, options, checkpoint=checkpoint, resume=True)
    w1, w2 = _weights(whole.net), _weights(resumed.net)
    assert all(torch.allclose(w1[k], w2[k], atol=1e-5) for k in w1)
    assert abs(whole.figures["look"]["psnr"] - resumed.figures["look"]["psnr"]) < 0.01
    assert not checkpoint.exists()  # a finished training leaves no checkpoint behind


def test_cancel_keeps_a_checkpoint_and_resume_refuses_other_pairs(tmp_path):
    train, val, options = _small_run()
    checkpoint = tmp_path / "look.safetensors"
    token = CancelToken()
    ctx = Context(cancel_token=token)

    def cancel_at_two(done, total, message):
        if done == 2:
            token.cancel()
        ctx.check_cancelled()

    with pytest.raises(Cancelled):
        train_look(train, val, options, checkpoint=checkpoint, progress=cancel_at_two)
    with pytest.raises(BadInput, match="other pairs or settings"):
        train_look(train[:-1], val, options, checkpoint=checkpoint, resume=True)
    with pytest.raises(BadInput, match="no interrupted training"):
        train_look(train, val, options, checkpoint=tmp_path / "none.safetensors", resume=True)


# --------------------------------------------------------------------------- the operation


@pytest.fixture
def apply_look(host):
    """Run colour.apply_look as the job runner does, with a Context holding the given store."""
    from packshot.core.image import from_array
    from packshot.core.jobs import execute
    from packshot.core.operation import Inputs

    def run(image, params, ctx):
        image = image if isinstance(image, Image) else from_array(image)
        return execute(host.operation("colour.apply_look"), Inputs(image), params, ctx)
    return run


@pytest.fixture(scope="module")
def saved_look(trained, tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    save_look(folder, "house", trained.write_weights, trained.description())
    return folder


def _ctx(folder):
    from packshot.core.models import ModelStore

    return Context(models=ModelStore(folder))


def test_apply_look_corrects_an_unseen_shot_and_keeps_depth_alpha_and_metadata(saved_look, apply_look):
    _name, before, after = look_pairs(("studio:ball",), 1, side=96, seed=11, bit_depth=16)[0]
    rgba = np.concatenate([before.pixels, np.full((*before.pixels.shape[:2], 1), 40000, np.uint16)], axis=2)
    image = Image(rgba, icc_profile=b"icc-bytes", exif=b"Exif\x00\x00data", dpi=(300.0, 300.0))
    result = apply_look(image, {"look": "house"}, _ctx(saved_look)).image
    assert result.pixels.dtype == np.uint16 and result.pixels.shape == rgba.shape
    assert np.array_equal(result.pixels[..., 3], rgba[..., 3])
    assert (result.icc_profile, result.exif, result.dpi) == (image.icc_profile, image.exif, image.dpi)
    assert len(np.unique(result.pixels[..., 1])) > 256  # still 16-bit levels, not 8-bit steps
    truth = after.rgb()
    err_before = np.mean((before.rgb() - truth) ** 2)
    err_after = np.mean((result.rgb() - truth) ** 2)
    assert err_after < err_before / 4


def test_strength_blends_between_the_picture_and_the_look(saved_look, apply_look):
    _, before, _ = look_pairs(("studio:box",), 1, side=64, seed=12)[0]
    ctx = _ctx(saved_look)
    none = apply_look(before, {"look": "house", "strength": 0.0}, ctx).image
    half = apply_look(before, {"look": "house", "strength": 0.5}, ctx).image
    full = apply_look(before, {"look": "house"}, ctx).image
    assert np.array_equal(none.pixels, before.pixels)
    midway = (before.pixels.astype(int) + full.pixels.astype(int)) / 2
    assert np.abs(half.pixels - midway).max() <= 1.0


def test_missing_or_damaged_look_says_how_to_train_one(saved_look, apply_look, tmp_path):
    with pytest.raises(MissingModel, match="packshot train look .* --name nope"):
        apply_look(np.zeros((8, 8, 3), np.uint8), {"look": "nope"}, _ctx(saved_look))
    with pytest.raises(MissingModel, match="needs look=NAME"):
        apply_look(np.zeros((8, 8, 3), np.uint8), {}, _ctx(saved_look))
    broken = looks_folder(tmp_path) / "broken"
    broken.mkdir(parents=True)
    (broken / "look.json").write_text("{not json")
    (broken / "look.safetensors").write_bytes(b"nonsense")
    with pytest.raises(MissingModel, match="damaged"):
        apply_look(np.zeros((8, 8, 3), np.uint8), {"look": "broken"}, _ctx(tmp_path))


# --------------------------------------------------------------------------- the store


def test_a_failed_save_leaves_nothing_and_a_look_can_be_listed_copied_and_removed(trained, tmp_path):
    def broken(fh):
        fh.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(BadInput, match="cannot write"):
        save_look(tmp_path, "house", broken, trained.description())
    assert list(looks_folder(tmp_path).iterdir()) == []
    info = save_look(tmp_path, "house", trained.write_weights, trained.description())
    with pytest.raises(BadInput, match="already exists"):
        save_look(tmp_path, "house", trained.write_weights, trained.description())
    other = tmp_path / "elsewhere"
    import shutil

    shutil.copytree(info.folder, looks_folder(other) / "house")  # another machine's models folder
    assert [k.name for k in list_looks(other)] == ["house"]
    assert look_folder(other, "house").description["pairs"]["train"] == trained.train
    remove_look(tmp_path, "house")
    assert list_looks(tmp_path) == []


def test_learn_look_saves_to_the_models_folder_and_cleans_its_checkpoint():
    train, val, options = _small_run()
    models = load_settings().models_path
    info, trained = learn_look(train + val, "quick", models, options)
    assert info.folder == looks_folder(models) / "quick"
    assert {p.name for p in info.folder.iterdir()} == {"look.safetensors", "look.json"}
    assert info.description["validation"] == trained.figures
    assert not checkpoint_path(models, "quick").exists()


def test_pillow_and_torch_lookups_agree_on_8_bit():
    from packshot.core.looks.lut import _pillow, _torch, identity_lut

    rng = np.random.default_rng(0)
    noise = rng.normal(0, 0.02, (3, 17, 17, 17)).astype(np.float32)
    table = np.clip(identity_lut(17) ** 1.3 + noise, 0, 1).astype(np.float32)
    pixels = rng.integers(0, 256, (50, 70, 3), np.uint8)
    fast, exact = _pillow(table)(pixels).astype(int), _torch(table, np.dtype(np.uint8), "cpu")(pixels).astype(int)
    assert np.abs(fast - exact).max() <= 1 and np.mean(fast != exact) < 0.05
    assert np.abs(exact - np.round(pixels ** 1.3 / 255**0.3)).mean() < 3  # the table's curve, not the input
