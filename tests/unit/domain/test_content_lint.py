"""Lint rules for unique ids, references and answer keys: each broken fixture yields
exactly the expected ``file:line: message`` lines (the valid tree: test_content_fixture)."""

from __future__ import annotations

import pytest

from lms_plugin.domain.content.lint import lint_tree
from tests.unit.domain.test_content_fixture import write_tree

C = "courses/"
COMP, PROG, PROG2 = "competencies.yaml", "level-1/program.yaml", "level-2/program.yaml"
MOD, QUIZ = "level-1/m1-a/module.yaml", "level-1/m1-a/quiz.yaml"
ASSIGN = "level-1/m1-a/assignment.yaml"
MOD2, QUIZ2, ASSIGN2 = (
    f"level-2/m1-a/{name}" for name in ("module.yaml", "quiz.yaml", "assignment.yaml")
)

CASES = [
    # -- unique ids ---------------------------------------------------------------------------
    (
        "item-id",
        [(QUIZ2, "id: l2m1-q01", "id: l1m1-q01")],
        [f"{C}{QUIZ2}:2: duplicate item id 'l1m1-q01' (first at {C}{QUIZ}:2)"],
    ),
    (
        "module-slug",
        [(MOD2, "slug: l2-m1-a", "slug: l1-m1-a")],
        [f"{C}{MOD2}:1: duplicate module slug 'l1-m1-a' (first at {C}{MOD}:1)"],
    ),
    (
        "program-slug",
        [(PROG2, "slug: isp-level-2", "slug: isp-level-1")],
        [f"{C}{PROG2}:1: duplicate program slug 'isp-level-1' (first at {C}{PROG}:1)"],
    ),
    (
        "assignment-id",
        [(ASSIGN2, "id: A2", "id: A1")],
        [f"{C}{ASSIGN2}:1: duplicate assignment id 'A1' (first at {C}{ASSIGN}:1)"],
    ),
    (
        "assignment-slug",
        [(ASSIGN2, "slug: l2-a1-memo", "slug: l1-a1-memo")],
        [f"{C}{ASSIGN2}:2: duplicate assignment slug 'l1-a1-memo' (first at {C}{ASSIGN}:2)"],
    ),
    (
        "competency-id",
        [
            (
                COMP,
                'stakeholders."\n',
                'stakeholders."\n- id: P1\n  kind: principle\n  name: x\n  summary: y\n',
            )
        ],
        [f"{C}{COMP}:10: duplicate competency id 'P1' (first at {C}{COMP}:1)"],
    ),
    (
        "objective-id",
        [(MOD, '"Apply the idea."\n', '"Apply the idea."\n  - id: o1\n    text: "Again."\n')],
        [f"{C}{MOD}:13: duplicate objective id 'o1' (first at {C}{MOD}:9)"],
    ),
    (
        "lesson-slug",
        [
            (
                MOD,
                "minutes: 20\n",
                "minutes: 20\n  - slug: intro\n    title: Introduction\n"
                "    file: lessons/02-intro.md\n    minutes: 5\n",
            ),
            ("level-1/m1-a/lessons/02-intro.md", "", "# Introduction\n"),
        ],
        [f"{C}{MOD}:18: duplicate lesson slug 'intro' (first at {C}{MOD}:14)"],
    ),
    (
        "option-id",
        [(QUIZ, '      - {id: c, text: "C"}', '      - {id: a, text: "C"}')],
        [f"{C}{QUIZ}:10: duplicate option id 'a' (first at {C}{QUIZ}:8)"],
    ),
    (
        "option-id-same-line",
        [(QUIZ, '{id: c, text: "C"}]', '{id: a, text: "C"}]')],
        [
            f"{C}{QUIZ}:18: duplicate option id 'a' (first at {C}{QUIZ}:18)",
            f"{C}{QUIZ}:19: at least one choice must not be in the answer",
        ],
    ),
    (
        "criterion-id",
        [
            (
                ASSIGN,
                '4: "Very clear."\n',
                '4: "Very clear."\n    - id: c1\n      title: "Again"\n'
                "      competencies: [P1]\n      descriptors: {1: a, 2: b, 3: c, 4: d}\n",
            )
        ],
        [f"{C}{ASSIGN}:27: duplicate criterion id 'c1' (first at {C}{ASSIGN}:19)"],
    ),
    # -- references -----------------------------------------------------------------------------
    (
        "item-competency",
        [(QUIZ, "competencies: [CE-1]", "competencies: [CE-9]")],
        [f"{C}{QUIZ}:15: unknown competency 'CE-9'"],
    ),
    (
        "module-competency-block-list",
        [(MOD, "competencies: [P1, CE-1]", "competencies:\n  - P1\n  - XX")],
        [f"{C}{MOD}:8: unknown competency 'XX'"],
    ),
    (
        "criterion-competency",
        [(ASSIGN, "competencies: [P1, CE-1]", "competencies: [P9, CE-1]")],
        [f"{C}{ASSIGN}:21: unknown competency 'P9'"],
    ),
    (
        "item-objective",
        [
            (
                QUIZ,
                'objectives: [o1]\n    prompt: "Pick one."',
                'objectives: [o9]\n    prompt: "Pick one."',
            )
        ],
        [f"{C}{QUIZ}:5: unknown objective of this module 'o9'"],
    ),
    (
        "item-without-objective",
        [
            (
                QUIZ,
                'objectives: [o1]\n    prompt: "Pick one."',
                'objectives: []\n    prompt: "Pick one."',
            )
        ],
        [f"{C}{QUIZ}:5: list at least one objective"],
    ),
    (
        "program-prerequisite",
        [(PROG2, "prerequisites: []", "prerequisites: [isp-level-9]")],
        [f"{C}{PROG2}:7: unknown program 'isp-level-9'"],
    ),
    (
        "module-prerequisite",
        [(MOD, "prerequisites: []", "prerequisites: [l1-m9]")],
        [f"{C}{MOD}:7: unknown module 'l1-m9'"],
    ),
    (
        "program-cycle",
        [
            (PROG, "prerequisites: []", "prerequisites: [isp-level-2]"),
            (PROG2, "prerequisites: []", "prerequisites: [isp-level-1]"),
        ],
        [
            f"{C}{PROG2}:7: program prerequisites form a cycle: "
            "isp-level-1 -> isp-level-2 -> isp-level-1"
        ],
    ),
    (
        "module-self-cycle",
        [(MOD, "prerequisites: []", "prerequisites: [l1-m1-a]")],
        [f"{C}{MOD}:7: module prerequisites form a cycle: l1-m1-a -> l1-m1-a"],
    ),
    # -- answer keys ----------------------------------------------------------------------------
    (
        "single-two-choices",
        [(QUIZ, '      - {id: c, text: "C"}\n', "")],
        [f"{C}{QUIZ}:7: single_choice needs 3-5 choices (has 2)"],
    ),
    (
        "single-answer",
        [(QUIZ, "answer: b", "answer: z")],
        [f"{C}{QUIZ}:11: answer 'z' is not a choice id"],
    ),
    (
        "multi-one-answer",
        [(QUIZ, "answer: [a, b]", "answer: [a]")],
        [f"{C}{QUIZ}:19: a multi_select answer needs at least 2 choice ids"],
    ),
    (
        "multi-every-choice",
        [(QUIZ, "answer: [a, b]", "answer: [a, b, c]")],
        [f"{C}{QUIZ}:19: at least one choice must not be in the answer"],
    ),
    (
        "multi-unknown",
        [(QUIZ, "answer: [a, b]", "answer: [a, q]")],
        [f"{C}{QUIZ}:19: answer 'q' is not a choice id"],
    ),
    (
        "multi-twice",
        [(QUIZ, "answer: [a, b]", "answer: [a, a, b]")],
        [f"{C}{QUIZ}:19: answer lists a choice more than once"],
    ),
    (
        "ordering-missing",
        [(QUIZ, "answer: [y, x, z]", "answer: [y, x]")],
        [f"{C}{QUIZ}:27: answer must list every entry id exactly once"],
    ),
    (
        "ordering-twice",
        [(QUIZ, "answer: [y, x, z]", "answer: [y, x, x]")],
        [f"{C}{QUIZ}:27: answer must list every entry id exactly once"],
    ),
    (
        "ordering-two-entries",
        [(QUIZ, ', {id: z, text: "Z"}]', "]"), (QUIZ, "answer: [y, x, z]", "answer: [y, x]")],
        [f"{C}{QUIZ}:26: ordering needs at least 3 entries (has 2)"],
    ),
    (
        "matching-left-missing",
        [(QUIZ, "{l1: r1, l2: r2}", "{l1: r1}")],
        [f"{C}{QUIZ}:36: answer must map every left id exactly once"],
    ),
    (
        "matching-right-unknown",
        [(QUIZ, "{l1: r1, l2: r2}", "{l1: r1, l2: r9}")],
        [f"{C}{QUIZ}:36: answer value 'r9' is not a right id"],
    ),
    (
        "matching-right-twice",
        [(QUIZ, "{l1: r1, l2: r2}", "{l1: r1, l2: r1}")],
        [f"{C}{QUIZ}:36: answer uses a right id more than once"],
    ),
    (
        "matching-too-few-right",
        [
            (QUIZ, ', {id: r2, text: "2"}, {id: r3, text: "3"}]', "]"),
            (QUIZ, "{l1: r1, l2: r2}", "{l1: r1, l2: r1}"),
        ],
        [
            f"{C}{QUIZ}:35: matching needs >= 2 left entries and as many right ones",
            f"{C}{QUIZ}:36: answer uses a right id more than once",
        ],
    ),
    (
        "numeric-tolerance",
        [(QUIZ, "tolerance: 0.5", "tolerance: -1")],
        [f"{C}{QUIZ}:44: 'tolerance' must not be negative"],
    ),
    (
        "numeric-fraction-without-tolerance",
        [(QUIZ, "answer: 75\n    tolerance: 0.5\n", "answer: 75.5\n")],
        [f"{C}{QUIZ}:43: a non-integer answer needs an explicit 'tolerance'"],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_lint_rule(tmp_path, edits, expected):
    problems = lint_tree(write_tree(tmp_path, edits))
    assert sorted(str(p) for p in problems) == sorted(expected)
