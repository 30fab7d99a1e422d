"""A module grade as the learner reads it: its number, what makes it up or waits, and its level."""

from __future__ import annotations

import pytest

from lms_plugin.domain.completion import module_status
from lms_plugin.domain.module_grade import grade_line
from tests.unit.domain.test_completion import make_module, make_program

COUNTS = (
    "It counts toward Level 2 (b): module 2 of 3. Passing every module of the level earns its "
    "badge."
)


@pytest.mark.parametrize(
    "best, grading, assignment, score, rubric, state, text, detail",
    [
        (None, False, "none", None, None, "none", "No grade yet",
         "Your grade appears here once your quiz is graded or your work reviewed."),
        (60.0, True, "none", 0.3, None, "grading", "Grading…",
         "Your quiz answers are being graded; this updates by itself in a moment."),
        (90.0, False, "waiting", 0.45, None, "waiting", "Not final yet",
         "Your assignment is waiting for review; the review completes the grade. Your best quiz "
         "score so far: 90%."),
        (90.0, False, "none", 0.45, None, "partial", "45 out of 100",
         "Not complete yet. The mean of the quiz (90%) and the assignment (not submitted yet, "
         "counts 0)."),
        (60.0, False, "revise", 0.55, 50.0, "partial", "55 out of 100",
         "Not complete yet. The mean of the quiz (60%) and the assignment (50%, not passed)."),
        (90.0, False, "passed", 0.875, 85.0, "final", "87.5 out of 100",
         "Passed. The mean of the quiz (90%) and the assignment (85%)."),
    ],
)  # fmt: skip
def test_grade_line(best, grading, assignment, score, rubric, state, text, detail):
    program = make_program(make_module("m1"), make_module("m2"), make_module("m3"))
    module = program.modules[1]
    status = module_status(
        module, best_quiz_percent=best, lessons_viewed=set(), quiz_grading=grading,
        assignment=assignment,
    )  # fmt: skip
    line = grade_line(program, module, status, score=score, best_quiz=best, rubric_percent=rubric)
    assert (line.state, line.text, line.detail, line.counts_toward) == (state, text, detail, COUNTS)
    assert line.percent == (
        None if state in ("none", "grading", "waiting") else round(score * 100, 2)
    )
