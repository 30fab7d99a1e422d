"""JSON views of content for the API: what a learner may see (never answer keys)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, QuizAttempt
from lms_plugin.domain import quiz_draw
from lms_plugin.domain.content.model import Item, Module, Program
from lms_plugin.domain.quiz_feedback import ItemFeedback
from lms_plugin.services.progress import Progress


def program_json(program: Program, progress: Progress) -> dict[str, Any]:
    status = progress.programs[program.slug]
    return {
        "slug": program.slug,
        "level": program.level,
        "title": program.title,
        "summary": program.summary,
        "prerequisites": list(program.prerequisites),
        "status": asdict(status),
        "modules": [
            {"slug": m.slug, "title": m.title, "complete": progress.modules[m.slug].complete}
            for m in program.modules
        ],
    }


def module_json(module: Module) -> dict[str, Any]:
    assignment = module.assignment
    return {
        "slug": module.slug,
        "version": module.version,
        "title": module.title,
        "summary": module.summary,
        "estimated_hours": module.estimated_hours,
        "prerequisites": list(module.prerequisites),
        "objectives": [asdict(o) for o in module.objectives],
        "lessons": [
            {"slug": lesson.slug, "title": lesson.title, "minutes": lesson.minutes}
            for lesson in module.lessons
        ],
        "quiz": asdict(module.quiz),
        "assignment": None
        if assignment is None
        else {
            "id": assignment.id,
            "kind": assignment.kind,
            "title": assignment.title,
            "prompt": assignment.prompt,
            "word_limit": assignment.word_limit,
            "max_resubmissions": assignment.max_resubmissions,
            "criteria": [
                {"id": c.id, "title": c.title, "descriptors": dict(c.descriptors)}
                for c in assignment.criteria
            ],
        },
    }


def item_json(item: Item, order: list[str]) -> dict[str, Any]:
    """An item as the learner sees it: prompt and options in display order, no key."""

    def pick(options: tuple[Any, ...]) -> list[dict[str, str]]:
        by_id = {o.id: o for o in options}
        ids = [i for i in order if i in by_id] or list(by_id)
        return [{"id": i, "text": by_id[i].text} for i in ids]

    data: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "prompt": item.prompt,
        "points": item.points,
    }
    if item.type in ("single_choice", "multi_select"):
        data["choices"] = pick(item.choices)
    elif item.type == "ordering":
        data["entries"] = pick(item.entries)
    elif item.type == "matching":
        data["left"] = [{"id": o.id, "text": o.text} for o in item.left]
        data["right"] = pick(item.right)
    elif item.type == "numeric" and item.unit:
        data["unit"] = item.unit
    return data


def display_orders(attempt: QuizAttempt, module: Module) -> dict[str, list[str]]:
    """Each drawn item's option order for this attempt (stable: seeded by the attempt)."""
    return {
        item_id: quiz_draw.shuffled_options(item, attempt.seed)
        for item_id in attempt.item_ids
        if (item := module.item(item_id)) is not None
    }


def attempt_json(
    attempt: QuizAttempt,
    module: Module,
    orders: dict[str, list[str]],
    graded: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The attempt; once graded, with ``graded`` (web.player_context.attempt_context): the
    feedback per item (the key only where the module's settings allow), attempts left, and
    when the next attempt opens."""
    items = [module.item(i) for i in attempt.item_ids]
    data: dict[str, Any] = {
        "id": attempt.id,
        "module": attempt.module_slug,
        "number": attempt.number,
        "status": attempt.status,
        "items": [item_json(i, orders[i.id]) for i in items if i],
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
    }
    if attempt.status == "graded":
        data.update(
            score=attempt.score,
            max_score=attempt.max_score,
            percent=attempt.percent,
            results=attempt.results,
        )
    if attempt.status == "graded" and graded is not None:
        opens = graded["opens_at"]
        data.update(
            feedback=[feedback_json(f) for f in graded["feedback"]],
            correct_answers_shown=graded["reveal"],
            attempts_left=graded["attempts_left"],
            next_attempt_at=opens.isoformat() if opens else None,
        )
    return data


def feedback_json(feedback: ItemFeedback) -> dict[str, Any]:
    return {
        "item_id": feedback.item.id,
        "number": feedback.number,
        "verdict": feedback.verdict,
        "your_answer": list(feedback.your_answer),
        "correct_answer": None
        if feedback.correct_answer is None
        else list(feedback.correct_answer),
        "explanation": feedback.explanation,
        "checks": list(feedback.checks),
        "points_awarded": feedback.points_awarded,
        "points_possible": feedback.points_possible,
    }


def draft_json(draft: AssignmentDraft) -> dict[str, Any]:
    return {"module": draft.module_slug, "text": draft.text, "saved_at": draft.saved_at.isoformat()}


def submission_json(submission: AssignmentSubmission) -> dict[str, Any]:
    return {
        "id": submission.id,
        "module": submission.module_slug,
        "round": submission.round,
        "status": submission.status,
        "word_count": submission.word_count,
        "submitted_at": submission.submitted_at.isoformat(),
    }
