"""Load courses/ into the content model, keeping the file and line of every field.

:func:`load_catalogue` checks the schema (files, YAML, required, mistyped and unknown fields).
:func:`load_tree` also keeps a :class:`Source` per model object, for :mod:`.lint`'s rules.

This module walks the tree: competencies.yaml, programs, modules, lessons, quizzes and figures.
Reading files and keeping problems and sources is :mod:`.load_files`; building the item types
(quiz items by type, assignments and rubrics, objectives, references, competencies) is
:mod:`.load_items`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .load_items import COMPETENCY_KINDS, ItemReader
from .model import (
    SHOW_CORRECT_ANSWERS,
    Badge,
    Catalogue,
    Competency,
    CompletionRule,
    Figure,
    Item,
    Lesson,
    Module,
    Program,
    QuizRules,
)
from .yamlsource import ABSENT, Fields, Problem, Seq, Source, is_kind, parse_yaml

__all__ = [
    "COMPETENCY_KINDS",
    "Problem",
    "Source",
    "Tree",
    "load_catalogue",
    "load_tree",
    "parse_yaml",
]

_COOLDOWN = {"cooldown_hours_after", "cooldown_hours"}


@dataclass
class Tree:
    """The loaded content, the loader's problems, and the :class:`Source` of every object."""

    catalogue: Catalogue
    problems: list[Problem]
    sources: dict[int, tuple[object, Source]]

    def source(self, obj: object) -> Source:
        return self.sources[id(obj)][1]


class _Load(ItemReader):
    """The tree under ``root``: programs, their modules, and each module's lessons and quiz."""

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

    def modules(self, path: Path, f: Fields) -> list[Module]:
        """The modules named by ``modules`` of the program at ``path``."""
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
        return modules

    def program(self, path: Path, f: Fields) -> Program:
        modules = self.modules(path, f)
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

    def competencies(self) -> list[Competency]:
        competencies: list[Competency] = []
        path = self.root / "competencies.yaml"
        data = self.parse(path, None)
        if isinstance(data, Seq):
            for value, line in zip(data, data.lines, strict=True):
                competencies.append(self.competency(Fields(self, self.rel(path), value, line)))
        elif data is not None:
            self.error(self.rel(path), 1, "competencies.yaml must be a list of competencies")
        return competencies

    def catalogue(self) -> Catalogue:
        competencies = self.competencies()
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
