"""Register the practice LMS with the tool and seed its course, through the tool's services.

What an admin does once (``platform add``, ``deployments activate``) and what learners and the
instructor would have done by now (launches, lessons read, quiz attempts graded by the grading
drain, assignments submitted and reviewed, Level 1's credential issued by the badges drain):
the same service calls the web and the worker make, so every row is one the tool itself writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.demo import course, sample_log
from lms_plugin.demo.claims import launch_claims
from lms_plugin.demo.config import PracticeConfig
from lms_plugin.demo.sample_work import submission_text
from lms_plugin.domain.content.model import Item, Module
from lms_plugin.domain.launch import RESOURCE_LINK, check_message
from lms_plugin.lti.tenants import DeploymentInfo, TenantDirectory
from lms_plugin.services import assignments, awards, grades, learning, practice_log, reviews
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.services.issuer_keys import Issuer
from lms_plugin.services.launches import LaunchRecord, record_launch
from lms_plugin.services.platforms import PlatformSpec, activate_deployment, add_platform
from lms_plugin.services.practice_log_facts import log_spec
from lms_plugin.services.progress import Learner

LEVEL_1 = "isp-level-1"


def register(session: Session, tenants: TenantDirectory, config: PracticeConfig) -> DeploymentInfo:
    """The practice LMS as a platform with its deployment trusted, as an admin would add it."""
    add_platform(
        session,
        tenants,
        PlatformSpec(
            name=course.PLATFORM_NAME,
            issuer=config.issuer,
            client_id=config.client_id,
            auth_login_url=config.auth_url,
            auth_token_url=config.token_url,
            jwks_url=config.jwks_url,
        ),
    )
    deployment = activate_deployment(
        session, tenants, config.issuer, config.client_id, course.DEPLOYMENT_ID
    )
    return DeploymentInfo.of(deployment)


def launch(
    session: Session, config: PracticeConfig, deployment: DeploymentInfo, person: course.Person
) -> LaunchRecord:
    """What a launch of ``person`` records: the claims the practice LMS signs, checked by the
    launch's own claim rules (their signature is what the browser launch adds)."""
    claims = launch_claims(config, person, nonce="seed", now=int(time.time()))
    context = check_message(
        claims,
        client_id=config.client_id,
        allowed_message_types=frozenset({RESOURCE_LINK}),
        tool_url=config.tool_url,
    )
    return record_launch(session, deployment, context, require_https=False)


@dataclass
class Seeder:
    """One learner's work at a time, as the player, the grading drain and a reviewer do it."""

    session: Session
    content: CurrentContent
    reviewer_id: int

    def level_1(self) -> tuple[Module, ...]:
        program = next(p for p in self.content.programs if p.slug == LEVEL_1)
        return program.modules

    def pass_module(self, learner: Learner, module: Module) -> None:
        self.read(learner, module, len(module.lessons))
        self.quiz(learner, module)
        if module.assignment is not None:
            self.review(self.submit(learner, module))
        entry = sample_log.log_entry(log_spec(), module)  # the practice log completes it
        practice_log.save_entry(self.session, self.content, learner, module.slug, entry)

    def read(self, learner: Learner, module: Module, lessons: int) -> None:
        for lesson in module.lessons[:lessons]:
            learning.view_lesson(self.session, self.content, learner, module.slug, lesson.slug)

    def quiz(self, learner: Learner, module: Module, share: float = 1.0) -> None:
        """An attempt answering this ``share`` of the items drawn right and leaving the rest
        blank; then the grading drain, as the worker runs it."""
        attempt = learning.start_attempt(self.session, self.content, learner, module.slug)
        drawn = [item for i in attempt.item_ids if (item := module.item(i)) is not None]
        answered = drawn[: round(len(drawn) * share)]
        answers = {item.id: right_answer(item) for item in answered}
        learning.submit_attempt(self.session, learner, attempt.id, answers)
        while grades.grade_submitted(self.session).attempts:
            pass

    def submit(self, learner: Learner, module: Module) -> AssignmentSubmission:
        assert module.assignment is not None
        text = submission_text(module.assignment)
        return assignments.submit_assignment(self.session, self.content, learner, module.slug, text)

    def review(self, submission: AssignmentSubmission) -> None:
        """The instructor passes the round on the rubric; the review is folded into the grade."""
        module = self.content.find(submission.module_slug)[1]
        assert module.assignment is not None
        top = max(level.score for level in module.assignment.levels)
        scores = {c.id: top - (i % 2) for i, c in enumerate(module.assignment.criteria)}
        review = reviews.record_review(
            self.session,
            context_id=submission.context_id,
            reviewer_id=self.reviewer_id,
            submission_id=submission.id,
            scores=scores,
            feedback="Clear and well evidenced; see the rubric for where it could go further.",
            decision="pass",
        )
        reviews.finalize_review(self.session, review.id)


def _not_started(seeder: Seeder, learner: Learner) -> None:
    """Launched once, nothing more."""


def _mid_level_1(seeder: Seeder, learner: Learner) -> None:
    first, second, third = seeder.level_1()[:3]
    seeder.pass_module(learner, first)
    seeder.pass_module(learner, second)
    seeder.read(learner, third, 1)
    seeder.quiz(learner, third, share=0.5)  # below the pass mark, twice: at risk
    seeder.quiz(learner, third, share=0.6)


def _waiting_review(seeder: Seeder, learner: Learner) -> None:
    first = seeder.level_1()[0]
    seeder.read(learner, first, len(first.lessons))
    seeder.quiz(learner, first)
    seeder.submit(learner, first)


def _level_1_complete(seeder: Seeder, learner: Learner) -> None:
    for module in seeder.level_1():
        seeder.pass_module(learner, module)


STAGES: dict[str, Callable[[Seeder, Learner], None]] = {
    "not_started": _not_started,
    "mid_level_1": _mid_level_1,
    "waiting_review": _waiting_review,
    "level_1_complete": _level_1_complete,
}


def seed_course(
    session: Session, config: PracticeConfig, deployment: DeploymentInfo, issuer: Issuer
) -> list[course.Person]:
    """Launch the instructor and the seeded learners, give each their stage's work, and issue
    the credentials it earned; returns who was seeded."""
    records = {
        p.sub: launch(session, config, deployment, p)
        for p in course.PEOPLE
        if p.is_instructor or p.stage in STAGES
    }
    seeder = Seeder(session, current_content(session), records[course.instructor().sub].user_id)
    seeded = []
    for person in course.PEOPLE:
        if person.stage in STAGES:
            record = records[person.sub]
            assert record.context_id is not None
            STAGES[person.stage](seeder, Learner(record.context_id, record.user_id))
            seeded.append(person)
    while awards.issue_due(session, issuer):  # the badges drain, as the worker runs it
        pass
    return seeded


def right_answer(item: Item) -> Any:
    """The response that scores full marks on ``item`` (its key, in the player's shape)."""
    match item.type:
        case "single_choice":
            return item.answer_id
        case "multi_select" | "ordering":
            return list(item.answer_ids)
        case "matching":
            return dict(item.pairs)
        case "numeric":
            return f"{item.number:g}"
        case _:
            return item.text_answer
