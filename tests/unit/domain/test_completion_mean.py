"""The learner's checklist names the whole pass rule: the level and, since issue 15, the mean."""

from __future__ import annotations

from lms_plugin.domain.completion import module_status
from tests.unit.domain.test_completion import make_assignment, make_module


def test_the_missing_assignment_names_the_mean():
    module = make_module(assignment=make_assignment(min_mean=3.0))
    status = module_status(
        module, best_quiz_percent=90.0, lessons_viewed=set(), assignment="waiting"
    )
    assert status.missing == (
        'The assignment "Role map" is waiting for review (every criterion needs Developing or'
        " above and a mean of 3.0 or more to pass)",
    )


def test_an_assignment_synced_before_the_mean_names_the_level_only():
    module = make_module(assignment=make_assignment())
    status = module_status(module, best_quiz_percent=90.0, lessons_viewed=set(), assignment="none")
    assert status.missing[0].endswith("every criterion needs Developing or above)")
