"""Schema problems found by the loader: each broken fixture yields exactly the expected
``file:line: message`` lines (see test_content_fixture for the valid tree and its line numbers)."""

from __future__ import annotations

import pytest

from lms_plugin.domain.content.lint import lint_tree
from lms_plugin.domain.content.loader import load_catalogue, parse_yaml
from tests.unit.domain.test_content_fixture import write_tree

C = "courses/"
PROG, MOD = "level-1/program.yaml", "level-1/m1-a/module.yaml"
QUIZ, ASSIGN = "level-1/m1-a/quiz.yaml", "level-1/m1-a/assignment.yaml"
LESSON, COMP = "level-1/m1-a/lessons/01-intro.md", "competencies.yaml"

CASES = [
    (
        "duplicate-key",
        [(MOD, "version: 1\n", "version: 1\nversion: 2\n")],
        [f"{C}{MOD}:3: duplicate key 'version'"],
    ),
    (
        "unknown-field-with-suggestion",
        [(QUIZ, '    feedback: "B because."', '    feedbak: "B because."')],
        [
            f"{C}{QUIZ}:2: missing field 'feedback'",
            f"{C}{QUIZ}:12: unknown field 'feedbak' (did you mean 'feedback'?)",
        ],
    ),
    (
        "field-of-another-item-type",
        [(QUIZ, "    answer: b\n", "    answer: b\n    unit: cm\n")],
        [f"{C}{QUIZ}:12: unknown field 'unit' (not a field of single_choice items)"],
    ),
    (
        "unknown-nested-field",
        [(MOD, "  draw: 6\n", "  draw: 6\n  shuffle: true\n")],
        [f"{C}{MOD}:21: unknown field 'quiz.shuffle'"],
    ),
    (
        "missing-file-field",
        [(MOD, 'title: "Module A"\n', "")],
        [f"{C}{MOD}:1: missing field 'title'"],
    ),
    ("integer", [(MOD, "draw: 6", "draw: six")], [f"{C}{MOD}:20: 'quiz.draw' must be an integer"]),
    (
        "number",
        [(QUIZ, "answer: 75", "answer: lots")],
        [f"{C}{QUIZ}:43: 'answer' must be a number"],
    ),
    (
        "boolean",
        [(MOD, "quiz_passed: true", "quiz_passed: 1")],
        [f"{C}{MOD}:28: 'completion.quiz_passed' must be true or false"],
    ),
    (
        "string-list",
        [(QUIZ, "competencies: [CE-1]", "competencies: CE-1")],
        [f"{C}{QUIZ}:15: 'competencies' must be a list of non-empty strings"],
    ),
    (
        "empty-text",
        [(QUIZ, "answer: opportunity", 'answer: ""')],
        [f"{C}{QUIZ}:52: 'answer' must be a non-empty string"],
    ),
    (
        "yaml-boolean-id",
        [(QUIZ, '{id: c, text: "C"}]', '{id: yes, text: "C"}]')],
        [f"{C}{QUIZ}:18: 'id' must be a non-empty string"],
    ),
    (
        "unknown-item-type",
        [(QUIZ, "type: ordering", "type: sorting")],
        [
            f"{C}{QUIZ}:22: 'type' must be one of: single_choice, multi_select, ordering, "
            "matching, numeric, short_text",
        ],
    ),
    (
        "matching-answer-shape",
        [(QUIZ, "answer: {l1: r1, l2: r2}", "answer: [r1, r2]")],
        [f"{C}{QUIZ}:36: 'answer' must map each left id to a right id"],
    ),
    (
        "descriptors-shape",
        [(ASSIGN, '        4: "Very clear."', '        four: "Very clear."')],
        [f"{C}{ASSIGN}:22: 'descriptors' must map the levels 1-4 to non-empty text"],
    ),
    (
        "item-not-a-mapping",
        [(QUIZ, "items:\n", "items:\n  - just text\n")],
        [f"{C}{QUIZ}:2: a mapping is expected"],
    ),
    (
        "empty-list",
        [
            (
                MOD,
                '  - id: o1\n    text: "Explain the idea."\n'
                '  - id: o2\n    text: "Apply the idea."\n',
                "",
            ),
            (MOD, "objectives:", "objectives: []"),
        ],
        [
            f"{C}{MOD}:8: 'objectives' must be a non-empty list",
        ],
    ),
    ("lesson-file-missing", [(LESSON, "x", None)], [f"{C}{MOD}:16: file not found: {C}{LESSON}"]),
    ("quiz-pool-missing", [(QUIZ, "x", None)], [f"{C}{MOD}:19: file not found: {C}{QUIZ}"]),
    ("assignment-missing", [(ASSIGN, "x", None)], [f"{C}{MOD}:26: file not found: {C}{ASSIGN}"]),
    ("competencies-missing", [(COMP, "x", None)], [f"{C}{COMP}:1: file not found"]),
    (
        "lesson-not-utf8",
        [(LESSON, "Some text", "Some text \udcff")],
        [f"{C}{MOD}:16: not UTF-8 text (invalid start byte at byte 26): {C}{LESSON}"],
    ),
    (
        "pool-size-unknown-when-an-item-fails",
        [(QUIZ, "type: ordering", "type: 5")],
        [f"{C}{QUIZ}:22: 'type' must be a non-empty string"],
    ),
    (
        "module-folder-missing",
        [(PROG, "  - m1-a", "  - m9-z")],
        [
            f"{C}{PROG}:9: file not found: {C}level-1/m9-z/module.yaml",
        ],
    ),
    (
        "path-outside-module",
        [(MOD, "file: lessons/01-intro.md", "file: ../../secret.md")],
        [
            f"{C}{MOD}:13: lesson file 'lessons/01-intro.md' is not listed",
            f"{C}{MOD}:16: 'file' must name a path inside {C}level-1/m1-a",
        ],
    ),
    (
        "cooldown-pair",
        [(MOD, "  cooldown_hours: 24\n", "")],
        [f"{C}{MOD}:18: set both cooldown_hours_after and cooldown_hours, or neither"],
    ),
    (
        "all-modules-complete",
        [(PROG, "all_modules_complete: true", "all_modules_complete: false")],
        [f"{C}{PROG}:11: 'all_modules_complete' must be true"],
    ),
    (
        "competency-kind",
        [(COMP, "kind: principle", "kind: value")],
        [
            f"{C}{COMP}:2: 'kind' must be one of: "
            "principle, competency, tci_competency, tci_function"
        ],
    ),
    (
        "assignment-kind",
        [(ASSIGN, "kind: capstone", "kind: essay")],
        [f"{C}{ASSIGN}:3: 'kind' must be assignment or capstone"],
    ),
    (
        "level-folder-without-program",
        [("level-3/notes.txt", "", "x")],
        [f"{C}level-3/program.yaml:1: file not found"],
    ),
]


@pytest.mark.parametrize(("edits", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_schema_problem(tmp_path, edits, expected):
    problems = lint_tree(write_tree(tmp_path, edits))
    assert sorted(str(p) for p in problems) == sorted(expected)


def test_yaml_syntax_error_points_at_its_line(tmp_path):
    catalogue, problems = load_catalogue(
        write_tree(tmp_path, [(QUIZ, "answer: [a, b]", "answer: [a, b")])
    )
    assert catalogue is None
    assert [(p.path, p.line) for p in problems] == [(f"{C}{QUIZ}", 20)]
    assert problems[0].message.startswith("invalid YAML: ")


def test_parse_yaml_keeps_lines():
    data, problems = parse_yaml("a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert problems == []
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert data.lines == {"a": 1, "b": 2}
    assert data["b"].lines == [3, 4]
    assert data["b"][1].line == 4


def test_missing_root(tmp_path):
    catalogue, problems = load_catalogue(tmp_path / "courses")
    assert catalogue is None
    assert [str(p) for p in problems] == [
        "courses/competencies.yaml:1: file not found",
        "courses:1: no program found (expected level-*/program.yaml)",
    ]
