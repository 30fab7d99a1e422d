"""Semantic rules for courses/, on top of the loader's schema checks (docs/content-format.md).

This module holds the public entry points and the tree-level rules: the catalogue, programs,
modules and their lessons list. The rules for what a module holds (lesson files, figures, quiz
rules, items, assignments) are in :mod:`.lint_items`; the reporter both write to is in
:mod:`.lint_report`.

Every problem points at ``file:line``. A field the loader already reported is not reported again,
and an item with a schema problem gets no answer-key checks.
"""

from __future__ import annotations

from pathlib import Path

from . import cueing, quality
from .lint_items import (
    lint_assignment,
    lint_figures,
    lint_item,
    lint_lesson_text,
    lint_quiz_rules,
)
from .lint_report import Reporter
from .loader import Problem, load_tree
from .model import Catalogue, Module, Program

VAGUE_VERBS = ("understand", "know")


def lint_tree(root: Path) -> list[Problem]:
    """Loader problems plus the semantic rules, sorted by file and line."""
    tree = load_tree(root)
    return _sorted(tree.problems + _Lint(tree, root).run())


def load_checked_catalogue(root: Path) -> tuple[Catalogue | None, list[Problem]]:
    """Like :func:`.loader.load_catalogue`, but the catalogue is None unless lint is clean too."""
    tree = load_tree(root)
    problems = _sorted(tree.problems + _Lint(tree, root).run())
    return (None if problems else tree.catalogue), problems


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.message))


class _Lint(Reporter):
    # -- the catalogue ------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        catalogue = self.tree.catalogue
        for competency in catalogue.competencies:
            self.unique("competency", "competency id", competency.id, competency, "id")
            needs = competency.kind == "competency"
            self.check(
                (competency.domain is not None) == needs or competency.kind == "",
                competency,
                "domain" if competency.domain else "kind",
                "a domain is required for kind competency, and only for it",
            )
        self.competencies = {c.id for c in catalogue.competencies}
        modules = [m for p in catalogue.programs for m in p.modules]
        self.module_slugs = {m.slug for m in modules}
        program_slugs = {p.slug for p in catalogue.programs}
        for program in catalogue.programs:
            self.program(program, program_slugs)
        self.cycles("program", {p.slug: (p, p.prerequisites) for p in catalogue.programs})
        self.cycles("module", {m.slug: (m, m.prerequisites) for m in modules})
        if self.competencies and not any(
            p.path.endswith("competencies.yaml") for p in self.tree.problems
        ):
            self.findings(quality.competency_coverage(catalogue))
        self.findings(quality.duplicate_questions(catalogue))
        return self.problems

    def cycles(self, what: str, graph: dict[str, tuple[object, tuple[str, ...]]]) -> None:
        state: dict[str, str] = {}

        def visit(node: str, path: list[str]) -> None:  # path: from the start to node
            state[node] = "open"
            for i, after in enumerate(graph[node][1]):
                if state.get(after) == "open":
                    cycle = " -> ".join([*path[path.index(after) :], after])
                    self.report(
                        graph[node][0],
                        f"prerequisites[{i}]",
                        f"{what} prerequisites form a cycle: {cycle}",
                    )
                elif after in graph and after not in state:
                    visit(after, [*path, after])
            state[node] = "done"

        for node in graph:
            if node not in state:
                visit(node, [node])

    # -- programs -----------------------------------------------------------------------------
    def program(self, program: Program, program_slugs: set[str]) -> None:
        self.unique("program", "program slug", program.slug, program, "slug")
        self.slug(program, program.slug)
        self.common(program, program.version, program.estimated_hours)
        self.check(program.level >= 1, program, "level", "'level' must be at least 1")
        folder_level = f"level-{program.level}"
        self.check(
            program.folder == folder_level,
            program,
            "level",
            f"'level' does not match {program.folder}/",
        )
        self.known(program, program.prerequisites, program_slugs, "program", "prerequisites")
        self.capstones(program)
        complete = not any(key.startswith("modules") for key in self.tree.source(program).bad)
        self.unlisted_modules(program, complete)
        for module in program.modules:
            self.module(module)
        if complete and program.estimated_hours > 0:
            self.findings(quality.program_hours(program))
        self.findings(quality.longest_key_share(program))

    def capstones(self, program: Program) -> None:
        capstones = [m.assignment for m in program.modules if m.assignment]
        capstones = [a for a in capstones if a.kind == "capstone"]
        wanted = program.capstone_min_criterion_level
        if wanted or capstones:
            self.check(
                1 <= wanted <= 4,
                program,
                "completion.capstone_min_criterion_level",
                "'capstone_min_criterion_level' must be 1-4 (required with a capstone)",
            )
        for capstone in capstones:
            self.check(
                capstone.min_criterion_level >= wanted,
                capstone,
                "pass_rule.min_criterion_level",
                f"a capstone's min_criterion_level must be at least the program's ({wanted})",
            )

    def unlisted_modules(self, program: Program, complete: bool) -> None:
        listed = {Path(m.folder).name for m in program.modules}
        for folder in sorted((self.root / program.folder).glob("*/module.yaml")):
            name = folder.parent.name
            message = f"module folder '{name}' is not listed"
            self.check(name in listed or not complete, program, "modules", message)

    def common(self, obj: object, version: int, hours: float) -> None:
        self.check(version >= 1, obj, "version", "'version' must be at least 1")
        self.check(hours > 0, obj, "estimated_hours", "'estimated_hours' must be positive")

    # -- modules ------------------------------------------------------------------------------
    def module(self, module: Module) -> None:
        self.unique("module", "module slug", module.slug, module, "slug")
        self.slug(module, module.slug)
        self.common(module, module.version, module.estimated_hours)
        self.check(bool(module.competencies), module, "competencies", "list a competency")
        self.known(module, module.competencies, self.competencies, "competency", "competencies")
        self.known(module, module.prerequisites, self.module_slugs, "module", "prerequisites")
        self.objectives(module)
        self.lessons(module)
        lint_figures(self, module)
        lint_quiz_rules(self, module)
        if "assignment" not in self.tree.source(module).bad:
            self.findings(quality.module_minutes(module))
        self.findings(quality.references(module))
        objectives = {o.id for o in module.objectives}
        pool = {item.id for item in module.items}
        for item in module.items:
            lint_item(self, item, objectives, self.competencies)
            self.known(item, item.not_with, pool - {item.id}, "other item of this pool", "not_with")
        self.findings(cueing.given_away(module))
        if module.assignment is not None:
            lint_assignment(self, module.assignment, self.competencies)
        self.check(
            module.assignment is not None
            or not module.completion.assignment_passed
            or "assignment" in self.tree.source(module).bad,
            module,
            "completion.assignment_passed",
            "'assignment_passed' is true but the module has no assignment",
        )

    def objectives(self, module: Module) -> None:
        for objective in module.objectives:
            self.unique(module.folder, "objective id", objective.id, objective, "id")
            verb = objective.text.split(" ", 1)[0].lower()
            self.check(
                verb not in VAGUE_VERBS,
                objective,
                "text",
                f"objective starts with '{verb}': use an observable verb",
            )

    def lessons(self, module: Module) -> None:
        """Each listed lesson is well named and its file lints clean; every file is listed."""
        for position, lesson in enumerate(module.lessons, 1):
            self.unique(module.folder, "lesson slug", lesson.slug, lesson, "slug")
            self.slug(lesson, lesson.slug)
            self.check(lesson.minutes >= 1, lesson, "minutes", "'minutes' must be at least 1")
            expected = f"lessons/{position:02d}-{lesson.slug}.md"
            self.check(lesson.file == expected, lesson, "file", f"name it {expected}")
            if "file" not in self.tree.source(lesson).bad:
                lint_lesson_text(self, module, lesson.file, lesson.title, lesson.markdown)
        listed = {lesson.file for lesson in module.lessons}
        for path in sorted((self.root / module.folder).glob("lessons/*.md")):
            name = f"lessons/{path.name}"
            self.check(name in listed, module, "lessons", f"lesson file '{name}' is not listed")
