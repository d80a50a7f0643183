"""The batch runner keeps its promises when things go wrong: a crashing plugin, a killed
batch, a second batch into the same folder, a torn journal, a FIFO among the inputs."""

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

from packshot.core.batch import REPORT_NAME, BatchSpec, expand_inputs, plan_batch, run_batch
from packshot.core.batch.journal import JOURNAL_NAME
from packshot.core.batch.lock import LOCK_NAME, OutputLock
from packshot.core.errors import BadInput
from packshot.core.export import ExportOptions
from packshot.core.recipe import Recipe, Step
from packshot.core.synthetic import studio_shot

# A third-party plugin as the tests install it: one operation kills its process on files
# whose name says "crash" (as a segfaulting library would) and exits on "exit", one notes its worker's pid in
# $CRASHY_PIDS and naps $CRASHY_NAP seconds (a slow model).
CRASHY_PLUGIN = '''
import os
import time
from pathlib import Path

from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result

packshot_api_version = "2.0"


class Crash(Operation):
    id, title, family = "crashy.crash", "Crash on some files", "other"

    def run(self, inputs, params, ctx):
        if "crash" in inputs.image.source.name:
            os._exit(3)
        if "exit" in inputs.image.source.name:
            raise SystemExit(4)
        time.sleep(0.1)
        return Result(inputs.image)


class Nap(Operation):
    id, title, family = "crashy.nap", "Nap", "other"

    def run(self, inputs, params, ctx):
        if os.environ.get("CRASHY_PIDS"):
            Path(os.environ["CRASHY_PIDS"], str(os.getpid())).touch()
        time.sleep(float(os.environ.get("CRASHY_NAP", "0.2")))
        return Result(inputs.image)


@hookimpl
def packshot_operations():
    return [Crash(), Nap()]
'''


def photos(folder: Path, names: list[str], size=(48, 32)) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, name in enumerate(names):
        rgb, _ = studio_shot(size[1], size[0], seed=i)
        PILImage.fromarray((rgb * 255).astype(np.uint8)).save(folder / name)
        paths.append(folder / name)
    return paths


def gone(pid: int) -> bool:
    """No such process, or only its zombie (an orphan's new parent may never reap it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return not Path("/proc").is_dir()


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# ---------------------------------------------------------------- a crashing worker (12.5)

@pytest.mark.slow
def test_a_file_that_kills_its_worker_fails_alone_and_a_rerun_spares_the_others(packshot_installed_plugin,
                                                                                 tmp_path):
    packshot_installed_plugin("crashy", {"crashy": CRASHY_PLUGIN})
    sources = photos(tmp_path / "in", ["a_crash.png", *(f"shot{i}.png" for i in range(6)), "z_exit.png"])
    out = tmp_path / "out"
    spec = BatchSpec(sources, out, ExportOptions(format="PNG"), recipe=Recipe(steps=[Step(op="crashy.crash")]))
    report = run_batch(spec, workers=2)
    status = {Path(i["source"]).name: i["status"] for i in report.items}
    assert status == {"a_crash.png": "failed", **{f"shot{i}.png": "done" for i in range(6)}, "z_exit.png": "failed"}
    errors = {Path(i["source"]).name: i["error"] for i in report.failed}
    assert errors["a_crash.png"] == ("a_crash.png: the worker process died while working on this file "
                                     "(a crash in a plugin or an image decoder)")
    assert "crashy.crash tried to exit Packshot" in errors["z_exit.png"]
    assert sorted(p.name for p in out.glob("*.png")) == [f"shot{i}_export.png" for i in range(6)]
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")}

    again = run_batch(spec, workers=2)
    assert again.summary()["done-earlier"] == 6
    assert [Path(i["source"]).name for i in again.failed] == ["a_crash.png", "z_exit.png"]
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.png")} == stamps
    assert not list(out.glob(".*.part"))


# ---------------------------------------------------------------- workers die with the batch (12.8)

@pytest.mark.slow
def test_workers_end_when_the_batch_is_killed(packshot_installed_plugin, tmp_path):
    site = packshot_installed_plugin("crashy", {"crashy": CRASHY_PLUGIN})
    sources = photos(tmp_path / "in", [f"p{i}.png" for i in range(6)])
    (tmp_path / "nap.toml").write_text('[[steps]]\nop = "crashy.nap"\n')
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "CRASHY_PIDS": str(pids), "CRASHY_NAP": "30",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    batch = subprocess.Popen([sys.executable, "-c", "import sys; from packshot.core.cli import main; sys.exit(main())",
                              "batch", *map(str, sources), "--out", str(tmp_path / "out"), "--workers", "2",
                              "--recipe", str(tmp_path / "nap.toml"), "--quiet"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: len(list(pids.iterdir())) == 2, 30), batch.stderr.read1().decode()
        workers = [int(p.name) for p in pids.iterdir()]
        assert not any(gone(pid) for pid in workers)
    finally:
        batch.send_signal(signal.SIGKILL)  # only the batch: its workers are left to fend for themselves
        batch.wait()
    assert wait_until(lambda: all(gone(pid) for pid in workers), 5), "workers outlived their batch"


@pytest.mark.slow
def test_the_portable_watch_ends_an_orphan_without_the_kernels_help(tmp_path):
    """Where no parent-death signal exists (macOS, Windows) a thread watches the parent."""
    middle = subprocess.Popen([sys.executable, "-c", """
import multiprocessing, os, time
from packshot.core.batch.worker_guard import watch_parent

if __name__ == "__main__":
    child = multiprocessing.get_context("fork").Process(target=watch_parent, args=(os.getpid(), 0.05))
    child.start()
    print(child.pid, flush=True)
    time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    child = int(middle.stdout.readline())
    assert not gone(child)
    middle.kill()
    middle.wait()
    assert wait_until(lambda: gone(child), 5)


# ---------------------------------------------------------------- one batch per folder (12.4)

def _hold_lock(folder: Path) -> subprocess.Popen:
    """Another process holding the folder's lock, as a running batch does."""
    holder = subprocess.Popen([sys.executable, "-c", f"""
import time
from pathlib import Path
from packshot.core.batch.lock import OutputLock
OutputLock(Path({str(folder)!r})).acquire()
print("held", flush=True)
time.sleep(60)
"""], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_batch_into_a_busy_folder_is_refused_and_a_dead_owners_lock_taken_over(tmp_path):
    sources = photos(tmp_path / "in", ["a.png", "b.png"])
    out = tmp_path / "out"
    out.mkdir()
    spec = BatchSpec(sources, out, ExportOptions(format="PNG"))
    holder = _hold_lock(out)
    try:
        with pytest.raises(BadInput, match=f"another batch is writing into this folder \\(pid {holder.pid} on "):
            run_batch(spec, workers=0)
        assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]
    finally:
        holder.kill()
        holder.wait()
    assert (out / LOCK_NAME).exists()  # what SIGKILL leaves behind
    report = run_batch(spec, workers=0)
    assert report.summary()["done"] == 2
    assert any(f"pid {holder.pid} on" in n and "ended without releasing" in n for n in report.notes)
    assert not (out / LOCK_NAME).exists()
    assert json.loads((out / REPORT_NAME).read_text())["notes"] == report.notes


def test_the_lock_is_released_however_the_run_ends(tmp_path, fake_host):
    sources = photos(tmp_path / "in", ["a.png"])
    out = tmp_path / "out"
    with pytest.raises(BadInput):
        run_batch(BatchSpec(sources, out, ExportOptions(format="PNG"),
                            recipe=Recipe(steps=[Step(op="nope.op")])), host=fake_host)
    assert run_batch(BatchSpec(sources, out, ExportOptions(format="PNG")), workers=0).exit_code == 0
    with OutputLock(out) as lock:
        assert lock.note == ""


def test_exporting_another_selection_into_the_folder_is_not_mixing(tmp_path, fake_host):
    """The desktop exports picture by picture, each with its own edits, into one folder."""
    a, b = photos(tmp_path / "in", ["a.png", "b.png"])
    out = tmp_path / "out"
    invert = Recipe(steps=[Step(op="test.invert", params={"amount": 1.0})])
    first = BatchSpec([a], out, ExportOptions(format="PNG"), recipes={a: invert})
    assert run_batch(first, workers=0, host=fake_host).summary()["done"] == 1
    both = BatchSpec([a, b], out, ExportOptions(format="PNG"), recipes={a: invert, b: Recipe(steps=[])})
    assert {i["status"] for i in run_batch(both, workers=0, host=fake_host).items} == {"done-earlier", "done"}
    edited_again = BatchSpec([a], out, ExportOptions(format="PNG"), recipes={a: Recipe(steps=[])})
    with pytest.raises(BadInput, match="1 output.*a_export.png"):
        run_batch(edited_again, workers=0, host=fake_host)


# ---------------------------------------------------------------- a damaged journal (12.12)

def test_torn_and_foreign_journal_lines_are_skipped_and_their_files_redone(tmp_path):
    sources = photos(tmp_path / "in", ["a.png", "b.png", "c.png"])
    out = tmp_path / "out"
    spec = BatchSpec(sources, out, ExportOptions(format="PNG"))
    assert run_batch(spec, workers=0).exit_code == 0
    journal = out / JOURNAL_NAME
    lines = journal.read_bytes().splitlines(keepends=True)
    done_c = next(line for line in lines if b'"done"' in line and b"c_export" in line)
    lines.remove(done_c)
    (out / "c_export.png").unlink()
    whole = json.dumps({**json.loads(done_c), "source": "café.png"}, ensure_ascii=False).encode()
    torn = whole[: whole.index("é".encode()) + 1]  # cut inside a UTF-8 character, as a power cut leaves it
    journal.write_bytes(b"".join(lines) + b'[1, 2]\n"text"\n5\nnull\n' + b"[" * 100_000 + b"\n" + torn)

    report = run_batch(spec, workers=0)
    assert report.exit_code == 0
    assert {Path(i["source"]).name: i["status"] for i in report.items} == {
        "a.png": "done-earlier", "b.png": "done-earlier", "c.png": "done"}
    assert any("6 damaged line" in n for n in report.notes)
    later = journal.read_bytes().splitlines()
    assert later[-3] == torn and all(json.loads(line) for line in later[-2:])  # appended after, not onto it
    assert run_batch(spec, workers=0).summary()["done-earlier"] == 3


# ---------------------------------------------------------------- FIFOs and devices (12.7)

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
@pytest.mark.timeout(60)
def test_fifos_and_links_to_devices_are_skipped_with_a_note(tmp_path):
    folder = tmp_path / "in"
    photos(folder, ["a.png"])
    os.mkfifo(folder / "pipe.jpg")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    out = tmp_path / "out"
    spec = BatchSpec(expand_inputs([folder]), out, ExportOptions(format="PNG"))
    a, pipe, zero = (str(p) for p in spec.inputs)  # the link keeps its own name: notes name it
    assert (Path(a).name, Path(pipe).name, Path(zero).name) == ("a.png", "pipe.jpg", "zero.jpg")
    assert [p.action for p in plan_batch(spec)] == ["write", "not-a-file", "not-a-file"]
    report = run_batch(spec, workers=0)
    assert report.exit_code == 0
    status = {i["source"]: (i["status"], i["error"]) for i in report.items}
    assert status[a] == ("done", "")
    assert status[pipe] == ("skipped", "not a regular file (a named pipe (FIFO)); skipped")
    assert status[zero] == ("skipped", "not a regular file (a character device); skipped")
    assert report.notes == [f"{pipe}: not a regular file (a named pipe (FIFO)); skipped",
                            f"{zero}: not a regular file (a character device); skipped"]
    assert sorted(p.name for p in out.glob("*.png")) == ["a_export.png"]
