"""Lint rules for what one module holds: lesson files, figures, quiz rules, items, assignments.

:mod:`.lint` walks the catalogue and calls these for each module; both write to a
:class:`.lint_report.Reporter`.
"""

from __future__ import annotations

import posixpath

from . import quality
from .answer_keys import answer_key_problems
from .figures import svg_problems
from .lint_report import KEBAB, Reporter, safe_markdown_problems
from .loader import Problem
from .markdown import figure_sources, first_block_is_heading, headings
from .model import SHOW_CORRECT_ANSWERS, Assignment, Criterion, Item, Module

RUBRIC_LEVELS = ((1, "Beginning"), (2, "Developing"), (3, "Proficient"), (4, "Exemplary"))


def lint_figures(lint: Reporter, module: Module) -> None:
    """Each figure file is a fit drawing (figures.py), named in kebab case, and shown."""
    folder = posixpath.dirname(lint.tree.source(module).path)
    shown = {name for lesson in module.lessons for _, name in figure_sources(lesson.markdown)}
    for figure in module.figures:
        path = posixpath.join(folder, "figures", figure.name + ".svg")
        problems = svg_problems(figure.svg.encode())
        if not KEBAB.match(figure.name):
            problems.append("name the figure in kebab case (lower-case words and hyphens)")
        if figure.name not in shown:
            problems.append("no lesson shows this figure: ![what it shows](figures/...)")
        lint.problems.extend(Problem(path, 1, message) for message in problems)


def lint_lesson_text(lint: Reporter, module: Module, file: str, title: str, text: str) -> None:
    """A lesson file's Markdown, figures and headings, reported at the lesson file's lines."""
    folder = posixpath.dirname(lint.tree.source(module).path)
    path = posixpath.join(folder, file)
    for line, message in safe_markdown_problems(text, figures=True):
        lint.problems.append(Problem(path, line + 1, message))
    for line, name in figure_sources(text):
        if module.figure(name) is None:
            message = f"no figure figures/{name}.svg in this module"
            lint.problems.append(Problem(path, line + 1, message))
    found = headings(text)
    first = found[0] if found and first_block_is_heading(text) else None
    if first is None or first[1] != 1:
        lint.problems.append(Problem(path, 1, f"the lesson must start with '# {title}'"))
    elif first[2].strip() != title:
        message = f"heading '{first[2].strip()}' differs from the lesson title '{title}'"
        lint.problems.append(Problem(path, first[0] + 1, message))
    for line, level, _ in found[1:]:
        if level == 1:
            lint.problems.append(Problem(path, line + 1, "only one level-1 heading per lesson"))


def lint_quiz_rules(lint: Reporter, module: Module) -> None:
    """The module's quiz settings: draw, pass mark, attempts, cooldowns, answer display."""
    rules, pool = module.quiz, len(module.items)
    if "quiz.pool" not in lint.tree.source(module).bad:
        lint.check(
            0 < rules.draw <= pool,
            module,
            "quiz.draw",
            f"'draw' must be between 1 and the pool size ({pool})",
        )
    lint.check(
        0 < rules.pass_percent <= 100,
        module,
        "quiz.pass_percent",
        "'pass_percent' must be above 0 and at most 100",
    )
    lint.check(
        rules.max_attempts >= 1,
        module,
        "quiz.max_attempts",
        "'max_attempts' must be at least 1",
    )
    lint.check(
        rules.cooldown_hours_after >= 0 and rules.cooldown_hours >= 0,
        module,
        "quiz.cooldown_hours",
        "cooldown values must not be negative",
    )
    lint.check(
        rules.show_correct_answers in SHOW_CORRECT_ANSWERS,
        module,
        "quiz.show_correct_answers",
        f"'show_correct_answers' must be one of: {', '.join(SHOW_CORRECT_ANSWERS)}",
    )


def lint_item(lint: Reporter, item: Item, objectives: set[str], competencies: set[str]) -> None:
    """One quiz item: ids, references, points, Markdown, and (if it loaded whole) its key."""
    lint.unique("item", "item id", item.id, item, "id")
    lint.check(bool(item.competencies), item, "competencies", "list at least one competency")
    lint.check(bool(item.objectives), item, "objectives", "list at least one objective")
    lint.known(item, item.competencies, competencies, "competency", "competencies")
    lint.known(item, item.objectives, objectives, "objective of this module", "objectives")
    lint.check(item.points > 0, item, "points", "'points' must be positive")
    lint.markdown(item, "prompt", item.prompt)
    lint.markdown(item, "feedback", item.feedback)
    for group in (item.choices, item.entries, item.left, item.right):
        for option in group:
            lint.unique(f"{item.id}@{id(group)}", "option id", option.id, option, "id")
    source = lint.tree.source(item)
    options = (*item.choices, *item.entries, *item.left, *item.right)
    if not source.bad and not any(lint.tree.source(o).bad for o in options):
        answer_problems = answer_key_problems(item)
        for key, message in answer_problems:
            lint.report(item, key, message)
        if not answer_problems:  # the scoring rules need a sound key
            lint.findings(quality.select_all(item))
        lint.findings(quality.short_text_answers(item))
    if item.number is not None and not item.number.is_integer():
        ok = "tolerance" in source.lines
        lint.check(ok, item, "answer", "a non-integer answer needs an explicit 'tolerance'")


def lint_assignment(lint: Reporter, assignment: Assignment, competencies: set[str]) -> None:
    """A module's assignment: ids, limits, pass rule, and its rubric's levels and criteria."""
    lint.unique("assignment", "assignment id", assignment.id, assignment, "id")
    lint.unique("assignment slug", "assignment slug", assignment.slug, assignment, "slug")
    lint.slug(assignment, assignment.slug)
    lint.markdown(assignment, "prompt", assignment.prompt)
    a = assignment
    lint.check(a.word_limit >= 1, a, "word_limit", "'word_limit' must be at least 1")
    lint.check(
        a.max_resubmissions >= 0,
        a,
        "max_resubmissions",
        "'max_resubmissions' must not be negative",
    )
    lint.check(
        1 <= a.min_criterion_level <= 4,
        a,
        "pass_rule.min_criterion_level",
        "'min_criterion_level' must be 1-4",
    )
    lint.findings(quality.pass_rule_mean(a))
    lint.findings(quality.grader_support(a))
    levels = tuple((level.score, level.label) for level in a.levels)
    want = ", ".join(f"{score} {label}" for score, label in RUBRIC_LEVELS)
    lint.check(levels == RUBRIC_LEVELS, a, "rubric.levels", f"rubric levels must be: {want}")
    for criterion in a.criteria:
        _lint_criterion(lint, a, criterion, competencies)


def _lint_criterion(
    lint: Reporter, a: Assignment, criterion: Criterion, competencies: set[str]
) -> None:
    lint.unique(f"{a.slug}@{id(a)}", "criterion id", criterion.id, criterion, "id")
    lint.check(bool(criterion.competencies), criterion, "competencies", "list a competency")
    lint.known(criterion, criterion.competencies, competencies, "competency", "competencies")
    scores = [score for score, _ in criterion.descriptors]
    for score, label in RUBRIC_LEVELS:
        lint.check(
            score in scores,
            criterion,
            "descriptors",
            f"no descriptor for level {score} ({label})",
        )
    for score in sorted(set(scores) - {s for s, _ in RUBRIC_LEVELS}):
        lint.report(criterion, "descriptors", f"descriptor for unknown level {score}")
    if criterion.scoring_notes:
        lint.markdown(criterion, "scoring_notes", criterion.scoring_notes)
