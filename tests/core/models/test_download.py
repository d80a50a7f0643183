"""Downloads resume after a broken connection, verify, and never leave a partial final file."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from packshot.core.errors import BadInput
from packshot.core.models import ModelStore
from packshot.core.models.download import download, part_path

DATA = bytes(range(256)) * 800  # 200 kB


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.break_after: int | None = None  # cut the connection after this many bytes, once
        self.ranges: list[str | None] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        srv: _Server = self.server  # type: ignore[assignment]
        if self.path != "/model.bin":
            self.send_error(404)
            return
        rng = self.headers.get("Range")
        srv.ranges.append(rng)
        start = int(rng.split("=")[1].split("-")[0]) if rng else 0
        body = DATA[start:]
        self.send_response(206 if rng else 200)
        self.send_header("Content-Length", str(len(body)))
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{len(DATA) - 1}/{len(DATA)}")
        self.end_headers()
        if srv.break_after is not None:
            cut, srv.break_after = srv.break_after, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


@pytest.fixture()
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _url(srv: _Server, path: str = "/model.bin") -> str:
    return f"http://127.0.0.1:{srv.server_address[1]}{path}"


SHA = hashlib.sha256(DATA).hexdigest()


def test_broken_connection_is_resumed_with_range(server, tmp_path):
    server.break_after = 70_000
    dest = tmp_path / "model.bin"
    seen = []
    download(_url(server), dest, sha256=SHA, size=len(DATA), progress=lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == DATA
    assert server.ranges == [None, "bytes=70000-"]
    assert seen[-1] == (len(DATA), len(DATA))
    assert not part_path(dest).exists()


def test_a_failed_run_keeps_the_part_and_the_next_run_resumes(server, tmp_path):
    server.break_after = 50_000
    dest = tmp_path / "model.bin"
    with pytest.raises(BadInput, match="run the command again to resume"):
        download(_url(server), dest, sha256=SHA, size=len(DATA), retries=0)
    assert not dest.exists() and part_path(dest).stat().st_size == 50_000
    download(_url(server), dest, sha256=SHA, size=len(DATA), retries=0)
    assert dest.read_bytes() == DATA and server.ranges[-1] == "bytes=50000-"


def test_wrong_checksum_discards_the_download(server, tmp_path):
    dest = tmp_path / "model.bin"
    with pytest.raises(BadInput, match="checksum mismatch"):
        download(_url(server), dest, sha256="0" * 64, size=len(DATA))
    assert not dest.exists() and not part_path(dest).exists()


def test_http_error_is_one_clear_line(server, tmp_path):
    with pytest.raises(BadInput, match="HTTP 404"):
        download(_url(server, "/nope"), tmp_path / "x.bin")


def test_store_download_verifies_and_reports_installed(server, tmp_path):
    entry = {"name": "toy", "file": "toy.bin", "size": len(DATA), "sha256": SHA,
             "url": _url(server), "loader": "file"}
    store = ModelStore(tmp_path / "models", [entry])
    assert store.status("toy").state == "missing"
    server.break_after = 10_000
    path = store.download("toy")
    assert path.read_bytes() == DATA and store.status("toy").state == "installed"
    assert store.path("toy") == path


def test_cli_download_resumes_a_partial_file(server, tmp_path, monkeypatch, capsys):
    from packshot.core.cli import main, models_cmd

    entry = {"name": "toy", "file": "toy.bin", "size": len(DATA), "sha256": SHA,
             "url": _url(server), "loader": "file"}
    store = ModelStore(tmp_path / "models", [entry])
    monkeypatch.setattr(models_cmd, "open_store", lambda: store)
    (tmp_path / "models").mkdir()
    part_path(tmp_path / "models" / "toy.bin").write_bytes(DATA[:30_000])
    assert main(["models", "download", "toy", "--quiet"]) == 0
    assert "(resumed); checksum verified" in capsys.readouterr().out
    assert server.ranges == ["bytes=30000-"]
    assert (tmp_path / "models" / "toy.bin").read_bytes() == DATA


def test_a_download_without_a_checksum_must_still_be_the_declared_network(server, tmp_path):
    """The served bytes are no network at all: an unchecksummed spandrel entry refuses them."""
    entry = {"name": "fdn", "file": "fdn.pth", "url": _url(server), "loader": "spandrel",
             "architecture": "DnCNN", "task": "denoise", "verified": False}
    store = ModelStore(tmp_path / "models", [entry])
    with pytest.raises(BadInput, match="fdn.pth: (refused|not a readable)"):
        store.download("fdn")
    assert not (store.folder / "fdn.pth").exists() and store.status("fdn").state == "missing"
