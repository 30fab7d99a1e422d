"""Semantic rules for courses/, on top of the loader's schema checks (docs/content-format.md).

Every problem points at ``file:line``. A field the loader already reported is not reported again,
and an item with a schema problem gets no answer-key checks.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from pathlib import Path

from . import quality
from .answer_keys import answer_key_problems
from .figures import svg_problems
from .loader import Problem, Tree, load_tree
from .markdown import (
    figure_sources,
    first_block_is_heading,
    headings,
    markdown_problems,
    render_markdown,
)
from .model import SHOW_CORRECT_ANSWERS, Assignment, Catalogue, Item, Module, Program

KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
RUBRIC_LEVELS = ((1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Exemplary"))
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


class _Lint:
    def __init__(self, tree: Tree, root: Path) -> None:
        self.tree, self.root = tree, root
        self.problems: list[Problem] = []
        self.first: dict[tuple[str, str], tuple[int, str]] = {}  # (scope, value) -> first use

    def report(self, obj: object, key: str | None, message: str) -> None:
        source = self.tree.source(obj)
        if key is None or key not in source.bad:
            self.problems.append(Problem(source.path, source.at(key), message))

    def unique(self, scope: str, what: str, value: str, obj: object, key: str) -> None:
        source = self.tree.source(obj)
        here = (id(obj), f"{source.path}:{source.at(key)}")
        if value and (first := self.first.setdefault((scope, value), here)) != here:
            self.report(obj, key, f"duplicate {what} '{value}' (first at {first[1]})")

    def check(self, ok: bool, obj: object, key: str, message: str) -> None:
        if not ok:
            self.report(obj, key, message)

    def known(self, obj: object, ids: Iterable[str], known: set[str], what: str, key: str) -> None:
        if not known:  # the catalogue itself did not load; that is reported already
            return
        for i, value in enumerate(ids):
            self.check(value in known, obj, f"{key}[{i}]", f"unknown {what} '{value}'")

    def findings(self, found: list[quality.Finding]) -> None:
        """Report what a rule of :mod:`.quality` found."""
        for obj, key, message in found:
            self.report(obj, key, message)

    def markdown(self, obj: object, key: str, text: str) -> None:
        """Markdown in a YAML field: problems are reported at the field's line."""
        for _, message in _markdown_problems(text):
            self.report(obj, key, message)

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
        listed = {Path(m.folder).name for m in program.modules}
        complete = not any(key.startswith("modules") for key in self.tree.source(program).bad)
        for folder in sorted((self.root / program.folder).glob("*/module.yaml")):  # unlisted?
            name = folder.parent.name
            message = f"module folder '{name}' is not listed"
            self.check(name in listed or not complete, program, "modules", message)
        for module in program.modules:
            self.module(module)
        if complete and program.estimated_hours > 0:
            self.findings(quality.program_hours(program))
        self.findings(quality.longest_key_share(program))

    def slug(self, obj: object, slug: str, key: str = "slug") -> None:
        self.check(not slug or bool(KEBAB.match(slug)), obj, key, f"'{slug}' is not kebab-case")

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
        scope = module.folder
        for objective in module.objectives:
            self.unique(scope, "objective id", objective.id, objective, "id")
            verb = objective.text.split(" ", 1)[0].lower()
            self.check(
                verb not in VAGUE_VERBS,
                objective,
                "text",
                f"objective starts with '{verb}': use an observable verb",
            )
        for position, lesson in enumerate(module.lessons, 1):
            self.unique(scope, "lesson slug", lesson.slug, lesson, "slug")
            self.slug(lesson, lesson.slug)
            self.check(lesson.minutes >= 1, lesson, "minutes", "'minutes' must be at least 1")
            expected = f"lessons/{position:02d}-{lesson.slug}.md"
            self.check(lesson.file == expected, lesson, "file", f"name it {expected}")
            if "file" not in self.tree.source(lesson).bad:
                self.lesson_text(module, lesson.file, lesson.title, lesson.markdown)
        listed = {lesson.file for lesson in module.lessons}
        for path in sorted((self.root / module.folder).glob("lessons/*.md")):
            name = f"lessons/{path.name}"
            self.check(name in listed, module, "lessons", f"lesson file '{name}' is not listed")
        self.figures(module)
        self.quiz(module)
        if "assignment" not in self.tree.source(module).bad:
            self.findings(quality.module_minutes(module))
        self.findings(quality.references(module))
        objectives = {o.id for o in module.objectives}
        for item in module.items:
            self.item(item, objectives)
        if module.assignment is not None:
            self.assignment(module.assignment)
        self.check(
            module.assignment is not None
            or not module.completion.assignment_passed
            or "assignment" in self.tree.source(module).bad,
            module,
            "completion.assignment_passed",
            "'assignment_passed' is true but the module has no assignment",
        )

    def figures(self, module: Module) -> None:
        """Each figure file is a fit drawing (figures.py), named in kebab case, and shown."""
        folder = posixpath.dirname(self.tree.source(module).path)
        shown = {name for lesson in module.lessons for _, name in figure_sources(lesson.markdown)}
        for figure in module.figures:
            path = posixpath.join(folder, "figures", figure.name + ".svg")
            problems = svg_problems(figure.svg.encode())
            if not KEBAB.match(figure.name):
                problems.append("name the figure in kebab case (lower-case words and hyphens)")
            if figure.name not in shown:
                problems.append("no lesson shows this figure: ![what it shows](figures/...)")
            self.problems.extend(Problem(path, 1, message) for message in problems)

    def lesson_text(self, module: Module, file: str, title: str, text: str) -> None:
        folder = posixpath.dirname(self.tree.source(module).path)
        path = posixpath.join(folder, file)
        for line, message in _markdown_problems(text, figures=True):
            self.problems.append(Problem(path, line + 1, message))
        for line, name in figure_sources(text):
            if module.figure(name) is None:
                message = f"no figure figures/{name}.svg in this module"
                self.problems.append(Problem(path, line + 1, message))
        found = headings(text)
        first = found[0] if found and first_block_is_heading(text) else None
        if first is None or first[1] != 1:
            self.problems.append(Problem(path, 1, f"the lesson must start with '# {title}'"))
        elif first[2].strip() != title:
            message = f"heading '{first[2].strip()}' differs from the lesson title '{title}'"
            self.problems.append(Problem(path, first[0] + 1, message))
        for line, level, _ in found[1:]:
            if level == 1:
                self.problems.append(Problem(path, line + 1, "only one level-1 heading per lesson"))

    def quiz(self, module: Module) -> None:
        rules, pool = module.quiz, len(module.items)
        if "quiz.pool" not in self.tree.source(module).bad:
            self.check(
                0 < rules.draw <= pool,
                module,
                "quiz.draw",
                f"'draw' must be between 1 and the pool size ({pool})",
            )
        self.check(
            0 < rules.pass_percent <= 100,
            module,
            "quiz.pass_percent",
            "'pass_percent' must be above 0 and at most 100",
        )
        self.check(
            rules.max_attempts >= 1,
            module,
            "quiz.max_attempts",
            "'max_attempts' must be at least 1",
        )
        self.check(
            rules.cooldown_hours_after >= 0 and rules.cooldown_hours >= 0,
            module,
            "quiz.cooldown_hours",
            "cooldown values must not be negative",
        )
        self.check(
            rules.show_correct_answers in SHOW_CORRECT_ANSWERS,
            module,
            "quiz.show_correct_answers",
            f"'show_correct_answers' must be one of: {', '.join(SHOW_CORRECT_ANSWERS)}",
        )

    # -- items and assignments ----------------------------------------------------------------
    def item(self, item: Item, objectives: set[str]) -> None:
        self.unique("item", "item id", item.id, item, "id")
        self.check(bool(item.competencies), item, "competencies", "list at least one competency")
        self.check(bool(item.objectives), item, "objectives", "list at least one objective")
        self.known(item, item.competencies, self.competencies, "competency", "competencies")
        self.known(item, item.objectives, objectives, "objective of this module", "objectives")
        self.check(item.points > 0, item, "points", "'points' must be positive")
        self.markdown(item, "prompt", item.prompt)
        self.markdown(item, "feedback", item.feedback)
        for group in (item.choices, item.entries, item.left, item.right):
            for option in group:
                self.unique(f"{item.id}@{id(group)}", "option id", option.id, option, "id")
        source = self.tree.source(item)
        options = (*item.choices, *item.entries, *item.left, *item.right)
        if not source.bad and not any(self.tree.source(o).bad for o in options):
            answer_problems = answer_key_problems(item)
            for key, message in answer_problems:
                self.report(item, key, message)
            if not answer_problems:  # the scoring rules need a sound key
                self.findings(quality.select_all(item))
            self.findings(quality.short_text_answers(item))
        if item.number is not None and not item.number.is_integer():
            ok = "tolerance" in source.lines
            self.check(ok, item, "answer", "a non-integer answer needs an explicit 'tolerance'")

    def assignment(self, assignment: Assignment) -> None:
        self.unique("assignment", "assignment id", assignment.id, assignment, "id")
        self.unique("assignment slug", "assignment slug", assignment.slug, assignment, "slug")
        self.slug(assignment, assignment.slug)
        self.markdown(assignment, "prompt", assignment.prompt)
        a = assignment
        self.check(a.word_limit >= 1, a, "word_limit", "'word_limit' must be at least 1")
        self.check(
            a.max_resubmissions >= 0,
            a,
            "max_resubmissions",
            "'max_resubmissions' must not be negative",
        )
        self.check(
            1 <= a.min_criterion_level <= 4,
            a,
            "pass_rule.min_criterion_level",
            "'min_criterion_level' must be 1-4",
        )
        self.findings(quality.pass_rule_mean(a))
        self.findings(quality.grader_support(a))
        levels = tuple((level.score, level.label) for level in a.levels)
        want = ", ".join(f"{score} {label}" for score, label in RUBRIC_LEVELS)
        self.check(levels == RUBRIC_LEVELS, a, "rubric.levels", f"rubric levels must be: {want}")
        for criterion in a.criteria:
            self.unique(f"{a.slug}@{id(a)}", "criterion id", criterion.id, criterion, "id")
            self.check(bool(criterion.competencies), criterion, "competencies", "list a competency")
            self.known(
                criterion, criterion.competencies, self.competencies, "competency", "competencies"
            )
            scores = [score for score, _ in criterion.descriptors]
            for score, label in RUBRIC_LEVELS:
                self.check(
                    score in scores,
                    criterion,
                    "descriptors",
                    f"no descriptor for level {score} ({label})",
                )
            for score in sorted(set(scores) - {s for s, _ in RUBRIC_LEVELS}):
                self.report(criterion, "descriptors", f"descriptor for unknown level {score}")
            if criterion.scoring_notes:
                self.markdown(criterion, "scoring_notes", criterion.scoring_notes)


def _markdown_problems(text: str, figures: bool = False) -> list[tuple[int, str]]:
    try:
        render_markdown(text)
    except Exception as exc:  # a renderer bug must surface as a problem, not a crash
        return [(0, f"Markdown does not render: {exc}")]
    return markdown_problems(text, figures)
