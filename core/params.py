"""Typed operation parameters: ranges, defaults, choices and help text.

One description serves three readers: the desktop builds its form from it, the CLI and
recipes parse values against it, and :func:`validate` gives one clear error naming the
parameter and what it allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .errors import BadParameter


@dataclass(frozen=True)
class Param:
    """Base of every parameter kind. ``name`` is the key in recipes and on the CLI."""

    name: str
    default: Any
    help: str = ""
    title: str = ""
    kind: ClassVar[str] = "any"

    @property
    def label(self) -> str:
        return self.title or self.name.replace("_", " ").capitalize()

    def check(self, value: Any) -> Any:
        """Return the value in canonical form or raise BadParameter."""
        return value

    def parse(self, text: str) -> Any:
        """Parse a value typed on the command line."""
        return self.check(text)

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description, for ``packshot ops --json`` and documentation."""
        return {"name": self.name, "kind": self.kind, "default": self.default,
                "title": self.label, "help": self.help}

    def _fail(self, value: Any, allowed: str) -> BadParameter:
        return BadParameter(f"parameter {self.name!r}: {value!r} is not allowed; expected {allowed}")


@dataclass(frozen=True)
class Float(Param):
    minimum: float = 0.0
    maximum: float = 1.0
    step: float | None = None
    unit: str = ""
    kind: ClassVar[str] = "float"

    def check(self, value: Any) -> float:
        if isinstance(value, bool):
            raise self._fail(value, self._range())
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise self._fail(value, f"a number {self._range()}") from None
        if not self.minimum <= v <= self.maximum:
            raise self._fail(value, self._range())
        return v

    def _range(self) -> str:
        return f"from {self.minimum:g} to {self.maximum:g}{(' ' + self.unit) if self.unit else ''}"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "minimum": self.minimum, "maximum": self.maximum,
                "step": self.step, "unit": self.unit}


@dataclass(frozen=True)
class Int(Param):
    minimum: int = 0
    maximum: int = 100
    unit: str = ""
    kind: ClassVar[str] = "int"

    def check(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self._fail(value, self._range())
        try:  # int() first: a large whole number must not lose digits through float
            v = int(value) if isinstance(value, int) else int(str(value).strip())
        except (TypeError, ValueError):
            try:
                f = float(value)
            except (TypeError, ValueError):
                raise self._fail(value, f"a whole number {self._range()}") from None
            if not f.is_integer():
                raise self._fail(value, f"a whole number {self._range()}")
            v = int(f)
        if not self.minimum <= v <= self.maximum:
            raise self._fail(value, self._range())
        return v

    def _range(self) -> str:
        return f"from {self.minimum} to {self.maximum}{(' ' + self.unit) if self.unit else ''}"

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "minimum": self.minimum, "maximum": self.maximum,
                "unit": self.unit}


@dataclass(frozen=True)
class Bool(Param):
    kind: ClassVar[str] = "bool"
    _TRUE: ClassVar[set[str]] = {"1", "true", "yes", "on"}
    _FALSE: ClassVar[set[str]] = {"0", "false", "no", "off"}

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in self._TRUE | self._FALSE:
            return value.lower() in self._TRUE
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise self._fail(value, "true or false")


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple[str, ...] = ()
    kind: ClassVar[str] = "choice"

    def check(self, value: Any) -> str:
        if value not in self.choices:
            raise self._fail(value, "one of " + ", ".join(self.choices))
        return value

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "choices": list(self.choices)}


_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class Colour(Param):
    """An sRGB colour as ``#rrggbb``; the desktop shows a colour picker."""

    kind: ClassVar[str] = "colour"

    def check(self, value: Any) -> str:
        if isinstance(value, (list, tuple)) and len(value) == 3:
            try:
                rgb = [int(c) for c in value]
            except (TypeError, ValueError):
                raise self._fail(value, "a colour as #rrggbb") from None
            if all(0 <= c <= 255 for c in rgb):
                return "#{:02x}{:02x}{:02x}".format(*rgb)
        if isinstance(value, str):
            m = _HEX.match(value.strip())
            if m:
                return "#" + m.group(1).lower()
        raise self._fail(value, "a colour as #rrggbb")

    @staticmethod
    def to_rgb(value: str) -> tuple[int, int, int]:
        h = value.lstrip("#")
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@dataclass(frozen=True)
class Text(Param):
    """Free text (a prompt, a name). ``multiline`` asks the desktop for a text box."""

    max_length: int = 2000
    multiline: bool = False
    pattern: str | None = None
    kind: ClassVar[str] = "text"

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._fail(value, "text")
        if len(value) > self.max_length:
            raise self._fail(value[:20] + "...", f"at most {self.max_length} characters")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise self._fail(value, f"text matching {self.pattern}")
        return value

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "multiline": self.multiline}


@dataclass(frozen=True)
class Numbers(Param):
    """A fixed-length list of numbers (a point, a rectangle, a 3x3 matrix)."""

    length: int = 2
    minimum: float = float("-inf")
    maximum: float = float("inf")
    kind: ClassVar[str] = "numbers"
    default: Any = field(default=())

    def check(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value.strip().strip("[]()")) if v]
        try:
            numbers = tuple(float(v) for v in value)
        except (TypeError, ValueError):
            raise self._fail(value, f"{self.length} numbers") from None
        if not numbers and not self.default:  # an optional value left empty, as its default is
            return ()
        if len(numbers) != self.length:
            raise self._fail(value, f"{self.length} numbers")
        if any(not self.minimum <= v <= self.maximum for v in numbers):
            raise self._fail(value, f"numbers from {self.minimum:g} to {self.maximum:g}")
        return numbers

    def describe(self) -> dict[str, Any]:
        d = {**super().describe(), "length": self.length}
        d["default"] = list(self.default)
        return d


def validate(spec: Sequence[Param], values: Mapping[str, Any] | None, *, where: str = "") -> dict[str, Any]:
    """Check ``values`` against ``spec`` and fill in defaults.

    Unknown names are errors (a typo must not silently become a default).
    """
    values = dict(values or {})
    known = {p.name: p for p in spec}
    unknown = sorted(set(values) - set(known))
    prefix = f"{where}: " if where else ""
    if unknown:
        allowed = ", ".join(known) or "none"
        raise BadParameter(f"{prefix}unknown parameter {unknown[0]!r} (parameters: {allowed})")
    out: dict[str, Any] = {}
    for p in spec:
        try:
            out[p.name] = p.check(values[p.name]) if p.name in values else p.default
        except BadParameter as exc:
            raise BadParameter(f"{prefix}{exc}") from None
    return out


def parse_assignments(spec: Sequence[Param], assignments: Iterable[str], *, where: str = "") -> dict[str, Any]:
    """Parse ``name=value`` strings from the command line into checked values."""
    known = {p.name: p for p in spec}
    prefix = f"{where}: " if where else ""
    raw: dict[str, Any] = {}
    for item in assignments:
        if "=" not in item:
            raise BadParameter(f"--set {item!r}: expected NAME=VALUE")
        name, text = item.split("=", 1)
        name = name.strip()
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise BadParameter(f"{prefix}unknown parameter {name!r} (parameters: {allowed})")
        try:
            raw[name] = known[name].parse(text.strip())
        except BadParameter as exc:
            raise BadParameter(f"{prefix}{exc}") from None
    return validate(spec, raw, where=where)
