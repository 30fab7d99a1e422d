"""Load courses/ into the content model, keeping the file and line of every field.

:func:`load_catalogue` checks the schema (files, YAML, required, mistyped and unknown fields).
:func:`load_tree` also keeps a :class:`Source` per model object, for :mod:`.lint`'s rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from .model import (
    ITEM_TYPES,
    SHOW_CORRECT_ANSWERS,
    Assignment,
    Badge,
    Catalogue,
    Competency,
    CompletionRule,
    Criterion,
    Figure,
    Item,
    Lesson,
    Module,
    Objective,
    Option,
    Program,
    QuizRules,
    Reference,
    RubricLevel,
)
from .yamlsource import ABSENT, Fields, Map, Problem, Seq, Source, is_kind, parse_yaml

__all__ = ["Problem", "Source", "Tree", "load_catalogue", "load_tree", "parse_yaml"]
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
        if isinstance(answer, Map) and all(is_kind(x, "str") for x in (*answer, *answer.values())):
            f.lines.update({f"answer[{k}]": line for k, line in answer.lines.items()})
            return tuple(answer.items())
        if "answer" in f.data:
            f.error("answer", "'answer' must map each left id to a right id")
        return ()

    def by_level(self, f: Fields, key: str, required: bool = True) -> tuple[tuple[int, str], ...]:
        """A mapping of rubric levels to text (descriptors, exemplars), sorted by level."""
        value = f.raw(key, required)
        if isinstance(value, Map) and all(
            is_kind(k, "int") and is_kind(v, "str") for k, v in value.items()
        ):
            f.lines.update({f"{key}[{k}]": line for k, line in value.lines.items()})
            return tuple(sorted(value.items()))
        if key in f.data:
            f.error(key, f"'{key}' must map the levels 1-4 to non-empty text")
        return ()

    def criterion(self, f: Fields) -> Criterion:
        descriptors = self.by_level(f, "descriptors")
        args = (f.text("id"), f.text("title"), f.strs("competencies"), descriptors)
        notes = f.get("scoring_notes", "str", required=False) or ""
        exemplars = self.by_level(f, "exemplars", required=False)
        return self.keep(Criterion(*args, notes, exemplars), f.done())

    def reference(self, f: Fields) -> Reference:
        args = (f.text("author"), f.integer("year"), f.text("title"), f.text("where"))
        return self.keep(Reference(*args, f.get("url", "str", required=False)), f.done())

    def assignment(self, path: Path, named_at: Fields) -> Assignment | None:
        f = self.fields(path, named_at, "assignment")
        if f is None:
            return None
        kind = f.text("kind")
        if kind and kind not in ("assignment", "capstone"):
            f.error("kind", "'kind' must be assignment or capstone")
        rule, rubric = f.sub("pass_rule"), f.sub("rubric")
        min_level = rule.integer("min_criterion_level")
        min_mean = rule.get("min_mean", "number", required=False)  # required by the linter
        levels = self.each(rubric, "levels", self.level)
        criteria = self.each(rubric, "criteria", self.criterion)
        f.absorb(rule)
        f.absorb(rubric)
        assignment = Assignment(
            f.text("id"), f.text("slug"), kind, f.text("title"), f.text("prompt"),
            f.integer("word_limit"), f.integer("max_resubmissions"), min_level, levels, criteria,
            min_mean, f.get("minutes", "int", required=False) or 0,
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
        show = q.get("show_correct_answers", "str", required=False) or SHOW_CORRECT_ANSWERS[0]
        minutes = q.get("minutes", "int", required=False) or 0  # required by the linter
        rules = QuizRules(
            draw, q.number("pass_percent"), attempts, after or 0, hours or 0.0, show, minutes
        )
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
        references = self.each(f, "references", self.reference) if "references" in f.data else ()
        f.known.add("references")  # required by the linter
        done = f.sub("completion")
        completion = CompletionRule(done.flag("quiz_passed"), done.flag("assignment_passed"))
        f.absorb(done)
        module = Module(
            f.text("slug"), f.integer("version"), f.text("title"), f.text("summary"),
            f.number("estimated_hours"), f.strs("competencies"), f.strs("prerequisites"),
            objectives, lessons, rules, items, self.assignment(file, f) if file else None,
            completion, folder.relative_to(self.root).as_posix(), references,
            _figures(folder),
        )  # fmt: skip
        return self.keep(module, f.done())

    def program(self, path: Path, f: Fields) -> Program:
        modules: list[Module] = []
        names = f.raw("modules")
        if names is not ABSENT and (not isinstance(names, Seq) or not names):
            f.error("modules", "'modules' must be a non-empty list of module folder names")
        if not isinstance(names, Seq):
            names = Seq(0)
        for i, (name, line) in enumerate(zip(names, names.lines, strict=True)):
            f.lines[key := f"modules[{i}]"] = line
            if not is_kind(name, "str") or "/" in name or name.startswith("."):
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


def _figures(folder: Path) -> tuple[Figure, ...]:
    """The module's ``figures/*.svg`` (checked by the linter, figures.py)."""
    files = sorted((folder / "figures").glob("*.svg"))
    return tuple(Figure(path.stem, path.read_bytes().decode("utf-8", "replace")) for path in files)
