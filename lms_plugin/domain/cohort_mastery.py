"""Competency mastery on the cohort dashboard: which competencies are shown, how mastery is
counted, and the bands its cells are drawn in.

Mastery of a competency is the share of its evidence a learner got right, in percent:
the quiz items tagged with it in each module's latest graded attempt (points awarded over
points possible: the latest attempt is the learner's current knowledge, not their best day),
and the rubric criteria tagged with it in each module's latest review (the level over the top
level, 4, each criterion weighing as much as a 1-point item). A learner without evidence for a
competency has no mastery of it (not 0%); the cohort's mean is over those with evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lms_plugin.domain.content.model import Competency
from lms_plugin.domain.i18n import N_

RUBRIC_TOP = 4.0
ISP_KIND = "competency"  # competencies.yaml: the 15 NIRN ISP competencies (P, T, F are others)


@dataclass(frozen=True)
class ScoredCompetency:
    """The cohort's mean mastery of one competency, over ``learners`` with evidence."""

    id: str
    name: str
    mean: float | None
    learners: int


@dataclass(frozen=True)
class Band:
    code: str
    label: str


SECURE = Band("secure", N_("secure"))  # labels in English; the page translates them (``|tr``)
DEVELOPING = Band("developing", N_("developing"))
EMERGING = Band("emerging", N_("emerging"))
BANDS = ((80.0, SECURE), (50.0, DEVELOPING), (0.0, EMERGING))


def isp_competencies(catalogue: Iterable[Competency]) -> list[tuple[str, str]]:
    """(id, name) of the ISP competencies, in catalogue order."""
    return [(c.id, c.name) for c in catalogue if c.kind == ISP_KIND]


def band(mastery: float) -> Band:
    """The band a mastery percent is drawn in (80% and above: the quizzes' usual pass mark)."""
    return next(b for floor, b in BANDS if mastery >= floor)
