"""What a completed level's credential says, from the certificate content (pure rules).

The level's `badge` text (courses/<level>/program.yaml) is the Achievement's name, description and
criteria narrative; the competencies its modules and rubric criteria cite (courses/
competencies.yaml) are its `alignment`s, each pointing at the published framework that defines it;
the capstone's rubric review is its `result`; the modules passed are its `evidence` (OB 3.0
§"Achievement", §"Alignment", §"Result", §"Evidence"). And the rule that gates a level on the
credentials of its prerequisite levels: Level 2 only with a valid, unrevoked Level 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from lms_plugin.domain.content.model import Assignment, Competency, Module, Program
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.credentials import (
    AchievementData,
    Alignment,
    CredentialData,
    Evidence,
    RubricResult,
    hashed_email,
)

NIRN_PROFILE = "https://nirn.fpg.unc.edu/resources/implementation-support-practitioner-profile"
TCI_COMPETENCIES = "https://thecenterforimplementation.com/core-competencies"
# competency kind (courses/competencies.yaml) -> (framework name, the page that defines it)
FRAMEWORKS: dict[str, tuple[str, str]] = {
    "principle": ("NIRN Implementation Support Practitioner Profile: principles", NIRN_PROFILE),
    "competency": ("NIRN Implementation Support Practitioner Profile", NIRN_PROFILE),
    "tci_competency": ("TCI Implementation Support Core Competencies", TCI_COMPETENCIES),
    "tci_function": ("TCI Implementation Support Functions", TCI_COMPETENCIES),
}


def assessed_competencies(program: Program) -> tuple[str, ...]:
    """The competency ids the level's modules and rubric criteria cite, first mention first."""
    seen: dict[str, None] = {}
    for module in program.modules:
        seen.update(dict.fromkeys(module.competencies))
        if module.assignment is not None:
            for criterion in module.assignment.criteria:
                seen.update(dict.fromkeys(criterion.competencies))
    return tuple(seen)


def alignments(program: Program, competencies: Mapping[str, Competency]) -> tuple[Alignment, ...]:
    """An OB 3.0 Alignment per competency the level assesses (ids the catalogue lacks are left
    out: `content lint` refuses them anyway)."""
    found = []
    for competency_id in assessed_competencies(program):
        competency = competencies.get(competency_id)
        if competency is None:
            continue
        framework, url = FRAMEWORKS.get(competency.kind, FRAMEWORKS["competency"])
        found.append(Alignment(competency.name, url, competency.summary, framework, competency.id))
    return tuple(found)


def achievement(
    program: Program, competencies: Mapping[str, Competency], urls: CredentialUrls
) -> AchievementData:
    """The level as an Achievement, with a stable id per level (not per content version)."""
    return AchievementData(
        id=urls.achievement(program.slug),
        name=program.badge.name,
        description=program.badge.description,
        criteria_narrative=program.badge.criteria,
        criteria_url=urls.achievement(program.slug),
        image_url=urls.achievement_image(program.slug),
        image_caption=program.badge.name,
        alignments=alignments(program, competencies),
    )


def capstone(program: Program) -> Module | None:
    """The level's capstone module (its assignment is of kind capstone), if it has one."""
    for module in reversed(program.modules):
        if module.assignment is not None and module.assignment.kind == "capstone":
            return module
    return None


def rubric_results(
    program: Program, assignment: Assignment, scores: Mapping[str, int], urls: CredentialUrls
) -> tuple[RubricResult, ...]:
    """The level reached on each capstone criterion the review scored."""
    ordered = sorted(assignment.levels, key=lambda level: level.score)
    levels = tuple((str(level.score), level.label) for level in ordered)
    known = {level_id for level_id, _ in levels}
    return tuple(
        RubricResult(
            id=f"{urls.achievement(program.slug)}/rubric/{criterion.id}",
            criterion=criterion.title,
            levels=levels,
            achieved=str(scores[criterion.id]),
        )
        for criterion in assignment.criteria
        if str(scores.get(criterion.id)) in known
    )


def evidence(program: Program, passed_on: Mapping[str, datetime]) -> tuple[Evidence, ...]:
    """The level's modules passed, in course order, each with when it was passed."""
    return tuple(
        Evidence(module.title, passed_on[module.slug])
        for module in program.modules
        if module.slug in passed_on
    )


@dataclass(frozen=True)
class LevelFacts:
    """What the database says about one award when it is issued."""

    credential_id: str
    subject_id: str  # opaque URN, one per award
    awarded_at: datetime
    email: str | None
    email_salt: str
    capstone_scores: Mapping[str, int]
    passed_on: Mapping[str, datetime]
    status: dict[str, Any]


def credential_data(
    program: Program,
    facts: LevelFacts,
    issuer: dict[str, Any],
    competencies: Mapping[str, Competency],
    urls: CredentialUrls,
) -> CredentialData:
    """Everything the level's OpenBadgeCredential says (the content sets no expiry: no
    validUntil)."""
    final = capstone(program)
    results: tuple[RubricResult, ...] = ()
    if final is not None and final.assignment is not None and facts.capstone_scores:
        results = rubric_results(program, final.assignment, facts.capstone_scores, urls)
    return CredentialData(
        id=facts.credential_id,
        name=program.badge.name,
        issuer=issuer,
        achievement=achievement(program, competencies, urls),
        subject_id=facts.subject_id,
        valid_from=facts.awarded_at,
        email_identity=hashed_email(facts.email, facts.email_salt) if facts.email else None,
        results=results,
        evidence=evidence(program, facts.passed_on),
        status=facts.status,
    )


Verdict = Literal["issue", "wait", "withhold"]


@dataclass(frozen=True)
class Held:
    """A prerequisite level's award as the gate sees it."""

    status: str  # pending | failed | issued | revoked | withheld
    revoked_reason: str | None = None


@dataclass(frozen=True)
class Gate:
    verdict: Verdict
    reason: str = ""


def prerequisite_gate(
    program: Program, held: Mapping[str, Held], titles: Mapping[str, str]
) -> Gate:
    """Whether a level's credential may be issued now, given its prerequisites' awards: a revoked
    (or withheld) one withholds it, one not issued yet makes it wait."""
    waiting: list[str] = []
    for slug in program.prerequisites:
        title = titles.get(slug, slug)
        award = held.get(slug)
        if award is not None and award.status in {"revoked", "withheld"}:
            why = f": {award.revoked_reason}" if award.revoked_reason else ""
            return Gate("withhold", f"The {title} credential was {award.status}{why}.")
        if award is None or award.status != "issued":
            waiting.append(title)
    if waiting:
        return Gate("wait", "Waiting for the " + ", ".join(waiting) + " credential to be issued.")
    return Gate("issue")
