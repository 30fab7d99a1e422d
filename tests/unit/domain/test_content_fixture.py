"""A small valid courses/ tree (two levels, one module each) that the other content tests break,
and the tests that it loads into exactly the expected model."""

from __future__ import annotations

import json
from pathlib import Path

from lms_plugin.domain.content.lint import lint_tree
from lms_plugin.domain.content.loader import Problem, load_catalogue
from lms_plugin.domain.content.snapshot import module_from_dict

COMPETENCIES = """\
- id: P1
  kind: principle
  name: "Be empathetic"
  summary: "Treat everyone as a contributor."
- id: CE-1
  kind: competency
  domain: co-creation-and-engagement
  name: "Co-learning"
  summary: "Learn alongside stakeholders."
"""
PROGRAM = """\
slug: isp-level-@
version: 1
level: @
title: "Level @"
summary: "A test program."
estimated_hours: 4
prerequisites: []
modules:
  - m1-a
completion:
  all_modules_complete: true
  capstone_min_criterion_level: 3
badge:
  name: "Badge @"
  description: "The holder did things."
  criteria: "Passed everything."
"""
MODULE = """\
slug: l@-m1-a
version: 1
title: "Module A"
summary: "A test module."
estimated_hours: 4
competencies: [P1, CE-1]
prerequisites: []
objectives:
  - id: o1
    text: "Explain the idea."
  - id: o2
    text: "Apply the idea."
lessons:
  - slug: intro
    title: "Introduction"
    file: lessons/01-intro.md
    minutes: 20
quiz:
  pool: quiz.yaml
  draw: 6
  pass_percent: 80
  max_attempts: 3
  cooldown_hours_after: 2
  cooldown_hours: 24
  minutes: 30
assignment: assignment.yaml
completion:
  quiz_passed: true
  assignment_passed: true
references:
  - author: "Nilsen, P."
    year: 2015
    title: "Making sense of implementation theories, models and frameworks"
    where: "Implementation Science 10, 53"
    url: "https://doi.org/10.1186/s13012-015-0242-0"
"""
LESSON = """\
# Introduction

Some text with **bold** and a table.

| a | b |
|---|---|
| 1 | 2 |
"""
QUIZ = """\
items:
  - id: l@m1-q01
    type: single_choice
    competencies: [P1, CE-1]
    objectives: [o1]
    prompt: "Pick one."
    choices:
      - {id: a, text: "A"}
      - {id: b, text: "B"}
      - {id: c, text: "C"}
    answer: b
    feedback: "B because."
  - id: l@m1-q02
    type: multi_select
    competencies: [CE-1]
    objectives: [o2]
    prompt: "Pick some."
    choices: [{id: a, text: "A"}, {id: b, text: "B"}, {id: c, text: "C"}]
    answer: [a, b]
    feedback: "A and B."
  - id: l@m1-q03
    type: ordering
    competencies: [P1, CE-1]
    objectives: [o1]
    prompt: "Order them."
    entries: [{id: x, text: "X"}, {id: y, text: "Y"}, {id: z, text: "Z"}]
    answer: [y, x, z]
    feedback: "Y, X, Z."
  - id: l@m1-q04
    type: matching
    competencies: [P1, CE-1]
    objectives: [o1]
    prompt: "Match them."
    pairs_left: [{id: l1, text: "One"}, {id: l2, text: "Two"}]
    pairs_right: [{id: r1, text: "1"}, {id: r2, text: "2"}, {id: r3, text: "3"}]
    answer: {l1: r1, l2: r2}
    feedback: "One is 1."
  - id: l@m1-q05
    type: numeric
    competencies: [P1, CE-1]
    objectives: [o2]
    prompt: "18 of 24, in percent?"
    answer: 75
    tolerance: 0.5
    unit: "%"
    feedback: "18 / 24 = 75%."
  - id: l@m1-q06
    type: short_text
    competencies: [P1, CE-1]
    objectives: [o2]
    prompt: "One word?"
    answer: opportunity
    accept: [opportunities]
    feedback: "Opportunity."
"""
ASSIGNMENT = """\
id: A@
slug: l@-a1-memo
kind: capstone
title: "Memo"
prompt: |
  Write a memo.
word_limit: 800
max_resubmissions: 2
pass_rule:
  min_criterion_level: 3
  min_mean: 3.0
rubric:
  levels:
    - {score: 1, label: Beginning}
    - {score: 2, label: Developing}
    - {score: 3, label: Proficient}
    - {score: 4, label: Exemplary}
  criteria:
    - id: c1
      title: "Clear"
      competencies: [P1, CE-1]
      descriptors:
        1: "Unclear."
        2: "Partly clear."
        3: "Clear."
        4: "Very clear."
      scoring_notes: "Read the first paragraph: the **recommendation** must be there."
      exemplars:
        1: "We should do something about it."
        2: "We recommend EPIS."
        3: "We recommend EPIS for its four phases."
        4: "We recommend EPIS; its bridging factors fit our two agencies."
minutes: 190
"""
MODULE_FILES = {
    "module.yaml": MODULE,
    "lessons/01-intro.md": LESSON,
    "quiz.yaml": QUIZ,
    "assignment.yaml": ASSIGNMENT,
}

# An edit: (file under courses/, old text, new text). old must occur exactly once;
# new=None deletes the file; old="" creates the file with text new.
Edit = tuple[str, str, str | None]


def quiz(level: str) -> str:
    """The pool of level ``level``: the same items, each level asking its own questions (the
    linter refuses a question asked twice across the catalogue)."""
    text = QUIZ.replace("@", level)
    return text if level == "1" else text.replace('prompt: "', f'prompt: "Level {level}: ')


def write_tree(tmp_path: Path, edits: list[Edit] | tuple[Edit, ...] = ()) -> Path:
    """Write the valid tree to tmp_path/courses, apply ``edits`` and return the courses/ root."""
    root = tmp_path / "courses"
    files = {"competencies.yaml": COMPETENCIES}
    for level in ("1", "2"):
        files[f"level-{level}/program.yaml"] = PROGRAM.replace("@", level)
        for name, text in MODULE_FILES.items():
            files[f"level-{level}/m1-a/{name}"] = text.replace("@", level)
        files[f"level-{level}/m1-a/quiz.yaml"] = quiz(level)
    for name, old, new in edits:
        if old == "":
            files[name] = new or ""
        elif new is None:
            del files[name]
        else:
            assert files[name].count(old) == 1, f"{old!r} must occur once in {name}"
            files[name] = files[name].replace(old, new)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    return root


def test_valid_tree_lints_clean(tmp_path):
    assert lint_tree(write_tree(tmp_path)) == []


def test_problem_str():
    assert str(Problem("courses/x.yaml", 3, "boom")) == "courses/x.yaml:3: boom"


def test_loads_every_field_into_the_model(tmp_path):
    catalogue, problems = load_catalogue(write_tree(tmp_path))
    assert problems == []
    assert catalogue is not None
    assert [c.id for c in catalogue.competencies] == ["P1", "CE-1"]
    assert catalogue.competencies[1].domain == "co-creation-and-engagement"
    assert [p.slug for p in catalogue.programs] == ["isp-level-1", "isp-level-2"]
    program = catalogue.programs[0]
    assert (program.folder, program.level, program.capstone_min_criterion_level) == (
        "level-1",
        1,
        3,
    )
    assert program.badge.criteria == "Passed everything."
    module = program.modules[0]
    assert (module.folder, module.slug, module.estimated_hours) == ("level-1/m1-a", "l1-m1-a", 4.0)
    assert module.quiz.draw == 6 and module.quiz.cooldown_hours == 24.0
    assert module.lessons[0].markdown == LESSON
    assert module.lessons[0].file == "lessons/01-intro.md"
    single, multi, ordering, matching, numeric, short = module.items
    assert single.answer_id == "b" and [c.id for c in single.choices] == ["a", "b", "c"]
    assert multi.answer_ids == ("a", "b")
    assert ordering.answer_ids == ("y", "x", "z") and len(ordering.entries) == 3
    assert matching.pairs == (("l1", "r1"), ("l2", "r2")) and len(matching.right) == 3
    assert (numeric.number, numeric.tolerance, numeric.unit) == (75.0, 0.5, "%")
    assert (short.text_answer, short.accept) == ("opportunity", ("opportunities",))
    assignment = module.assignment
    assert assignment is not None
    assert (assignment.kind, assignment.min_criterion_level) == ("capstone", 3)
    assert [level.label for level in assignment.levels][2] == "Proficient"
    assert assignment.criteria[0].descriptors[3] == (4, "Very clear.")
    # issue 15: the mean, grader support, time estimates and references
    assert (assignment.min_mean, assignment.minutes, module.quiz.minutes) == (3.0, 190, 30)
    criterion = assignment.criteria[0]
    assert criterion.scoring_notes.startswith("Read the first paragraph")
    assert [score for score, _ in criterion.exemplars] == [1, 2, 3, 4]
    assert criterion.exemplars[1] == (2, "We recommend EPIS.")
    (reference,) = module.references
    assert (reference.author, reference.year, reference.where) == (
        "Nilsen, P.",
        2015,
        "Implementation Science 10, 53",
    )
    assert reference.url == "https://doi.org/10.1186/s13012-015-0242-0"
    assert catalogue.module("l2-m1-a") == (catalogue.programs[1], catalogue.programs[1].modules[0])


def test_new_fields_survive_the_snapshot_and_old_snapshots_get_defaults(tmp_path):
    catalogue, _ = load_catalogue(write_tree(tmp_path))
    assert catalogue is not None
    module = catalogue.programs[0].modules[0]
    data = json.loads(json.dumps(module.to_dict()))
    assert module_from_dict(data) == module
    # a version synced before issue 15 has none of the new keys
    for key in ("min_mean", "minutes"):
        del data["assignment"][key]
    for criterion in data["assignment"]["criteria"]:
        del criterion["scoring_notes"], criterion["exemplars"]
    del data["quiz"]["minutes"], data["references"]
    for item in data["items"]:  # nor the items' not_with
        del item["not_with"]
    old = module_from_dict(data)
    assert old.assignment is not None and old.assignment.min_mean is None
    assert old.assignment.criteria[0].exemplars == () and old.references == ()
    assert old.quiz.minutes == 0
    assert all(item.not_with == () for item in old.items)


def test_catalogue_is_none_when_a_schema_problem_exists(tmp_path):
    root = write_tree(tmp_path, [("level-1/m1-a/module.yaml", "version: 1", "version: one")])
    catalogue, problems = load_catalogue(root)
    assert catalogue is None
    assert [str(p) for p in problems] == [
        "courses/level-1/m1-a/module.yaml:2: 'version' must be an integer"
    ]


def test_no_cooldown_when_both_cooldown_fields_are_left_out(tmp_path):
    edits = [("level-1/m1-a/module.yaml", "  cooldown_hours_after: 2\n  cooldown_hours: 24\n", "")]
    catalogue, problems = load_catalogue(write_tree(tmp_path, edits))
    assert problems == [] and catalogue is not None
    assert catalogue.programs[0].modules[0].quiz.cooldown_hours == 0.0
