"""YAML with the line of every key and element, and a reader of typed fields that reports
``file:line: message`` problems instead of raising. Used by :mod:`.loader`."""

from __future__ import annotations

import difflib
import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import yaml

T = TypeVar("T")


class Reporter(Protocol):
    """Where :class:`Fields` sends its problems (the loader)."""

    def error(self, path: str, line: int, message: str) -> None: ...


@dataclass(frozen=True)
class Problem:
    path: str  # relative to the parent of the courses/ root, e.g. courses/level-1/program.yaml
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Source:
    """Where a model object came from: file, line, line of each field, fields already reported."""

    path: str
    line: int
    lines: dict[str, int] = field(default_factory=dict)
    bad: frozenset[str] = frozenset()

    def at(self, key: str | None = None) -> int:
        """The line of ``key`` (``quiz.draw``, ``answer[l1]``), else of its parent, else ours."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[: max(key.rfind("."), key.rfind("["), 0)]
        return self.line


class Map(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line of each key (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}


class Seq(list[Any]):
    """A YAML sequence that remembers its own line and the line of each element (1-based)."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


class _LineLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []


def _mapping(loader: _LineLoader, node: yaml.MappingNode) -> Map:
    loader.flatten_mapping(node)
    out = Map(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable key", key_node.start_mark
            )
        line = key_node.start_mark.line + 1
        if key in out:
            loader.duplicates.append((line, f"duplicate key '{key}'"))
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = line
    return out


def _sequence(loader: _LineLoader, node: yaml.SequenceNode) -> Seq:
    out = Seq(node.start_mark.line + 1)
    for child in node.value:
        out.append(loader.construct_object(child, deep=True))
        out.lines.append(child.start_mark.line + 1)
    return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def parse_yaml(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """(data, [(line, message)]): mappings are :class:`Map`, sequences :class:`Seq`."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.MarkedYAMLError as exc:
        mark, context = exc.problem_mark or exc.context_mark, ""
        if exc.context and exc.context_mark:
            context = f" ({exc.context}, which starts on line {exc.context_mark.line + 1})"
        return None, [
            (mark.line + 1 if mark else 1, f"invalid YAML: {exc.problem or exc}{context}")
        ]
    except yaml.YAMLError as exc:
        return None, [(1, f"invalid YAML: {exc}")]
    finally:
        loader.dispose()


def is_kind(value: Any, want: str) -> bool:
    if want == "str":
        return isinstance(value, str) and bool(value.strip())
    if want == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if want == "number":
        return is_kind(value, "int") or (isinstance(value, float) and math.isfinite(value))
    return isinstance(value, bool)


ABSENT: Any = object()  # a field that is not there (YAML null is None)
_NAMES = {
    "str": "a non-empty string",
    "int": "an integer",
    "number": "a number",
    "bool": "true or false",
}


class Fields:
    """Typed reading of one YAML mapping; reports missing, mistyped and unknown fields.

    Getters return a neutral value (``""``, ``0``, ``()``) after reporting a problem, and the key
    goes into ``bad`` so that the linter does not report the same field twice. ``prefix`` names
    a nested mapping in messages (``quiz.``).
    """

    def __init__(self, load: Reporter, path: str, data: Any, line: int, prefix: str = "") -> None:
        self.load, self.path, self.line, self.prefix = load, path, line, prefix
        self.present = isinstance(data, Map)  # else missing fields are not reported again
        self.data = data if isinstance(data, Map) else Map(line)
        self.known: set[str] = set()
        self.bad: set[str] = set()
        self.lines: dict[str, int] = {str(k): v for k, v in self.data.lines.items()}
        if data is not ABSENT and not self.present:
            self.error(
                None, f"'{prefix[:-1]}' must be a mapping" if prefix else "a mapping is expected"
            )

    def error(self, key: str | None, message: str) -> None:
        self.bad.add(key or "")
        self.load.error(
            self.path, self.line if key is None else self.lines.get(key, self.line), message
        )

    def raw(self, key: str, required: bool = True) -> Any:
        self.known.add(key)
        if key not in self.data and required:
            self.bad.add(key)
            if self.present:
                self.error(None, f"missing field '{self.prefix}{key}'")
        return self.data.get(key, ABSENT)

    def get(self, key: str, want: str, required: bool = True) -> Any:
        """The value, or None when it is absent or not of the wanted kind (reported)."""
        value = self.raw(key, required)
        if value is ABSENT:
            return None
        if not is_kind(value, want):
            self.error(key, f"'{self.prefix}{key}' must be {_NAMES[want]}")
            return None
        return float(value) if want == "number" else value

    def text(self, key: str) -> str:
        return str(self.get(key, "str") or "")

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.get(key, "int", default is None)
        return int(value) if value is not None else (default or 0)

    def number(self, key: str, default: float | None = None) -> float:
        value = self.get(key, "number", default is None)
        return float(value) if value is not None else (default or 0.0)

    def flag(self, key: str) -> bool:
        return bool(self.get(key, "bool"))

    def strs(self, key: str, required: bool = True) -> tuple[str, ...]:
        """A list of non-empty strings; the line of element i is kept as ``key[i]``."""
        value = self.raw(key, required)
        if value is ABSENT:
            return ()
        if not isinstance(value, Seq) or not all(is_kind(v, "str") for v in value):
            self.error(key, f"'{self.prefix}{key}' must be a list of non-empty strings")
            return ()
        self.lines.update({f"{key}[{i}]": line for i, line in enumerate(value.lines)})
        return tuple(value)

    def entries(self, key: str) -> list[Fields]:
        """The mappings listed under ``key`` (a non-empty list)."""
        value = self.raw(key)
        if value is ABSENT:
            return []
        if not isinstance(value, Seq) or not value:
            self.error(key, f"'{self.prefix}{key}' must be a non-empty list")
            return []
        return [
            Fields(self.load, self.path, v, n, "") for v, n in zip(value, value.lines, strict=True)
        ]

    def sub(self, key: str) -> Fields:
        """The nested mapping ``key`` (see :meth:`absorb`)."""
        value = self.raw(key)
        return Fields(self.load, self.path, value, self.lines.get(key, self.line), f"{key}.")

    def absorb(self, sub: Fields) -> None:
        """Keep a finished nested mapping's field lines and bad keys, as ``key.field``."""
        sub.done()
        self.lines.update({f"{sub.prefix}{k}": v for k, v in sub.lines.items()})
        self.bad.update(f"{sub.prefix}{k}" for k in sub.bad)

    def done(self, hint: str = "") -> Source:
        for key in self.data:
            if key not in self.known:
                close = difflib.get_close_matches(str(key), sorted(self.known), 1)
                tip = f" (did you mean '{close[0]}'?)" if close else hint
                message = f"unknown field '{self.prefix}{key}'{tip}"
                self.load.error(self.path, self.data.lines[key], message)
        self.known.update(str(k) for k in self.data)  # report each unknown field once
        return Source(self.path, self.line, dict(self.lines), frozenset(self.bad))
