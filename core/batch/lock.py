"""One batch at a time per output folder: a lock file that names its owner.

The lock is the operating system's lock on the open file (``flock``; a byte-range lock on
Windows), so a run that dies in any way, SIGKILL or power cut included, holds it no
longer. The owner's pid, host and start time written inside are for the message a second
run shows, and for the note when a run finds the file left by a run that died.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from ..errors import BadInput

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

LOCK_NAME = ".packshot-batch.lock"
_WINDOWS_LOCK_OFFSET = 1 << 20  # lock a byte past the owner's line, so others can still read it


class FolderBusy(BadInput):
    """Another run holds the output folder; ``owner`` names it ('' when unknown), so a front
    end can word the refusal its own way."""

    def __init__(self, folder: Path, owner: str) -> None:
        self.folder, self.owner = folder, owner
        super().__init__(f"{folder}: another batch is writing into this folder"
                         f"{f' ({owner})' if owner else ''}; wait for it to end or choose another --out")


class OutputLock:
    """``with OutputLock(folder) as lock:`` the batch's; ``lock.note`` says if it took over a stale one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / LOCK_NAME
        self.note = ""
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the folder, or refuse with who holds it."""
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if not _try_lock(fd):
                owner = _owner(fd)
                os.close(fd)
                raise FolderBusy(self.folder, owner)
            if _still_named(fd, self.path):
                break
            os.close(fd)  # its owner removed the file between our open and our lock: open the new one
        left = _owner(fd)
        if left:
            self.note = (f"an earlier batch ({left}) ended without releasing {self.path.name}; "
                         "took it over (that run's unfinished files are redone)")
        mine = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())})
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, mine.encode() + b"\n")
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Remove the lock file (emptied where it cannot be removed while open), then unlock."""
        if self._fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            os.ftruncate(self._fd, 0)
        if fcntl is not None:  # forked pool workers share the open file: unlock it for them too
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _still_named(fd: int, path: Path) -> bool:
    """Whether ``path`` is still the file ``fd`` locked (an owner removes it when it ends)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _owner(fd: int) -> str:
    """'pid 123 on host, started ...' from the lock file, or '' when it names nobody."""
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        data = json.loads(os.read(fd, 4096).decode("utf-8"))
        return f"pid {int(data['pid'])} on {data['host']}, started {data['started']}"
    except (ValueError, KeyError, TypeError):
        return ""

