"""``packshot batch`` end to end: bad files, SIGKILL and resume, refused templates, Ray."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli
from packshot.core.batch import REPORT_NAME
from packshot.core.batch.journal import JOURNAL_NAME
from packshot.core.synthetic import studio_shot

CLI = [sys.executable, "-c", "import sys; from packshot.core.cli import main; sys.exit(main(sys.argv[1:]))"]


def _photo(path, seed=0, size=(320, 240)):
    rgb, _ = studio_shot(size[1], size[0], seed=seed)
    PILImage.fromarray((rgb * 255).astype(np.uint8)).save(path, quality=90)
    return path


def _bad_folder(folder):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "batch_helpers", Path(__file__).resolve().parents[1] / "core" / "batch" / "test_batch.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    return helpers.bad_folder(folder)


def _finals(folder):
    """Output files by name, without the journal and report."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in (JOURNAL_NAME, REPORT_NAME)}


def test_batch_over_a_folder_with_bad_files(tmp_path, capsys):
    src = _bad_folder(tmp_path / "in")
    out = tmp_path / "out"
    code = cli.main(["batch", str(src), "--out", str(out), "--preset", "web-thumbnail", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert sorted(_finals(out)) == ["good0_web-thumbnail.jpg", "good1_web-thumbnail.jpg", "good2_web-thumbnail.jpg"]
    for bad in ("corrupt.jpg", "empty.jpg", "text.jpg", "huge.png"):
        assert f"failed: {src / bad}" in captured.err
    assert "3 written" in captured.out and "4 failed" in captured.out
    report = json.loads((out / REPORT_NAME).read_text())
    assert report["summary"]["failed"] == 4
    for name in _finals(out):
        with PILImage.open(out / name) as im:
            assert im.size == (400, 400) and im.format == "JPEG"


def test_dry_run_lists_and_writes_nothing(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    out = tmp_path / "out"
    assert cli.main(["batch", str(src), "--out", str(out), "--dry-run", "--name", "{index:02d}-{stem}.{ext}"]) == 0
    assert f"planned       {src / 'a.jpg'} -> {out.resolve() / '01-a.jpg'}" in capsys.readouterr().out
    assert not out.exists()


@pytest.mark.parametrize("template", ["../{stem}.{ext}", "/etc/{stem}.{ext}", "{stem}/../../{stem}.{ext}",
                                      "{stem}$(id).{ext}"])
def test_escaping_templates_are_refused_before_any_work(tmp_path, capsys, template):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    out = tmp_path / "sub" / "out"
    assert cli.main(["batch", str(src), "--out", str(out), "--name", template, "--quiet"]) == 2
    assert "name template" in capsys.readouterr().err
    assert not (tmp_path / "sub").exists()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.jpg"]


def test_existing_outputs_are_kept_without_overwrite(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a_export.jpg").write_bytes(b"someone else's file")
    assert cli.main(["batch", str(src), "--out", str(out), "--quiet"]) == 0
    assert (out / "a_export.jpg").read_bytes() == b"someone else's file"
    assert "1 skipped" in capsys.readouterr().out
    assert cli.main(["batch", str(src), "--out", str(out), "--quiet", "--overwrite"]) == 0
    assert (out / "a_export.jpg").read_bytes()[:2] == b"\xff\xd8"


@pytest.mark.slow
def test_sigkill_halfway_then_rerun_matches_an_uninterrupted_run(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    count = 20
    for i in range(count):
        _photo(src / f"shot{i:02d}.jpg", seed=i, size=(640, 480))
    args = [str(src), "--preset", "jd", "--workers", "1", "--quiet"]
    reference = tmp_path / "reference"
    assert subprocess.run([*CLI, "batch", *args, "--out", str(reference)], capture_output=True).returncode == 0
    out = tmp_path / "out"
    proc = subprocess.Popen([*CLI, "batch", *args, "--out", str(out)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = out / JOURNAL_NAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count('"event": "done"') >= 3:
            break
        time.sleep(0.005)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = journal.read_text().count('"event": "done"')
    assert 3 <= finished < count, "the batch must be killed halfway for this test to mean anything"
    assert not (out / REPORT_NAME).exists()
    rerun = subprocess.run([*CLI, "batch", *args, "--out", str(out)], capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{finished} already done" in rerun.stdout or f"{finished + 1} already done" in rerun.stdout
    assert _finals(out) == _finals(reference)
    assert len(_finals(out)) == count
    report = json.loads((out / REPORT_NAME).read_text())
    assert report["summary"]["done"] + report["summary"]["done-earlier"] == count


@pytest.mark.slow
def test_ray_executor_gives_the_local_result(tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is an optional extra: pip install 'packshot[ray]'")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        _photo(src / f"p{i}.jpg", seed=i)
    (src / "broken.jpg").write_text("not an image")
    local, remote = tmp_path / "local", tmp_path / "ray"
    args = [str(src), "--preset", "shopify", "--quiet"]
    assert cli.main(["batch", *args, "--out", str(local)]) == 1
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        assert cli.main(["batch", *args, "--out", str(remote), "--executor", "ray"]) == 1
    finally:
        ray.shutdown()
    assert _finals(remote) == _finals(local) and len(_finals(local)) == 4
    summary = lambda folder: json.loads((folder / REPORT_NAME).read_text())["summary"]  # noqa: E731
    assert summary(remote) == summary(local)


def test_inputs_from_a_library_selection(tmp_path, capsys):
    from packshot.core.library import Library

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(src / f"p{i}.jpg", seed=i)
    with Library.open() as lib:
        lib.add_folder(src)
        lib.set_rating(src / "p1.jpg", 5)
        lib.set_flag(src / "p2.jpg", "pick")
    out = tmp_path / "out"
    assert cli.main(["batch", "--from-library", "--min-rating", "4", "--out", str(out), "--quiet"]) == 0
    assert sorted(_finals(out)) == ["p1_export.jpg"]
    assert cli.main(["batch", "--from-library", "--flag", "pick", "--out", str(out), "--quiet"]) == 0
    assert sorted(_finals(out)) == ["p1_export.jpg", "p2_export.jpg"]
    with Library.open() as lib:
        history = lib.exports(src / "p2.jpg")
        assert [Path(h["output"]).name for h in history] == ["p2_export.jpg"]
        assert history[0]["bytes"] == (out / "p2_export.jpg").stat().st_size


def _crashy_site(tmp_path: Path) -> dict[str, str]:
    """The test plugin of tests/core/batch/test_integrity.py installed for subprocesses: their environment."""
    import importlib.util

    from packshot.testing.distributions import write_plugin_distribution

    spec = importlib.util.spec_from_file_location(
        "batch_integrity", Path(__file__).resolve().parents[1] / "core" / "batch" / "test_integrity.py")
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    write_plugin_distribution(tmp_path / "site", "crashy", {"crashy": helpers.CRASHY_PLUGIN})
    (tmp_path / "nap.toml").write_text('[[steps]]\nop = "crashy.nap"\n')
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "site"),
                                                                      os.environ.get("PYTHONPATH")]))}


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.slow
def test_ctrl_c_finishes_the_files_under_way_and_the_report_counts_them(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(8):
        _photo(src / f"p{i}.jpg", seed=i, size=(48, 32))
    env = {**_crashy_site(tmp_path), "CRASHY_NAP": "0.3"}
    out = tmp_path / "out"
    args = [*CLI, "batch", str(src), "--out", str(out), "--workers", "2", "--recipe", str(tmp_path / "nap.toml"),
            "--preset", "shopify", "--quiet"]
    proc = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    journal = out / JOURNAL_NAME
    _wait_for(lambda: journal.exists() and journal.read_text().count('"event": "done"') >= 2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl+C in a terminal does: the whole foreground group
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "stopping after the files under way" in stderr and "Traceback" not in stderr
    report = json.loads((out / REPORT_NAME).read_text())
    on_disk = sorted(_finals(out))
    assert report["cancelled"] is True and 2 <= len(on_disk) < 8
    assert report["summary"]["done"] == len(on_disk) == journal.read_text().count('"event": "done"')
    assert report["summary"]["not-run"] == 8 - len(on_disk) and not list(out.glob(".*.part"))
    assert f"{len(on_disk)} written" in stdout and f"{8 - len(on_disk)} not started" in stdout
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{8 - len(on_disk)} written, {len(on_disk)} already done" in rerun.stdout


@pytest.mark.slow
def test_a_second_batch_into_the_same_folder_is_refused_while_and_after_the_first(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        _photo(src / f"p{i}.jpg", seed=i, size=(48, 32))
    env = {**_crashy_site(tmp_path), "CRASHY_NAP": "0.3"}
    out = tmp_path / "out"
    first = subprocess.Popen([*CLI, "batch", str(src), "--out", str(out), "--workers", "1", "--recipe",
                              str(tmp_path / "nap.toml"), "--quiet"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: (out / JOURNAL_NAME).exists())
    second = ["batch", str(src), "--out", str(out), "--quality", "70", "--quiet"]
    assert cli.main(second) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"another batch is writing into this folder (pid {first.pid} on" in err
    assert first.wait(timeout=60) == 0, first.stderr.read()
    made_by_first = _finals(out)
    assert len(made_by_first) == 4
    assert cli.main(second) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "4 output(s) there were made by an earlier batch with other settings" in err
    assert _finals(out) == made_by_first
    assert cli.main([*second, "--overwrite"]) == 0
    assert all(_finals(out)[name] != made_by_first[name] for name in made_by_first)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_fifo_and_a_link_to_dev_zero_in_the_input_folder_are_skipped_with_a_note(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg", size=(48, 32))
    os.mkfifo(src / "b.jpg")
    (src / "c.jpg").symlink_to("/dev/zero")
    out = tmp_path / "out"
    # a subprocess, so that a reader stuck on the FIFO fails this test instead of hanging the suite
    proc = subprocess.Popen([*CLI, "batch", str(src), "--out", str(out), "--quiet"], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("the batch hangs on a FIFO or a device")
    assert proc.returncode == 0, stderr
    assert f"note: {src / 'b.jpg'}: not a regular file (a named pipe (FIFO)); skipped" in stderr
    assert f"note: {src / 'c.jpg'}: not a regular file (a character device); skipped" in stderr  # the link, as named
    assert "1 written, 0 already done, 2 skipped, 0 failed" in stdout
    assert sorted(_finals(out)) == ["a_export.jpg"]


@pytest.mark.parametrize("damage", ["emptied", "corrupted"])
def test_a_restored_library_is_told_in_one_line(tmp_path, capsys, damage):
    """A library emptied to 0 bytes or with corrupt pages is restored from its backup, the
    ratings kept, and the batch says so on stderr without --verbose."""
    from packshot.core.library import Library

    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(src / f"p{i}.jpg", seed=i, size=(64, 48))
    with Library.open() as lib:
        lib.add_folder(src)
        lib.set_rating(src / "p1.jpg", 5)
        path = lib.path
    Library.open().close()  # a second open backs the rated library up
    data = bytearray(path.read_bytes())
    if damage == "emptied":
        data = bytearray()
    else:
        data[4096:4096 * 3] = b"\x5a" * 8192
    path.write_bytes(bytes(data))
    capsys.readouterr()
    out = tmp_path / "out"
    assert cli.main(["batch", "--from-library", "--min-rating", "4", "--out", str(out), "--quiet"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packshot: warning: ") and "restored from its backup" in err[0], err
    assert sorted(_finals(out)) == ["p1_export.jpg"]
