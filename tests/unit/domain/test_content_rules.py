"""Lint rules for quiz rules, rubric, numbers, files and Markdown: each broken fixture yields
exactly the expected ``file:line: message`` lines (the valid tree: test_content_fixture)."""

from __future__ import annotations

import pytest

from lms_plugin.domain.content.lint import lint_tree
from tests.unit.domain.test_content_fixture import write_tree

C = "courses/"
COMP, PROG = "competencies.yaml", "level-1/program.yaml"
MOD, QUIZ = "level-1/m1-a/module.yaml", "level-1/m1-a/quiz.yaml"
ASSIGN, LESSON = "level-1/m1-a/assignment.yaml", "level-1/m1-a/lessons/01-intro.md"
LEVELS = "rubric levels must be: 1 Beginning, 2 Developing, 3 Proficient, 4 Exemplary"
OTHER_HOST = "links to other hosts are not allowed:"
FIG = "level-1/m1-a/figures/flow.svg"
SHOWN = "![A flow: plan, then do](figures/flow.svg) "
SVG_OK = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>A flow</title>'
    '<desc>Two boxes, one arrow.</desc><rect width="4" height="4"/></svg>'
)

CASES = [
    # -- quiz rules, rubric, completion ------------------------------------------------------
    (
        "draw-over-pool",
        [(MOD, "draw: 6", "draw: 7")],
        [f"{C}{MOD}:20: 'draw' must be between 1 and the pool size (6)"],
    ),
    (
        "draw-zero",
        [(MOD, "draw: 6", "draw: 0")],
        [f"{C}{MOD}:20: 'draw' must be between 1 and the pool size (6)"],
    ),
    (
        "pass-percent",
        [(MOD, "pass_percent: 80", "pass_percent: 120")],
        [f"{C}{MOD}:21: 'pass_percent' must be above 0 and at most 100"],
    ),
    (
        "max-attempts",
        [(MOD, "max_attempts: 3", "max_attempts: 0")],
        [f"{C}{MOD}:22: 'max_attempts' must be at least 1"],
    ),
    (
        "show-correct-answers-unknown",
        [(MOD, "cooldown_hours: 24\n", "cooldown_hours: 24\n  show_correct_answers: always\n")],
        [
            f"{C}{MOD}:25: 'show_correct_answers' must be one of: after_pass_or_last_attempt, "
            "after_each_attempt, never"
        ],
    ),
    (
        "show-correct-answers-not-text",
        [(MOD, "cooldown_hours: 24\n", "cooldown_hours: 24\n  show_correct_answers: [never]\n")],
        [f"{C}{MOD}:25: 'quiz.show_correct_answers' must be a non-empty string"],
    ),
    (
        "rubric-levels",
        [(ASSIGN, "label: Proficient", "label: Competent")],
        [f"{C}{ASSIGN}:13: {LEVELS}"],
    ),
    (
        "descriptor-missing",
        [(ASSIGN, '        4: "Very clear."\n', "")],
        [f"{C}{ASSIGN}:22: no descriptor for level 4 (Exemplary)"],
    ),
    (
        "descriptor-unknown-level",
        [(ASSIGN, '4: "Very clear."\n', '4: "Very clear."\n        5: "Too clear."\n')],
        [f"{C}{ASSIGN}:22: descriptor for unknown level 5"],
    ),
    (
        "min-criterion-level",
        [(ASSIGN, "min_criterion_level: 3", "min_criterion_level: 5")],
        [f"{C}{ASSIGN}:10: 'min_criterion_level' must be 1-4"],
    ),
    (
        "capstone-below-program",
        [(ASSIGN, "min_criterion_level: 3", "min_criterion_level: 2")],
        [f"{C}{ASSIGN}:10: a capstone's min_criterion_level must be at least the program's (3)"],
    ),
    (
        "capstone-level-missing",
        [(PROG, "  capstone_min_criterion_level: 3\n", "")],
        [f"{C}{PROG}:10: 'capstone_min_criterion_level' must be 1-4 (required with a capstone)"],
    ),
    (
        "assignment-passed-without-assignment",
        [(MOD, "assignment: assignment.yaml\n", "")],
        [
            f"{C}{MOD}:5: 'estimated_hours' 4 (240 min) differs from lessons 20 + quiz 30 +"
            " assignment 0 = 50 min by more than 30 min",
            f"{C}{MOD}:28: 'assignment_passed' is true but the module has no assignment",
        ],
    ),
    (
        "competency-domain-missing",
        [(COMP, "  domain: co-creation-and-engagement\n", "")],
        [f"{C}{COMP}:6: a domain is required for kind competency, and only for it"],
    ),
    (
        "competency-domain-extra",
        [(COMP, "kind: principle\n", "kind: principle\n  domain: x\n")],
        [f"{C}{COMP}:3: a domain is required for kind competency, and only for it"],
    ),
    # -- numbers, slugs, files ---------------------------------------------------------------
    ("version", [(MOD, "version: 1", "version: 0")], [f"{C}{MOD}:2: 'version' must be at least 1"]),
    (
        "level-folder",
        [(PROG, "level: 1", "level: 3")],
        [f"{C}{PROG}:3: 'level' does not match level-1/"],
    ),
    (
        "estimated-hours",
        [(PROG, "estimated_hours: 4", "estimated_hours: 0")],
        [f"{C}{PROG}:6: 'estimated_hours' must be positive"],
    ),
    (
        "minutes",
        [(MOD, "minutes: 20", "minutes: 0")],
        [f"{C}{MOD}:17: 'minutes' must be at least 1"],
    ),
    (
        "points",
        [(QUIZ, "answer: b\n", "answer: b\n    points: 0\n")],
        [f"{C}{QUIZ}:12: 'points' must be positive"],
    ),
    (
        "word-limit",
        [(ASSIGN, "word_limit: 800", "word_limit: 0")],
        [f"{C}{ASSIGN}:7: 'word_limit' must be at least 1"],
    ),
    (
        "slug-kebab",
        [(MOD, "slug: l1-m1-a", "slug: L1_M1_A")],
        [f"{C}{MOD}:1: 'L1_M1_A' is not kebab-case"],
    ),
    (
        "vague-objective",
        [(MOD, "Explain the idea.", "Understand the idea.")],
        [f"{C}{MOD}:10: objective starts with 'understand': use an observable verb"],
    ),
    (
        "lesson-file-name",
        [(MOD, "slug: intro", "slug: intro-x")],
        [f"{C}{MOD}:16: name it lessons/01-intro-x.md"],
    ),
    (
        "lesson-unlisted",
        [("level-1/m1-a/lessons/02-extra.md", "", "# Extra\n")],
        [f"{C}{MOD}:13: lesson file 'lessons/02-extra.md' is not listed"],
    ),
    (
        "module-unlisted",
        [("level-1/m2-b/module.yaml", "", "slug: x\n")],
        [f"{C}{PROG}:8: module folder 'm2-b' is not listed"],
    ),
    # -- Markdown -------------------------------------------------------------------------------
    (
        "heading-differs",
        [(LESSON, "# Introduction", "# Intro")],
        [f"{C}{LESSON}:1: heading 'Intro' differs from the lesson title 'Introduction'"],
    ),
    (
        "heading-not-first",
        [(LESSON, "# Introduction\n", "Text first.\n\n# Introduction\n")],
        [f"{C}{LESSON}:1: the lesson must start with '# Introduction'"],
    ),
    (
        "heading-level-2",
        [(LESSON, "# Introduction\n", "## Introduction\n")],
        [f"{C}{LESSON}:1: the lesson must start with '# Introduction'"],
    ),
    (
        "second-h1",
        [(LESSON, "| 1 | 2 |\n", "| 1 | 2 |\n\n# Again\n")],
        [f"{C}{LESSON}:9: only one level-1 heading per lesson"],
    ),
    (
        "lesson-inline-html",
        [(LESSON, "Some text", "Some <b>text</b>")],
        [f"{C}{LESSON}:3: raw HTML is not allowed: <b>"],
    ),
    (
        "lesson-html-comment",
        [(LESSON, "| 1 | 2 |\n", "| 1 | 2 |\n\n<!-- note -->\n")],
        [f"{C}{LESSON}:9: raw HTML is not allowed: <!-- note -->"],
    ),
    (
        "lesson-image",
        [(LESSON, "Some text", "![logo](logo.png) Some text")],
        [f"{C}{LESSON}:3: an image must be a figure, figures/<name>.svg: logo.png"],
    ),
    ("lesson-figure", [(FIG, "", SVG_OK), (LESSON, "Some text", SHOWN + "Some text")], []),
    (
        "lesson-figure-missing",
        [(LESSON, "Some text", SHOWN + "Some text")],
        [f"{C}{LESSON}:3: no figure figures/flow.svg in this module"],
    ),
    (
        "lesson-figure-without-alt",
        [(FIG, "", SVG_OK), (LESSON, "Some text", "![](figures/flow.svg) Some text")],
        [f"{C}{LESSON}:3: the figure needs alt text saying what it shows: figures/flow.svg"],
    ),
    (
        "figure-not-shown",
        [(FIG, "", SVG_OK)],
        [f"{C}{FIG}:1: no lesson shows this figure: ![what it shows](figures/...)"],
    ),
    (
        "figure-with-script",
        [
            (FIG, "", SVG_OK.replace("</svg>", "<script>alert(1)</script></svg>")),
            (LESSON, "Some text", SHOWN + "Some text"),
        ],
        [f"{C}{FIG}:1: <script> is not allowed in a figure"],
    ),
    (
        "figure-without-desc",
        [
            (FIG, "", SVG_OK.replace("<desc>Two boxes, one arrow.</desc>", "")),
            (LESSON, "Some text", SHOWN + "Some text"),
        ],
        [f"{C}{FIG}:1: the figure must start with <title> then <desc> (what it shows, in words)"],
    ),
    (
        "figure-in-a-quiz-prompt",
        [
            (FIG, "", SVG_OK),
            (LESSON, "Some text", SHOWN + "Some text"),
            (QUIZ, '"Pick one."', '"Pick one. ![A flow](figures/flow.svg)"'),
        ],
        [f"{C}{QUIZ}:6: images are not allowed: figures/flow.svg"],
    ),
    (
        "lesson-link",
        [(LESSON, "and a table.", "and [a table](https://example.org/t).")],
        [f"{C}{LESSON}:3: {OTHER_HOST} https://example.org/t"],
    ),
    (
        "lesson-protocol-relative-link",
        [(LESSON, "and a table.", "and [a table](//example.org/t).")],
        [f"{C}{LESSON}:3: {OTHER_HOST} //example.org/t"],
    ),
    ("lesson-relative-link-is-fine", [(LESSON, "and a table.", "and [a table](02-next.md).")], []),
    (
        "feedback-url",
        [(QUIZ, '"B because."', '"B because, see http://example.org."')],
        [f"{C}{QUIZ}:12: {OTHER_HOST} http://example.org"],
    ),
    (
        "prompt-html",
        [(QUIZ, '"Pick one."', '"Pick <i>one</i>."')],
        [f"{C}{QUIZ}:6: raw HTML is not allowed: <i>"],
    ),
    (
        "assignment-prompt-html",
        [(ASSIGN, "Write a memo.", "Write a <em>memo</em>.")],
        [f"{C}{ASSIGN}:5: raw HTML is not allowed: <em>"],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lint_rule(tmp_path, edits, expected):
    problems = lint_tree(write_tree(tmp_path, edits))
    assert sorted(str(p) for p in problems) == sorted(expected)
