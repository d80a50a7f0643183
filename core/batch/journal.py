"""The batch journal: one JSON line per event in the output folder, synced as it is written.

A run appends ``start`` before a file is processed and ``done`` or ``failed`` after; each
line carries the fingerprint of the settings. A rerun with the same settings skips what
is done (and still on disk) and redoes anything started but not finished. A torn last
line (the process died while writing it) is ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JOURNAL_NAME = ".packshot-journal.jsonl"


@dataclass
class JournalState:
    done: dict[str, dict[str, Any]] = field(default_factory=dict)  # output -> done entry
    started: set[str] = field(default_factory=set)  # outputs begun and never finished


class Journal:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / JOURNAL_NAME
        self._fh = None

    def read(self, fingerprint: str) -> JournalState:
        """What earlier runs with the same settings finished or began."""
        state = JournalState()
        try:
            lines = self.path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return state
        for line in lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            output = entry.get("output")
            if not isinstance(output, str):
                continue
            if entry.get("event") == "start":
                state.started.add(output)
            else:
                state.started.discard(output)
            if entry.get("fp") != fingerprint:
                state.done.pop(output, None)
                continue
            if entry.get("event") == "done":
                state.done[output] = entry
            elif entry.get("event") == "failed":
                state.done.pop(output, None)
        return state

    def write(self, event: str, **fields: Any) -> None:
        self.write_many([{"event": event, **fields}])

    def write_many(self, entries: list[dict[str, Any]]) -> None:
        """Append entries and sync them to disk before returning."""
        if not entries:
            return
        if self._fh is None:
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
