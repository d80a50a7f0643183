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

    def rules_problem(self) -> str | None:
        """What is wrong with the declaration itself (an empty range, no choices), if anything."""
        return None

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

    def rules_problem(self) -> str | None:
        if self.step is not None and not self.step > 0:
            return f"step {self.step!r} must be above 0"
        return _range_problem(self.minimum, self.maximum)

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
                raise self._fail(value, f"a whole number {self._range()}") from None
            v = int(f)
        if not self.minimum <= v <= self.maximum:
            raise self._fail(value, self._range())
        return v

    def _range(self) -> str:
        return f"from {self.minimum} to {self.maximum}{(' ' + self.unit) if self.unit else ''}"

    def rules_problem(self) -> str | None:
        return _range_problem(self.minimum, self.maximum)

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

    def rules_problem(self) -> str | None:
        if isinstance(self.choices, str) or not self.choices:
            return f"choices must be a list of names, not {self.choices!r}"
        if not all(isinstance(c, str) for c in self.choices):
            return f"choices must be names (text): {list(self.choices)!r}"
        return None

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

    def rules_problem(self) -> str | None:
        if not self.length >= 1:
            return f"length {self.length!r} must be at least 1"
        return _range_problem(self.minimum, self.maximum)

    def describe(self) -> dict[str, Any]:
        d = {**super().describe(), "length": self.length}
        d["default"] = list(self.default)
        return d


def _range_problem(minimum: Any, maximum: Any) -> str | None:
    try:
        if minimum <= maximum:
            return None
    except TypeError:
        return f"minimum {minimum!r} and maximum {maximum!r} must be numbers"
    return f"minimum {minimum!r} is above maximum {maximum!r}"


def check_spec(spec: Sequence[Param]) -> None:
    """Refuse a plugin's parameter list when it loads, not when a person runs it.

    A default outside its own range or choices (or a colour that is not one) would be
    blamed on the person at run time and break the desktop's form; so would an empty
    range, no choices, or a name given twice. Raises BadParameter naming the parameter.
    """
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence):
        raise BadParameter(f"params must be a list of parameters, not {type(spec).__name__}")
    seen: set[str] = set()
    for p in spec:
        if not isinstance(p, Param):
            raise BadParameter(f"{p!r} is not a parameter (Float, Int, Choice, ...)")
        if not isinstance(p.name, str) or not p.name.isidentifier():
            raise BadParameter(f"parameter name {p.name!r} must be a plain name such as 'radius'")
        if p.name in seen:
            raise BadParameter(f"parameter {p.name!r} is declared twice")
        seen.add(p.name)
        problem = p.rules_problem()
        if problem:
            raise BadParameter(f"parameter {p.name!r}: {problem}")
        try:
            p.check(p.default)
        except BadParameter as exc:
            allowed = str(exc).split("; ", 1)[-1]
            raise BadParameter(f"parameter {p.name!r}: its default {p.default!r} is outside its own "
                               f"rules ({allowed})") from None
        except Exception as exc:  # a rule that cannot even check its default (a bad pattern)
            raise BadParameter(f"parameter {p.name!r}: checking its default raised "
                               f"{type(exc).__name__}: {exc}") from None


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
