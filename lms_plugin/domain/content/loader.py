"""Load courses/ into the content model, keeping the file and line of every field.

:func:`load_catalogue` checks the schema (files, YAML, required, mistyped and unknown fields).
:func:`load_tree` also keeps a :class:`Source` per model object, for :mod:`.lint`'s rules.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .model import (
    ITEM_TYPES,
    Assignment,
    Badge,
    Catalogue,
    Competency,
    CompletionRule,
    Criterion,
    Item,
    Lesson,
    Module,
    Objective,
    Option,
    Program,
    QuizRules,
    RubricLevel,
)

T = TypeVar("T")
_COOLDOWN = {"cooldown_hours_after", "cooldown_hours"}
COMPETENCY_KINDS = ("principle", "competency", "tci_competency", "tci_function")
_TYPE_FIELDS = {
    "single_choice": ("choices", "answer"),
    "multi_select": ("choices", "answer"),
    "ordering": ("entries", "answer"),
    "matching": ("pairs_left", "pairs_right", "answer"),
    "numeric": ("answer", "tolerance", "unit"),
    "short_text": ("answer", "accept"),
}


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


def _kind(value: Any, want: str) -> bool:
    if want == "str":
        return isinstance(value, str) and bool(value.strip())
    if want == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if want == "number":
        return _kind(value, "int") or (isinstance(value, float) and math.isfinite(value))
    return isinstance(value, bool)


_ABSENT: Any = object()  # a field that is not there (YAML null is None)
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

    def __init__(self, load: _Load, path: str, data: Any, line: int, prefix: str = "") -> None:
        self.load, self.path, self.line, self.prefix = load, path, line, prefix
        self.present = isinstance(data, Map)  # else missing fields are not reported again
        self.data = data if isinstance(data, Map) else Map(line)
        self.known: set[str] = set()
        self.bad: set[str] = set()
        self.lines: dict[str, int] = {str(k): v for k, v in self.data.lines.items()}
        if data is not _ABSENT and not self.present:
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
        return self.data.get(key, _ABSENT)

    def get(self, key: str, want: str, required: bool = True) -> Any:
        """The value, or None when it is absent or not of the wanted kind (reported)."""
        value = self.raw(key, required)
        if value is _ABSENT:
            return None
        if not _kind(value, want):
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
        if value is _ABSENT:
            return ()
        if not isinstance(value, Seq) or not all(_kind(v, "str") for v in value):
            self.error(key, f"'{self.prefix}{key}' must be a list of non-empty strings")
            return ()
        self.lines.update({f"{key}[{i}]": line for i, line in enumerate(value.lines)})
        return tuple(value)

    def entries(self, key: str) -> list[Fields]:
        """The mappings listed under ``key`` (a non-empty list)."""
        value = self.raw(key)
        if value is _ABSENT:
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


@dataclass
class Tree:
    """The loaded content, the loader's problems, and the :class:`Source` of every object."""

    catalogue: Catalogue
    problems: list[Problem]
    sources: dict[int, tuple[object, Source]]

    def source(self, obj: object) -> Source:
        return self.sources[id(obj)][1]


class _Load:
    def __init__(self, root: Path) -> None:
        self.root, self.base = root, root.parent
        self.problems: list[Problem] = []
        self.sources: dict[int, tuple[object, Source]] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def keep(self, obj: T, source: Source) -> T:
        self.sources[id(obj)] = (obj, source)
        return obj

    def text(self, path: Path, named_at: Fields | None, key: str = "") -> str | None:
        """The file's text, or None once reported (at ``key`` of ``named_at``, or the file)."""
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            why = "file not found"
        except UnicodeDecodeError as exc:
            why = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        except OSError as exc:
            why = f"cannot read: {exc.strerror or exc}"
        if named_at is None:
            self.error(self.rel(path), 1, why)
        else:
            named_at.error(key, f"{why}: {self.rel(path)}")
        return None

    def parse(self, path: Path, named_at: Fields | None, key: str = "") -> Any:
        text = self.text(path, named_at, key)
        if text is None:
            return None
        data, errors = parse_yaml(text)
        for line, message in errors:
            self.error(self.rel(path), line, message)
        if data is None and not errors:
            self.error(self.rel(path), 1, "file is empty")
        return data

    def fields(self, path: Path, named_at: Fields | None, key: str = "") -> Fields | None:
        data = self.parse(path, named_at, key)
        return None if data is None else Fields(self, self.rel(path), data, 1)

    def each(self, outer: Fields, key: str, read: Callable[[Fields], T | None]) -> tuple[T, ...]:
        out = (read(entry) for entry in outer.entries(key))
        return tuple(x for x in out if x is not None)

    def inside(self, folder: Path, f: Fields, key: str) -> Path | None:
        """``folder / f[key]`` when that names a path inside ``folder``."""
        name = f.text(key)
        if name and (folder / name).resolve().is_relative_to(folder.resolve()):
            return folder / name
        if name:
            f.error(key, f"'{key}' must name a path inside {self.rel(folder)}")
        return None

    # -- one reader per model type -------------------------------------------------------------
    def option(self, f: Fields) -> Option:
        return self.keep(Option(f.text("id"), f.text("text")), f.done())

    def objective(self, f: Fields) -> Objective:
        return self.keep(Objective(f.text("id"), f.text("text")), f.done())

    def level(self, f: Fields) -> RubricLevel:
        return self.keep(RubricLevel(f.integer("score"), f.text("label")), f.done())

    def item(self, f: Fields) -> Item | None:
        kind = f.get("type", "str")
        if kind not in _TYPE_FIELDS:
            if kind is not None:
                f.error("type", f"'type' must be one of: {', '.join(ITEM_TYPES)}")
            f.known.update(str(key) for key in f.data)  # unknowable without a type
            f.done()
            return None
        args: dict[str, Any] = dict(
            id=f.text("id"), type=kind, prompt=f.text("prompt"), feedback=f.text("feedback"),
            competencies=f.strs("competencies"), objectives=f.strs("objectives"),
            points=f.number("points", 1.0),
        )  # fmt: skip
        for key in ("choices", "entries", "pairs_left", "pairs_right"):
            if key in _TYPE_FIELDS[kind]:
                args[key.removeprefix("pairs_")] = self.each(f, key, self.option)
        if kind == "single_choice":
            args["answer_id"] = f.text("answer")
        elif kind in ("multi_select", "ordering"):
            args["answer_ids"] = f.strs("answer")
        elif kind == "matching":
            args["pairs"] = self.pairs(f)
        elif kind == "numeric":
            args["number"] = f.get("answer", "number")
            args["tolerance"] = f.number("tolerance", 0.0)
            args["unit"] = f.get("unit", "str", required=False)
        else:
            args["text_answer"] = f.text("answer")
            args["accept"] = f.strs("accept", required=False)
        return self.keep(Item(**args), f.done(f" (not a field of {kind} items)"))

    def pairs(self, f: Fields) -> tuple[tuple[str, str], ...]:
        answer = f.raw("answer")
        if isinstance(answer, Map) and all(_kind(x, "str") for x in (*answer, *answer.values())):
            f.lines.update({f"answer[{k}]": line for k, line in answer.lines.items()})
            return tuple(answer.items())
        if "answer" in f.data:
            f.error("answer", "'answer' must map each left id to a right id")
        return ()

    def criterion(self, f: Fields) -> Criterion:
        descriptors: list[tuple[int, str]] = []
        value = f.raw("descriptors")
        if isinstance(value, Map) and all(
            _kind(k, "int") and _kind(v, "str") for k, v in value.items()
        ):
            descriptors = sorted(value.items())
        elif "descriptors" in f.data:
            f.error("descriptors", "'descriptors' must map the levels 1-4 to non-empty text")
        args = (f.text("id"), f.text("title"), f.strs("competencies"), tuple(descriptors))
        return self.keep(Criterion(*args), f.done())

    def assignment(self, path: Path, named_at: Fields) -> Assignment | None:
        f = self.fields(path, named_at, "assignment")
        if f is None:
            return None
        kind = f.text("kind")
        if kind and kind not in ("assignment", "capstone"):
            f.error("kind", "'kind' must be assignment or capstone")
        rule, rubric = f.sub("pass_rule"), f.sub("rubric")
        min_level = rule.integer("min_criterion_level")
        levels = self.each(rubric, "levels", self.level)
        criteria = self.each(rubric, "criteria", self.criterion)
        f.absorb(rule)
        f.absorb(rubric)
        assignment = Assignment(
            f.text("id"), f.text("slug"), kind, f.text("title"), f.text("prompt"),
            f.integer("word_limit"), f.integer("max_resubmissions"), min_level, levels, criteria,
        )  # fmt: skip
        return self.keep(assignment, f.done())

    def lesson(self, folder: Path, f: Fields) -> Lesson:
        path = self.inside(folder, f, "file")
        markdown = self.text(path, f, "file") if path else None
        if markdown is None:
            f.bad.add("file")
        args = (f.text("slug"), f.text("title"), f.text("file"), f.integer("minutes"))
        return self.keep(Lesson(*args, markdown or ""), f.done())

    def quiz(self, folder: Path, f: Fields) -> tuple[QuizRules, tuple[Item, ...]]:
        q = f.sub("quiz")
        items: tuple[Item, ...] = ()
        pool_path = self.inside(folder, q, "pool")
        pool = self.fields(pool_path, q, "pool") if pool_path else None
        if pool is None:
            q.bad.add("pool")
        else:
            items = self.each(pool, "items", self.item)
            listed = pool.data.get("items")
            if pool.bad or not isinstance(listed, Seq) or len(items) < len(listed):
                q.bad.add("pool")  # some items did not load: the pool size is unknown
            pool.done()
        after = q.get("cooldown_hours_after", "int", required=False)
        hours = q.get("cooldown_hours", "number", required=False)
        if (after is None) != (hours is None) and not q.bad & _COOLDOWN:
            q.error(None, "set both cooldown_hours_after and cooldown_hours, or neither")
        draw, attempts = q.integer("draw"), q.integer("max_attempts")
        rules = QuizRules(draw, q.number("pass_percent"), attempts, after or 0, hours or 0.0)
        f.absorb(q)
        return rules, items

    def module(self, folder: Path, named_at: Fields, key: str) -> Module | None:
        f = self.fields(folder / "module.yaml", named_at, key)
        if f is None:
            return None
        objectives = self.each(f, "objectives", self.objective)
        lessons = self.each(f, "lessons", lambda g: self.lesson(folder, g))
        rules, items = self.quiz(folder, f)
        file = self.inside(folder, f, "assignment") if "assignment" in f.data else None
        f.known.add("assignment")
        done = f.sub("completion")
        completion = CompletionRule(done.flag("quiz_passed"), done.flag("assignment_passed"))
        f.absorb(done)
        module = Module(
            f.text("slug"), f.integer("version"), f.text("title"), f.text("summary"),
            f.number("estimated_hours"), f.strs("competencies"), f.strs("prerequisites"),
            objectives, lessons, rules, items, self.assignment(file, f) if file else None,
            completion, folder.relative_to(self.root).as_posix(),
        )  # fmt: skip
        return self.keep(module, f.done())

    def program(self, path: Path, f: Fields) -> Program:
        modules: list[Module] = []
        names = f.raw("modules")
        if names is not _ABSENT and (not isinstance(names, Seq) or not names):
            f.error("modules", "'modules' must be a non-empty list of module folder names")
        if not isinstance(names, Seq):
            names = Seq(0)
        for i, (name, line) in enumerate(zip(names, names.lines, strict=True)):
            f.lines[key := f"modules[{i}]"] = line
            if not _kind(name, "str") or "/" in name or name.startswith("."):
                f.error(key, f"'{name}' is not the name of a module folder")
            elif (module := self.module(path.parent / name, f, key)) is None:
                f.bad.add(key)
            else:
                modules.append(module)
        done, badge = f.sub("completion"), f.sub("badge")
        if done.get("all_modules_complete", "bool") is False:
            done.error("all_modules_complete", "'all_modules_complete' must be true")
        capstone_level = done.integer("capstone_min_criterion_level", 0)  # 0: not given
        program = Program(
            f.text("slug"), f.integer("version"), f.integer("level"), f.text("title"),
            f.text("summary"), f.number("estimated_hours"), f.strs("prerequisites"),
            tuple(modules), capstone_level,
            Badge(badge.text("name"), badge.text("description"), badge.text("criteria")),
            path.parent.relative_to(self.root).as_posix(),
        )  # fmt: skip
        f.absorb(done)
        f.absorb(badge)
        return self.keep(program, f.done())

    def competency(self, f: Fields) -> Competency:
        kind = f.text("kind")
        if kind and kind not in COMPETENCY_KINDS:
            f.error("kind", f"'kind' must be one of: {', '.join(COMPETENCY_KINDS)}")
        args = (f.text("id"), kind, f.text("name"), f.text("summary"))
        return self.keep(Competency(*args, f.get("domain", "str", required=False)), f.done())

    def catalogue(self) -> Catalogue:
        competencies: list[Competency] = []
        path = self.root / "competencies.yaml"
        data = self.parse(path, None)
        if isinstance(data, Seq):
            for value, line in zip(data, data.lines, strict=True):
                competencies.append(self.competency(Fields(self, self.rel(path), value, line)))
        elif data is not None:
            self.error(self.rel(path), 1, "competencies.yaml must be a list of competencies")
        programs: list[Program] = []
        for folder in sorted(p for p in self.root.glob("level-*") if p.is_dir()):
            f = self.fields(folder / "program.yaml", None)
            programs += [self.program(folder / "program.yaml", f)] if f else []
        programs.sort(key=lambda p: (p.level, p.slug))
        return Catalogue(tuple(competencies), tuple(programs))


def load_tree(root: Path) -> Tree:
    """Everything under ``root`` (courses/) that loads, its loader problems and its sources."""
    load = _Load(root)
    catalogue = load.catalogue()
    if not catalogue.programs and not any(p.path.endswith("program.yaml") for p in load.problems):
        load.error(load.rel(root), 1, "no program found (expected level-*/program.yaml)")
    return Tree(catalogue, load.problems, load.sources)


def load_catalogue(root: Path) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue under ``root`` and the schema problems; the catalogue is None when there are
    any (a partly loaded catalogue must never be synced). Semantic rules: :func:`.lint.lint_tree`.
    """
    tree = load_tree(root)
    return (None if tree.problems else tree.catalogue), tree.problems
