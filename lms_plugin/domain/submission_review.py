"""What a line item the tool creates says about Submission Review (LTI Submission Review
Service 1.0: the line item's ``submissionReview`` property): the LMS may offer "open the work
behind this grade" from its gradebook, launching an ``LtiSubmissionReviewRequest`` back to the
tool with the line item's custom parameters."""

from __future__ import annotations

from typing import Any

# The learner's activity states for which there is work to look at (AGS activityProgress).
REVIEWABLE = ("InProgress", "Submitted", "Completed")
LABEL = "Open the work in ISP Certificate"


def submission_review(module_slug: str | None) -> dict[str, Any]:
    """The ``submissionReview`` of a module's column (``module_slug``) or of a whole-
    certificate column (None): its custom ``module`` tells the review launch which module."""
    review: dict[str, Any] = {"reviewableStatus": list(REVIEWABLE), "label": LABEL}
    if module_slug is not None:
        review["custom"] = {"module": module_slug}
    return review
