"""The batch runner in-process: bad files reported, resumable journal, names that stay inside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.batch import REPORT_NAME, BatchSpec, OutputTemplate, expand_inputs, plan_batch, run_batch
from packshot.core.batch.journal import JOURNAL_NAME
from packshot.core.errors import BadInput, BadParameter
from packshot.core.export import ExportOptions
from packshot.core.recipe import Recipe, Step
from packshot.core.synthetic import studio_shot
from packshot.testing.images import png_claiming


def _photo(path, seed=0, size=(160, 120)):
    rgb, _ = studio_shot(size[1], size[0], seed=seed)
    PILImage.fromarray((rgb * 255).astype(np.uint8)).save(path, quality=90)
    return path


def _photo_folder(folder, count):
    """``folder`` holding ``count`` distinct photos p0.jpg, p1.jpg, ..."""
    folder.mkdir()
    for i in range(count):
        _photo(folder / f"p{i}.jpg", seed=i)
    return folder


def huge_png_header(path, side=100_000):
    """A tiny PNG whose header claims side x side pixels (a decompression bomb)."""
    path.write_bytes(png_claiming(side, side))
    return path


def bad_folder(folder, good=3):
    folder.mkdir()
    for i in range(good):
        _photo(folder / f"good{i}.jpg", seed=i)
    data = (folder / "good0.jpg").read_bytes()
    (folder / "corrupt.jpg").write_bytes(data[: len(data) // 3])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "text.jpg").write_text("this is not a picture")
    huge_png_header(folder / "huge.png")
    return folder


def _outputs(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and p.name != REPORT_NAME)


def test_bad_files_are_reported_and_good_ones_exported(tmp_path, fake_host):
    src = bad_folder(tmp_path / "in")
    out = tmp_path / "out"
    spec = BatchSpec(expand_inputs([src]), out, ExportOptions(width=80, format="PNG"), preset="web")
    report = run_batch(spec, workers=0, host=fake_host)
    assert report.exit_code == 1
    assert _outputs(out) == ["good0_web.png", "good1_web.png", "good2_web.png"]
    reasons = {item["source"].rsplit("/", 1)[-1]: item["error"] for item in report.failed}
    assert set(reasons) == {"corrupt.jpg", "empty.jpg", "text.jpg", "huge.png"}
    assert "empty" in reasons["empty.jpg"] and "decompression bomb" in reasons["huge.png"]
    assert "truncated" in reasons["corrupt.jpg"] and "not an image" in reasons["text.jpg"]
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
    saved = json.loads((out / REPORT_NAME).read_text())
    assert saved["summary"]["done"] == 3 and saved["summary"]["failed"] == 4
    with PILImage.open(out / "good0_web.png") as im:
        assert im.size == (80, 60)


def test_rerun_skips_finished_files_and_retries_failed_ones(tmp_path, fake_host):
    src = _photo_folder(tmp_path / "in", 3)
    out = tmp_path / "out"
    spec = BatchSpec(expand_inputs([src]), out, ExportOptions(format="PNG"), preset="p")
    assert run_batch(spec, workers=0).exit_code == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}
    again = run_batch(spec, workers=0)
    assert again.summary()["done-earlier"] == 3 and again.summary()["done"] == 0
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")} == stamps
    # other settings: finished outputs are neither replaced nor mixed with new ones
    other = BatchSpec(spec.inputs, out, ExportOptions(format="PNG", width=50), preset="p")
    with pytest.raises(BadInput, match="3 output.* earlier batch with other settings.*--overwrite"):
        run_batch(other, workers=0)
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")} == stamps
    forced = BatchSpec(spec.inputs, out, ExportOptions(format="PNG", width=50), preset="p", overwrite=True)
    assert run_batch(forced, workers=0).summary()["done"] == 3
    with PILImage.open(out / "p0_p.png") as im:
        assert im.width == 50


def test_interrupted_output_is_redone_and_stale_temp_files_removed(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    _photo(src / "b.jpg", seed=1)
    out = tmp_path / "out"
    spec = BatchSpec(expand_inputs([src]), out, ExportOptions(format="PNG"), preset="x")
    reference = tmp_path / "ref"
    run_batch(BatchSpec(spec.inputs, reference, spec.options, preset="x"), workers=0)
    # what a SIGKILL mid-way leaves: a journal 'start' for both, one finished file, one temp file
    out.mkdir()
    fp = spec.fingerprint()
    lines = [{"event": "start", "output": n, "source": "s", "fp": fp} for n in ("a_x.png", "b_x.png")]
    lines.append({"event": "done", "output": "a_x.png", "source": "s", "fp": fp})
    (out / JOURNAL_NAME).write_text("".join(json.dumps(e) + "\n" for e in lines) + '{"event": "do')
    (out / "a_x.png").write_bytes((reference / "a_x.png").read_bytes())
    (out / "b_x.png").write_bytes(b"garbage from an older run of this batch")
    writer = subprocess.Popen([sys.executable, "-c", ""])
    writer.wait()
    (out / f".b_x.png.{writer.pid}-abcd1234.part").write_bytes(b"half")  # its writer is gone
    (out / ".a_x.png.abcd1234.part").write_bytes(b"half")  # named as before parts carried a pid
    for part in out.glob("*.part"):
        os.utime(part, (time.time() - 60, time.time() - 60))
    plan = {p.key: p.action for p in plan_batch(spec)}
    assert plan == {"a_x.png": "done-earlier", "b_x.png": "write"}
    report = run_batch(spec, workers=0)
    assert report.exit_code == 0 and "removed 2 temporary file(s) a killed run left" in report.notes
    assert sorted(p.name for p in out.iterdir() if p.suffix not in (".json", ".jsonl")) == ["a_x.png", "b_x.png"]
    for name in ("a_x.png", "b_x.png"):
        assert (out / name).read_bytes() == (reference / name).read_bytes()


def test_dry_run_writes_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    out = tmp_path / "out"
    report = run_batch(BatchSpec(expand_inputs([src]), out, ExportOptions()), dry_run=True)
    assert [i["status"] for i in report.items] == ["planned"]
    assert report.items[0]["output"].endswith("a_export.jpg")
    assert not out.exists()


def test_recipe_is_applied_and_plugin_errors_are_per_file(tmp_path, fake_host):
    src = tmp_path / "in"
    src.mkdir()
    _photo(src / "a.jpg")
    out = tmp_path / "out"
    invert = Recipe(steps=[Step(op="test.invert", params={"amount": 1.0})])
    spec = BatchSpec(expand_inputs([src]), out, ExportOptions(format="PNG"), preset="inv", recipe=invert)
    assert run_batch(spec, workers=0, host=fake_host).exit_code == 0
    with PILImage.open(src / "a.jpg") as im:
        original = np.asarray(im.convert("RGB"), np.int32)
    result = np.asarray(PILImage.open(out / "a_inv.png").convert("RGB"), np.int32)
    assert np.abs(result - (255 - original)).max() <= 1
    boom = BatchSpec(spec.inputs, tmp_path / "out2", ExportOptions(format="PNG"),
                     recipe=Recipe(steps=[Step(op="test.boom")]))
    report = run_batch(boom, workers=0, host=fake_host)
    assert report.exit_code == 1 and "plugin bug" in report.failed[0]["error"]
    missing = BatchSpec(spec.inputs, tmp_path / "out3", ExportOptions(), recipe=Recipe(steps=[Step(op="nope.op")]))
    with pytest.raises(BadInput, match="not installed"):
        run_batch(missing, host=fake_host)
    assert not (tmp_path / "out3").exists()


def test_a_files_own_recipe_replaces_the_shared_one_for_that_file_only(tmp_path, fake_host):
    """The desktop's Export Selection: each picture carries its own edit history."""
    src = tmp_path / "in"
    src.mkdir()
    edited, plain, broken = (_photo(src / f"{n}.jpg", seed=i) for i, n in enumerate(("edited", "plain", "broken")))
    invert = Recipe(steps=[Step(op="test.invert", params={"amount": 1.0})])
    own = {edited: invert, plain: Recipe(steps=[]), broken: Recipe(steps=[Step(op="nope.op")])}
    out = tmp_path / "out"
    spec = BatchSpec([edited, plain, broken], out, ExportOptions(format="PNG"), preset="s", recipes=own)
    report = run_batch(spec, workers=0, host=fake_host)

    def pixels(path):
        with PILImage.open(path) as im:
            return np.asarray(im.convert("RGB"), np.int32)

    assert np.abs(pixels(out / "edited_s.png") - (255 - pixels(edited))).max() <= 1
    assert np.abs(pixels(out / "plain_s.png") - pixels(plain)).max() <= 1
    assert report.exit_code == 1 and [f["source"] for f in report.failed] == [str(broken)]
    assert "nope.op" in report.failed[0]["error"]
    assert not (out / "broken_s.png").exists()
    other = BatchSpec(spec.inputs, out, spec.options, preset="s", recipes={**own, edited: Recipe(steps=[])})
    assert other.fingerprint() != spec.fingerprint()


@pytest.mark.parametrize("template", [
    "../{stem}.{ext}", "/tmp/{stem}.{ext}", "{stem}/../../x.{ext}", "a\\b.{ext}", "{stem}",
    "{stem.__class__}.{ext}", "{stem!r}.{ext}", "{name}.{ext}", "{stem};rm.{ext}", ".hidden/{stem}.{ext}",
    "{stem} copy.{ext}", "~/{stem}.{ext}", "{stem}:{ext}.{ext}", "{index:>99}.{ext}",
])
def test_path_escapes_and_odd_templates_are_refused(template):
    with pytest.raises(BadParameter):
        OutputTemplate(template)


def test_names_from_hostile_file_names_stay_inside(tmp_path):
    out = tmp_path / "out"
    sources = [tmp_path / "..evil.jpg", tmp_path / "a b;c.jpg", tmp_path / "x" / "a b;c.jpg"]
    paths = OutputTemplate("{preset}/{index:03d}_{stem}.{ext}").paths(sources, out, preset="../up", ext="jpg")
    root = out.resolve()
    assert all(p.is_relative_to(root) for p in paths)
    assert [p.relative_to(root).as_posix() for p in paths] == [
        "_up/001_evil.jpg", "_up/002_a_b_c.jpg", "_up/003_a_b_c.jpg"]


def test_collisions_are_numbered_in_input_order(tmp_path):
    sources = [tmp_path / "a" / "shot.jpg", tmp_path / "b" / "shot.jpg", tmp_path / "c" / "SHOT.jpg"]
    names = [p.name for p in OutputTemplate().paths(sources, tmp_path / "o", preset="p", ext="jpg")]
    assert names == ["shot_p.jpg", "shot_p-2.jpg", "SHOT_p-3.jpg"]


def test_symlink_in_output_folder_cannot_lead_outside(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    with pytest.raises(BadParameter, match="leave"):
        OutputTemplate("link/{stem}.{ext}").paths([tmp_path / "a.jpg"], out, preset="p", ext="jpg")


def test_inputs_from_folders_globs_and_files(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for name in ("a.jpg", "b.PNG", "notes.txt", "sub/c.jpg"):
        (src / name).write_bytes(b"x")
    out = src / "out"
    out.mkdir()
    (out / "a_export.jpg").write_bytes(b"x")
    assert [p.name for p in expand_inputs([src])] == ["a.jpg", "b.PNG"]
    assert [p.name for p in expand_inputs([src], recursive=True, exclude=out)] == ["a.jpg", "b.PNG", "c.jpg"]
    assert [p.name for p in expand_inputs([str(src / "**" / "*.jpg")], exclude=out)] == ["a.jpg", "c.jpg"]
    assert [p.name for p in expand_inputs([src / "notes.txt", src / "a.jpg", src / "a.jpg"])] == ["a.jpg", "notes.txt"]
    with pytest.raises(BadInput, match="no such file"):
        expand_inputs([src / "missing.jpg"])
    with pytest.raises(BadInput, match="no image files match"):
        expand_inputs([str(src / "*.gif")])


def test_pool_gives_the_same_bytes_as_in_process(tmp_path):
    src = _photo_folder(tmp_path / "in", 3)
    opts = ExportOptions(width=100, format="JPEG", quality=85)
    inline = run_batch(BatchSpec(expand_inputs([src]), tmp_path / "a", opts), workers=0)
    pooled = run_batch(BatchSpec(expand_inputs([src]), tmp_path / "b", opts), workers=2)
    assert inline.exit_code == pooled.exit_code == 0
    for p in (tmp_path / "a").glob("*.jpg"):
        assert p.read_bytes() == (tmp_path / "b" / p.name).read_bytes()


@pytest.mark.parametrize("workers", [0, 2])
def test_cancel_stops_between_files_and_a_rerun_finishes(tmp_path, workers):
    from packshot.core.context import CancelToken

    src = _photo_folder(tmp_path / "in", 8)
    out = tmp_path / "out"
    spec = BatchSpec(expand_inputs([src]), out, ExportOptions(format="PNG"), preset="c")
    token = CancelToken()
    report = run_batch(spec, workers=workers, cancel=token, on_progress=lambda done, total, name: token.cancel())
    assert report.cancelled and report.count("not-run") >= 8 - 1 - 2 * workers
    saved = json.loads((out / REPORT_NAME).read_text())
    assert saved["cancelled"] is True
    written = {p.name for p in out.glob("*.png")}
    assert len(written) < 8 and not list(out.glob(".*.part"))
    # the files under way when Cancel came were finished: the report and the journal count them all
    assert {Path(i["output"]).name for i in report.items if i["status"] == "done"} == written
    assert saved["summary"]["done"] == len(written) == (out / JOURNAL_NAME).read_text().count('"event": "done"')
    again = run_batch(spec, workers=workers)
    assert again.exit_code == 0 and len(list(out.glob("*.png"))) == 8
    assert again.count("done") + again.count("done-earlier") == 8
    assert again.count("done-earlier") == len(written)


_THREADS_SEEN = """
import os
from packshot.core.batch import executors
executors.default_workers = lambda: 8

def seen():
    import pyvips
    return pyvips.concurrency_get(), os.environ["OMP_NUM_THREADS"]

if __name__ == "__main__":
    with executors._pool(2, executors._start_method()) as pool:
        print(sorted({pool.submit(seen).result() for _ in range(4)}))
"""


def test_pool_workers_share_the_cores_instead_of_each_taking_all():
    """Two workers on eight cores run four libvips threads each (in a fresh interpreter: the
    command line loads libvips in its workers, not before it forks them)."""
    out = subprocess.run([sys.executable, "-c", _THREADS_SEEN], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "[(4, '4')]"
