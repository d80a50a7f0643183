"""What ``packshot apply`` writes: never an original, never a surprise, all or nothing."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli, output_guard


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packshot: error:"), err
    return err[0]


ATTACKS = {
    "output is the input": lambda d: ["-o", str(d / "in.png")],
    "output via ./": lambda d: ["-o", str(d / "." / "in.png")],
    "output is a symlink to the input": lambda d: ["-o", str(_link(d, os.symlink))],
    "output is a hardlink of the input": lambda d: ["-o", str(_link(d, os.link))],
    "save-recipe is the input": lambda d: ["-o", str(d / "out.png"), "--save-recipe", str(d / "in.png")],
    "save-recipe via symlink": lambda d: ["-o", str(d / "out.png"), "--save-recipe", str(_link(d, os.symlink))],
    "save-mask is the input": lambda d: ["-o", str(d / "out.png"), "--save-mask", str(d / "in.png")],
    "save-mask via hardlink": lambda d: ["-o", str(d / "out.png"), "--save-mask", str(_link(d, os.link))],
}


def _link(folder, make):
    link = folder / "link.png"
    make(folder / "in.png", link)
    return link


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_write_reaches_the_input_whatever_the_name(runs, photo, tmp_path, capsys, attack):
    before = _sha(photo)
    args = ["apply", str(photo), "--op", "test.silhouette", "--overwrite", *ATTACKS[attack](tmp_path)]
    assert cli.main(args) == 2
    line = _one_error_line(capsys)
    assert "refusing to overwrite the original in.png" in line, line
    assert _sha(photo) == before
    assert runs == []
    assert sorted(p.name for p in tmp_path.iterdir()) in (["in.png"], ["in.png", "link.png"])


def test_save_recipe_over_the_mask_it_reads_is_refused(runs, photo, tmp_path, capsys):
    mask = tmp_path / "mask.png"
    PILImage.fromarray(np.full((24, 32), 255, np.uint8)).save(mask)
    before = _sha(mask)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.fill_mask",
                     "--mask", str(mask), "--save-recipe", str(mask), "--overwrite"]) == 2
    assert "refusing to overwrite the original mask.png" in _one_error_line(capsys)
    assert _sha(mask) == before and runs == [] and not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("which", ["--save-recipe", "--save-mask"])
def test_existing_side_file_is_refused_before_the_work(runs, photo, tmp_path, capsys, which):
    side = tmp_path / "side.png"
    side.write_bytes(b"keep me")
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.silhouette",
                     which, str(side)]) == 2
    assert "side.png: already exists (use --overwrite" in _one_error_line(capsys)
    assert side.read_bytes() == b"keep me" and runs == [] and not (tmp_path / "out.png").exists()


def test_bad_quality_and_twice_named_output_are_refused_before_the_work(runs, photo, tmp_path, capsys):
    out = tmp_path / "out.jpg"
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", "test.invert", "--quality", "0"]) == 2
    assert "quality must be between 1 and 100, got 0" in _one_error_line(capsys)
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", "test.silhouette",
                     "--save-mask", str(out)]) == 2
    assert "named twice as an output" in _one_error_line(capsys)
    assert runs == [] and sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_missing_mask_to_save_writes_nothing(runs, photo, tmp_path, capsys):
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.invert",
                     "--save-mask", str(tmp_path / "m.png"), "--save-recipe", str(tmp_path / "r.toml")]) == 2
    assert "test.invert produced no mask to save" in _one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_a_failing_second_write_leaves_no_file_at_all(runs, photo, tmp_path, capsys, monkeypatch):
    synced = []

    def fsync(fd):
        synced.append(fd)
        if len(synced) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(output_guard.os, "fsync", fsync)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.silhouette",
                     "--save-mask", str(tmp_path / "m.png")]) == 2
    assert "m.png: cannot write (no space left on the disk)" in _one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_all_three_files_are_written_when_all_is_well(runs, photo, tmp_path):
    out, mask, recipe = tmp_path / "out.png", tmp_path / "m.png", tmp_path / "r.toml"
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", "test.silhouette",
                     "--save-mask", str(mask), "--save-recipe", str(recipe)]) == 0
    product = np.asarray(PILImage.open(photo)).mean(axis=2) / 255 < 0.6
    assert np.array_equal(np.asarray(PILImage.open(mask).convert("L")) > 127, product)
    assert 'op = "test.silhouette"' in recipe.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


# --------------------------------------------------------------------------- stale parts

_KILLED_WRITER = """
import sys, time
from packshot.core import output_guard

def write(fh):
    fh.write(b"half")
    fh.flush()
    print("writing", flush=True)
    time.sleep(60)

output_guard.write_files([(sys.argv[1], write)])
"""


def _killed_mid_write(target):
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"writing\n"
    proc.kill()
    proc.wait()
    return [p for p in target.parent.iterdir() if p.name.endswith(".part")]


def test_parts_of_a_killed_run_are_removed_by_the_next_apply(runs, photo, tmp_path):
    parts = _killed_mid_write(tmp_path / "out.png")
    assert len(parts) == 1 and parts[0].name.startswith(".out.png.")
    legacy = tmp_path / ".old.png.a1b2c3d4.part"  # before parts carried their writer's pid
    legacy.write_bytes(b"half")
    past = time.time() - 60
    for p in (*parts, legacy):
        os.utime(p, (past, past))
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "other.png"), "--op", "test.invert"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "other.png"]


def test_parts_of_a_live_writer_and_other_files_are_kept(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = tmp_path / f".out.png.{sleeper.pid}-abcd_123.part"
        others = [tmp_path / n for n in ("movie.mkv.part", ".notes.part", ".x.png.short.part")]
        for p in (live, *others):
            p.write_bytes(b"x")
            os.utime(p, (0, 0))
        assert output_guard.remove_stale_parts(tmp_path, older_than=time.time()) == []
        assert sorted(tmp_path.iterdir()) == sorted([live, *others])
    finally:
        sleeper.kill()
        sleeper.wait()
    assert output_guard.remove_stale_parts(tmp_path, older_than=time.time()) == [live]


def test_a_part_newer_than_the_run_is_kept(tmp_path):
    fresh = tmp_path / ".out.png.a1b2c3d4.part"
    fresh.write_bytes(b"x")
    assert output_guard.remove_stale_parts(tmp_path, older_than=time.time() - 60) == []
    assert fresh.exists()


def test_a_part_whose_killed_writer_is_an_unreaped_zombie_is_removed(tmp_path):
    """In a container whose pid 1 never reaps, a killed batch worker lingers as a zombie:
    its part is still stale (seen as a '.probe.<pid>-*.part' left after kill -9 and rerun)."""
    writer = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not output_guard._zombie(writer.pid):
        time.sleep(0.01)  # exited, not yet waited for: a zombie
    assert output_guard._zombie(writer.pid)
    part = tmp_path / f".probe.{writer.pid}-abcd_123.part"
    part.write_bytes(b"")
    past = time.time() - 60
    os.utime(part, (past, past))
    try:
        assert output_guard.remove_stale_parts(tmp_path, older_than=time.time()) == [part]
    finally:
        writer.wait()
