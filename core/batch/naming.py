"""Output names from a template that can never leave the output folder.

A template such as ``{stem}_{preset}.{ext}`` or ``{preset}/{index:04d}_{stem}.{ext}`` may
use only the fields below, plain letters, digits, ``._-`` and ``/`` between folder names.
``..``, absolute paths, hidden names, backslashes and other characters are refused before
any work starts; values taken from input file names are cleaned; every final path is
checked to lie inside the output folder; two inputs that would get the same name are told
apart by ``-2``, ``-3``... in input order, so a rerun names them the same way.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from ..errors import BadParameter

FIELDS = ("stem", "ext", "preset", "index", "parent")
DEFAULT_TEMPLATE = "{stem}_{preset}.{ext}"
_LITERAL = re.compile(r"^[A-Za-z0-9._\-/]*$")
_INDEX_SPEC = re.compile(r"^0?[1-9]?d?$")
_UNSAFE_VALUE = re.compile(r"[^\w.\-]+")
MAX_COMPONENT = 180


class OutputTemplate:
    """A checked name template; :meth:`paths` turns inputs into output paths."""

    def __init__(self, template: str = DEFAULT_TEMPLATE) -> None:
        self.template = template
        self._check()

    def _check(self) -> None:
        t = self.template
        if not t or not t.endswith(".{ext}"):
            raise BadParameter(f"name template {t!r} must end with '.{{ext}}' (the format's extension)")
        if t.startswith("/") or "\\" in t or "//" in t:
            raise BadParameter(f"name template {t!r}: absolute paths and backslashes are not allowed")
        try:
            parts = list(string.Formatter().parse(t))
        except ValueError as exc:
            raise BadParameter(f"name template {t!r}: {exc}") from exc
        literal = ""
        for text, name, spec, conversion in parts:
            literal += text
            if name is None:
                continue
            if name not in FIELDS:
                raise BadParameter(f"name template {t!r}: unknown field {{{name}}}; allowed: "
                                   + ", ".join(f"{{{f}}}" for f in FIELDS))
            if conversion or (spec and not (name == "index" and _INDEX_SPEC.match(spec))):
                raise BadParameter(f"name template {t!r}: field {{{name}}} cannot take "
                                   f"{'!' + conversion if conversion else f':{spec}'}")
            literal += "x"
        if not _LITERAL.match(literal):
            bad = sorted(set(re.sub(r"[A-Za-z0-9._\-/]", "", literal)))
            raise BadParameter(f"name template {t!r}: characters {''.join(bad)!r} are not allowed "
                               "(use letters, digits, '.', '_', '-' and '/')")
        for part in PurePosixPath(t).parts:
            if part in (".", "..") or part.startswith("."):
                raise BadParameter(f"name template {t!r}: folder or file names may not be "
                                   f"'.', '..' or start with a dot")

    def render(self, source: Path, *, index: int, preset: str, ext: str) -> str:
        values = {"stem": clean(source.stem), "ext": clean(ext), "preset": clean(preset or "export"),
                  "index": index, "parent": clean(source.parent.name or "root")}
        return self.template.format(**values)

    def paths(self, sources: Sequence[Path], out_dir: Path, *, preset: str, ext: str) -> list[Path]:
        """One output path per source, in order, inside ``out_dir``, all distinct."""
        root = out_dir.resolve()
        taken: set[str] = set()
        out: list[Path] = []
        for i, source in enumerate(sources, 1):
            rel = PurePosixPath(self.render(source, index=i, preset=preset, ext=ext))
            candidate, n = rel, 1
            while candidate.as_posix().lower() in taken:
                n += 1
                candidate = rel.with_name(f"{rel.stem}-{n}{rel.suffix}")
            taken.add(candidate.as_posix().lower())
            out.append(inside(root, candidate))
        return out


def clean(value: str) -> str:
    """A name piece safe on every file system: word characters, '.', '-', no leading dots."""
    value = unicodedata.normalize("NFC", str(value))
    value = _UNSAFE_VALUE.sub("_", value).lstrip(".")[:MAX_COMPONENT]
    return value or "image"


def inside(root: Path, relative: PurePosixPath) -> Path:
    """``root / relative``, refused unless it resolves inside ``root`` (links included)."""
    if relative.is_absolute() or any(p in ("..", "") for p in relative.parts):
        raise BadParameter(f"output name {relative} would leave the output folder")
    target = (root / Path(*relative.parts)).resolve()
    if not target.is_relative_to(root) or target == root:
        raise BadParameter(f"output name {relative} would leave the output folder {root}")
    return target
