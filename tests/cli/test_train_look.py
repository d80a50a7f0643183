"""``packshot train look`` end to end: pairing by name, the saved look, listing, applying,
removing, the device choice, the library as a source, and one-line errors that leave
nothing in the models folder."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from packshot.core import cli
from packshot.core.imageio import load_image, save_image
from packshot.core.looks import list_looks
from packshot.core.settings import load_settings
from packshot.testing.looks import look_pairs

SOURCES = ("coffee", "studio:mug", "studio:bottle")


@pytest.fixture
def folders(tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    suffixes = ("_edited", "-edit", "_final", "")
    for i, (name, b, a) in enumerate(look_pairs(SOURCES, 6, side=40, seed=1)):
        save_image(b, before / f"{name}.png")
        save_image(a, after / f"{name}{suffixes[i % len(suffixes)]}.{'tif' if i % 2 else 'png'}")
    save_image(b, before / "lonely.png")
    return before, after


def _models():
    return load_settings().models_path


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and err[-1].startswith("packshot: error:"), err
    return err[-1]


def _train(*extra: str) -> int:
    return cli.main(["train", "look", "--name", "house", "--epochs", "2", "--quiet", *extra])


def test_train_from_folders_list_apply_and_remove(folders, tmp_path, capsys):
    before, after = folders
    assert _train("--before", str(before), "--after", str(after)) == 0
    out, err = capsys.readouterr()
    assert "no after for lonely.png" in err
    assert "validation on 1 held-out pairs" in out and "one global 3D LUT" in out and "no change" in out
    (look,) = list_looks(_models())
    assert look.description["pairs"]["train"] and look.description["validation"]["look"]["psnr"] > 0

    assert cli.main(["models", "list"]) == 0
    assert "house" in capsys.readouterr().out
    assert cli.main(["models", "list", "--json"]) == 0
    assert any(row["name"] == "house" and row["task"] == "look" for row in json.loads(capsys.readouterr().out))

    src = before / "coffee-000.png"
    out_file = tmp_path / "out.png"
    assert cli.main(["apply", str(src), "-o", str(out_file), "--op", "colour.apply_look", "--set", "look=house"]) == 0
    assert load_image(out_file).size == load_image(src).size

    assert _train("--before", str(before), "--after", str(after)) == 2
    assert "already exists" in _error_line(capsys)
    assert cli.main(["models", "remove", "house"]) == 0
    assert list_looks(_models()) == []
    assert cli.main(["models", "remove", "house"]) == 2
    assert "packshot train look" in _error_line(capsys)


def _nothing_written():
    looks = _models() / "looks"
    return not looks.exists() or not any(p.name != ".training" for p in looks.iterdir())


def test_no_pairs_names_both_folders(tmp_path, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    save_image(look_pairs(SOURCES, 1, side=16)[0][1], tmp_path / "a" / "x.png")
    assert _train("--before", str(tmp_path / "a"), "--after", str(tmp_path / "b")) == 2
    line = _error_line(capsys)
    assert "no before/after pairs" in line and str(tmp_path / "a") in line and str(tmp_path / "b") in line
    assert _nothing_written()


def test_size_mismatch_and_corrupt_file_are_named(folders, capsys):
    before, after = folders
    (after / "coffee-000_edited.png").unlink()
    save_image(look_pairs(SOURCES, 1, side=24)[0][2], after / "coffee-000_edited.png")
    assert _train("--before", str(before), "--after", str(after)) == 2
    line = _error_line(capsys)
    assert "coffee-000.png" in line and "coffee-000_edited.png" in line and "same size" in line
    (after / "coffee-000_edited.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert _train("--before", str(before), "--after", str(after)) == 2
    assert "coffee-000_edited.png" in _error_line(capsys)
    assert _nothing_written()


def test_device_choice(folders, monkeypatch, capsys):
    before, after = folders
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert _train("--before", str(before), "--after", str(after), "--device", "cuda") == 2
    assert "'cuda' is not available" in _error_line(capsys)
    assert _nothing_written()

    seen = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # a simulated GPU: auto takes it
    monkeypatch.setattr("packshot.core.looks.learn.learn_look",
                        lambda pairs, name, folder, options, **kw: seen.append(options.device) or 1 / 0)
    _train("--before", str(before), "--after", str(after), "--device", "auto")
    assert seen == ["cuda"]


def test_interrupt_keeps_a_checkpoint_and_resume_finishes(folders, monkeypatch, capsys):
    from packshot.core.looks import train as train_module

    before, after = folders
    real = train_module._Run.loop

    def interrupted(self, progress):
        real(self, lambda done, total, message: (_ for _ in ()).throw(KeyboardInterrupt) if done == 1 else None)

    monkeypatch.setattr(train_module._Run, "loop", interrupted)
    assert _train("--before", str(before), "--after", str(after)) == 130
    assert "--resume" in capsys.readouterr().err
    assert (_models() / "looks" / ".training" / "house.safetensors").is_file()
    assert list_looks(_models()) == []
    monkeypatch.setattr(train_module._Run, "loop", real)
    assert _train("--before", str(before), "--after", str(after), "--resume") == 0
    assert [k.name for k in list_looks(_models())] == ["house"]
    assert not (_models() / "looks" / ".training" / "house.safetensors").exists()


def test_from_library_uses_marked_edited_pictures_only(tmp_path, capsys):
    from packshot.core.library import Library
    from packshot.core.recipe import EditStack, Step, save_sidecar

    shots = tmp_path / "shots"
    shots.mkdir()
    pairs = look_pairs(SOURCES, 5, side=40, seed=3)
    for i, (name, b, _) in enumerate(pairs):
        path = shots / f"{name}.png"
        save_image(b, path)
        if i != 4:  # the last one has no edits
            stack = EditStack()
            stack.push(Step(op="colour.exposure", params={"stops": 0.3 + 0.1 * i, "contrast": 0.2}))
            save_sidecar(path, stack)
    library_file = tmp_path / "library.sqlite"
    with Library.open(library_file) as library:
        library.add_folder(shots)
        for i, (name, _, _) in enumerate(pairs):
            if i != 3:  # the fourth is edited but not marked
                library.set_rating(shots / f"{name}.png", 3 if i else 1)
    common = ["--from-library", "--library", str(library_file), "--val-split", "0"]
    assert _train(*common, "--rating", "4") == 2
    assert "no pictures rated 4 or more" in _error_line(capsys)
    assert _train(*common) == 0
    (look,) = list_looks(_models())
    assert sorted(look.description["pairs"]["train"]) == sorted(name for name, _, _ in pairs[:3])
    assert cli.main(["train", "look", "--name", "x", "--from-library", "--before", str(shots)]) == 2
    assert "either" in _error_line(capsys)
