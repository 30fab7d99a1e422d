"""What a score carries beside the AGS fields for one LMS (AGS 2.0 §3.4.1 lets platforms define
extensions): Canvas's ``https://canvas.instructure.com/lti/submission``.

Canvas (Lti::IMS::ScoresController) makes every score a new submission attempt unless
``new_submission`` is false: the learner's submission history would grow by one for each grade
change, and an assignment with limited attempts would refuse scores (422) once they ran out.
So a score is a new submission only when it says the learner has just handed in work a person
must grade (``Submitted`` / ``PendingManual``: Canvas's "needs grading"); every other score
updates the submission Canvas already has.
"""

from __future__ import annotations

from typing import Any

from lms_plugin.domain.platform_profiles import CANVAS

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


def score_extensions(product: str, activity_progress: str, grading_progress: str) -> dict[str, Any]:
    """The extension members of a score for a platform of ``product`` (none for most)."""
    if product != CANVAS:
        return {}
    handed_in = activity_progress == "Submitted" and grading_progress == "PendingManual"
    return {CANVAS_SUBMISSION: {"new_submission": handed_in}}


def lms_has_newer(product: str, lms_status: int | None, message: str) -> bool:
    """The LMS refused a score because it holds one at least as recent: Moodle answers 409;
    Canvas 400 "Provided timestamp of ... before last updated timestamp of ..."."""
    if lms_status == 409:
        return True
    return product == CANVAS and lms_status == 400 and "timestamp" in message
