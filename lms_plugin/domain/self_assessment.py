"""Self-assessment against the 15 ISP competencies (CURRICULUM.md design implication 3): the
points it is taken at, which are open to a learner, reading a rating form, the learner's before
and after, and the cohort's summary per competency. courses/self-assessment.yaml defines the
scale and the points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import mean
from typing import Any, Literal

from lms_plugin.domain.errors import ContentSpecError, InvalidInputError, UnprocessableError
from lms_plugin.domain.i18n import _

When = Literal["start", "end"]


@dataclass(frozen=True)
class Level:
    score: int
    label: str
    text: str


@dataclass(frozen=True)
class Point:
    """A moment the learner rates themselves: the start or the end of a level."""

    id: str
    title: str
    program: str
    when: When


@dataclass(frozen=True)
class SelfAssessmentSpec:
    scale: tuple[Level, ...]
    points: tuple[Point, ...]

    def point(self, point_id: str) -> Point | None:
        return next((p for p in self.points if p.id == point_id), None)


def parse_spec(data: Any) -> SelfAssessmentSpec:
    """The scale (1-4, in order) and the points from courses/self-assessment.yaml."""
    try:
        scale = tuple(
            Level(int(s["score"]), str(s["label"]), str(s["text"])) for s in data["scale"]
        )
        points = tuple(
            Point(str(p["id"]), str(p["title"]), str(p["program"]), p["when"])
            for p in data["points"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ContentSpecError(f"courses/self-assessment.yaml: {exc!r}") from exc
    if [s.score for s in scale] != [1, 2, 3, 4]:
        raise ContentSpecError(
            "courses/self-assessment.yaml: the scale must be the scores 1-4, in order"
        )
    if any(p.when not in ("start", "end") for p in points) or len({p.id for p in points}) != len(
        points
    ):
        raise ContentSpecError("courses/self-assessment.yaml: points need unique ids and start|end")
    return SelfAssessmentSpec(scale, points)


def open_points(
    spec: SelfAssessmentSpec, unlocked: Iterable[str], completed: Iterable[str]
) -> tuple[Point, ...]:
    """The points a learner may take now: a level's start once the level is open to them, its
    end once every module of it is complete."""
    unlocked, completed = set(unlocked), set(completed)
    return tuple(
        p
        for p in spec.points
        if (p.when == "start" and p.program in unlocked)
        or (p.when == "end" and p.program in completed)
    )


def read_ratings(competencies: Sequence[str], given: Mapping[str, Any]) -> dict[str, int]:
    """One rating 1-4 for every competency; 400 for an unknown competency or a value that is
    not a level, 422 naming the competencies left unrated."""
    known = set(competencies)
    unknown = sorted(str(k) for k in given if k not in known)
    if unknown:
        raise InvalidInputError(
            _("Unknown competencies: %(ids)s.", ids=", ".join(unknown)),
            code="invalid_self_assessment",
        )
    ratings: dict[str, int] = {}
    for cid in competencies:
        value = given.get(cid)
        if value in (None, ""):
            continue
        level = value if isinstance(value, int) and not isinstance(value, bool) else None
        if isinstance(value, str) and value.strip() in ("1", "2", "3", "4"):
            level = int(value)
        if level not in (1, 2, 3, 4):
            raise InvalidInputError(
                _("%(id)s needs a rating from 1 to 4.", id=cid), code="invalid_self_assessment"
            )
        assert level is not None
        ratings[cid] = level
    left = [cid for cid in competencies if cid not in ratings]
    if left:
        raise UnprocessableError(
            _("Rate every competency; not rated yet: %(ids)s.", ids=", ".join(left)),
            code="self_assessment_incomplete",
        )
    return ratings


@dataclass(frozen=True)
class Change:
    """One competency across the learner's points: (point id, rating or None) in point order."""

    competency: str
    name: str
    ratings: tuple[tuple[str, int | None], ...]

    @property
    def change(self) -> int | None:
        """Latest rating minus the first one (None until two points are rated)."""
        given = [r for _, r in self.ratings if r is not None]
        return given[-1] - given[0] if len(given) >= 2 else None


def before_after(
    spec: SelfAssessmentSpec,
    competencies: Sequence[tuple[str, str]],
    taken: Mapping[str, Mapping[str, int]],
) -> tuple[Change, ...]:
    """Each competency's ratings at every point taken (``taken``: point id -> ratings)."""
    points = [p.id for p in spec.points if p.id in taken]
    return tuple(
        Change(cid, name, tuple((pid, taken[pid].get(cid)) for pid in points))
        for cid, name in competencies
    )


@dataclass(frozen=True)
class CohortLine:
    """One competency across the cohort at one point: how many rated it, their mean, and how
    many chose each level (1..4)."""

    competency: str
    name: str
    point: str
    count: int
    mean: float | None
    counts: tuple[int, int, int, int]


def cohort_summary(
    spec: SelfAssessmentSpec,
    competencies: Sequence[tuple[str, str]],
    ratings: Iterable[tuple[str, Mapping[str, int]]],
) -> dict[str, tuple[CohortLine, ...]]:
    """Per point, one line per competency (``ratings``: (point id, one learner's ratings))."""
    by_point: dict[str, list[Mapping[str, int]]] = {p.id: [] for p in spec.points}
    for point, given in ratings:
        by_point.setdefault(point, []).append(given)
    out: dict[str, tuple[CohortLine, ...]] = {}
    for point, rows in by_point.items():
        lines = []
        for cid, name in competencies:
            values = [r[cid] for r in rows if r.get(cid) in (1, 2, 3, 4)]
            counts = tuple(values.count(level) for level in (1, 2, 3, 4))
            lines.append(
                CohortLine(
                    cid, name, point, len(values), round(mean(values), 2) if values else None,
                    counts,  # type: ignore[arg-type]
                )
            )  # fmt: skip
        out[point] = tuple(lines)
    return out
