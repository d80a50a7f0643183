"""The batch journal: one JSON line per event in the output folder, synced as it is written.

A run appends ``start`` before a file is processed and ``done`` or ``failed`` after; each
line carries the fingerprint of the settings that file was made with. A rerun with the
same settings skips what is done (and still on disk) and redoes anything started but not
finished. A damaged line (a power cut tears the last one, even inside a UTF-8 character)
is skipped and counted, so its file is redone instead of the rerun failing.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

JOURNAL_NAME = ".packshot-journal.jsonl"


@dataclass
class JournalState:
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # output -> its last done entry
    started: set[str] = field(default_factory=set)  # outputs begun and never finished
    damaged: int = 0  # lines skipped because they are not a whole JSON object


class Journal:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / JOURNAL_NAME
        self._fh: BinaryIO | None = None

    def read(self) -> JournalState:
        """What earlier runs finished or began, each ``done`` entry with its fingerprint."""
        state = JournalState()
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return state
        for line in lines:
            entry = _entry(line)
            if entry is None:
                state.damaged += bool(line.strip())
                continue
            output, event = entry["output"], entry.get("event")
            if event == "start":
                state.started.add(output)
                continue
            state.started.discard(output)
            if event == "done":
                state.done[output] = entry
            elif event == "failed":
                state.done.pop(output, None)
        return state

    def write(self, event: str, **fields: Any) -> None:
        self.write_many([{"event": event, **fields}])

    def write_many(self, entries: list[dict[str, Any]]) -> None:
        """Append entries and sync them to disk before returning."""
        if not entries:
            return
        if self._fh is None:
            self._fh = open(self.path, "a+b")
            if self._fh.tell() and not _ends_a_line(self._fh):
                self._fh.write(b"\n")  # a torn last line stays alone instead of swallowing ours
        self._fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8"))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _entry(line: bytes) -> dict[str, Any] | None:
    """One journal line as an entry, or None when it is damaged or not ours."""
    try:
        entry = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("output"), str):
        return None
    return entry


def _ends_a_line(fh) -> bool:
    fh.seek(-1, os.SEEK_END)
    last = fh.read(1)
    fh.seek(0, os.SEEK_END)
    return last == b"\n"
