"""The JSON shapes of /api/v1 as pydantic models: request bodies (validated in the routes) and
responses (what web/serialize.py builds). /api/v1/openapi.json is generated from these models,
so the document and the validation cannot drift apart; the responses are held to them by the
schemathesis test (tests/integration/test_api_schema.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from lms_plugin.domain.practice_log import EntryState, FailureState
from lms_plugin.services.assignments import MAX_TEXT_CHARS

# --- request bodies ----------------------------------------------------------------------

# One item's answer; its shape per item type is checked by the grading rules (400 naming the
# item): a choice id, a list of choice or entry ids, {left id: right id}, a number or text.
Answer = StrictStr | StrictInt | StrictFloat | list[StrictStr] | dict[str, StrictStr] | None


class Body(BaseModel):
    """A request body; ``error_code`` is the error a body that does not fit it gets (400)."""

    model_config = ConfigDict(extra="ignore")
    error_code: ClassVar[str] = "invalid_body"


class AnswersIn(Body):
    """The answers of a quiz attempt, by item id."""

    error_code: ClassVar[str] = "invalid_answers"
    answers: dict[str, Answer] = Field(
        description="item id -> answer: a choice id (single_choice), a list of choice ids "
        "(multi_select) or of entry ids in order (ordering), {left id: right id} (matching), "
        "a number or numeric text with an optional unit (numeric), text (short_text); "
        "null or a missing item is unanswered."
    )


class TextIn(Body):
    """An assignment text (Markdown), kept exactly as typed."""

    error_code: ClassVar[str] = "invalid_text"
    # Checked by the service, not here: over the limit is a 413 that says the draft is kept.
    text: str = Field(json_schema_extra={"maxLength": MAX_TEXT_CHARS})


class PreviewIn(Body):
    """Markdown to render as the learner will see it."""

    error_code: ClassVar[str] = "invalid_text"
    text: str = Field("", max_length=MAX_TEXT_CHARS)


# --- responses ---------------------------------------------------------------------------


class Out(BaseModel):
    """A response shape (documented; the serializers build plain dicts of this shape)."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Out):
    field: str = Field(description="where in the body, e.g. answers.q1")
    message: str


class ErrorOut(Out):
    """Every 4xx: a stable code, a sentence for the person, and what helps further."""

    model_config = ConfigDict(extra="allow")  # other error kinds may add their own details
    error: str = Field(description="a stable code, e.g. invalid_answer, locked, not_found")
    message: str = Field(description="what happened, in plain words")
    what_to_do: str = Field(description="what the person can do next")
    reference: str = Field(description="this error's id, logged with it, e.g. K7Q2-9XDM")
    hint: str | None = None
    detail: str | None = None
    missing: list[str] | None = Field(None, description="what keeps locked content locked")
    fields: list[FieldError] | None = Field(None, description="body fields that do not fit")


class UserOut(Out):
    id: int
    sub: str
    name: str | None
    email: str | None


class PlatformOut(Out):
    name: str
    issuer: str
    client_id: str
    product: str


class ContextOut(Out):
    id: int
    context_id: str | None
    title: str | None
    label: str | None


class ResourceLinkOut(Out):
    id: int
    resource_link_id: str | None
    title: str | None
    module_slug: str | None


class MeOut(Out):
    """The launched user, roles, course and link, as the launch told them."""

    user: UserOut
    access: str = Field(description="learner, instructor or admin")
    roles: list[str]
    context_roles: list[str]
    platform: PlatformOut
    deployment_id: str
    context: ContextOut | None
    resource_link: ResourceLinkOut | None


class LogOut(Out):
    """The module's practice log as completion reads it (domain/practice_log.py)."""

    entry: EntryState = Field(description="exempt: the module was complete before the log existed")
    words: int
    failure: FailureState | None = Field(
        description="the learning-from-failure entry; null where the module does not ask for it"
    )


class ModuleStatusOut(Out):
    complete: bool
    quiz_passed: bool
    assignment_passed: bool
    lessons_done: int
    lessons_total: int
    missing: list[str]
    quiz_grading: bool = Field(description="an attempt is submitted and being graded")
    assignment_state: Literal["none", "waiting", "revise", "passed", "failed"] = Field(
        description="none: nothing submitted; waiting: for review; revise: resubmission asked"
    )
    log: LogOut | None = Field(description="the practice log, which completion asks for")
    rule_met: bool = Field(
        description="the quiz and the assignment are done: only the practice log may be missing"
    )


class ProgramStatusOut(Out):
    complete: bool
    locked: bool
    missing_prerequisites: list[str]
    modules_complete: int
    modules_total: int
    percent: float
    missing: list[str]


class ModuleRefOut(Out):
    slug: str
    title: str
    complete: bool


class ProgramOut(Out):
    slug: str
    level: int
    title: str
    summary: str
    prerequisites: list[str]
    status: ProgramStatusOut
    modules: list[ModuleRefOut]


class ProgramsOut(Out):
    programs: list[ProgramOut]


class ProgressOut(Out):
    programs: dict[str, ProgramStatusOut]
    modules: dict[str, ModuleStatusOut]


class ObjectiveOut(Out):
    id: str
    text: str


class LessonRefOut(Out):
    slug: str
    title: str
    minutes: int


class QuizRulesOut(Out):
    draw: int
    pass_percent: float
    max_attempts: int
    cooldown_hours_after: int
    cooldown_hours: float
    show_correct_answers: Literal["after_pass_or_last_attempt", "after_each_attempt", "never"] = (
        Field(description="when a graded attempt shows the correct answers")
    )
    minutes: int = Field(description="the time one attempt takes, in minutes")


class CriterionOut(Out):
    id: str
    title: str
    descriptors: dict[str, str] = Field(description="rubric level (1-4) -> descriptor")


class AssignmentOut(Out):
    id: str
    kind: Literal["assignment", "capstone"]
    title: str
    prompt: str
    word_limit: int
    max_resubmissions: int
    criteria: list[CriterionOut]


class ModuleOut(Out):
    slug: str
    version: int
    title: str
    summary: str
    estimated_hours: float
    prerequisites: list[str]
    objectives: list[ObjectiveOut]
    lessons: list[LessonRefOut]
    quiz: QuizRulesOut
    assignment: AssignmentOut | None


class OptionOut(Out):
    id: str
    text: str


class ItemOut(Out):
    """An item as the learner sees it: options in this attempt's order, never the key."""

    id: str
    type: Literal["single_choice", "multi_select", "ordering", "matching", "numeric", "short_text"]
    prompt: str
    points: float
    choices: list[OptionOut] | None = None
    entries: list[OptionOut] | None = None
    left: list[OptionOut] | None = None
    right: list[OptionOut] | None = None
    unit: str | None = None


class ItemResultOut(Out):
    item_id: str
    points_awarded: float
    points_possible: float
    correct: bool


class ItemFeedbackOut(Out):
    """One item of a graded attempt, as the learner reads it."""

    item_id: str
    number: int
    verdict: Literal["correct", "partly", "incorrect", "unanswered"]
    your_answer: list[str] = Field(description="the learner's answer in words; empty: none")
    correct_answer: list[str] | None = Field(
        description="the key in words; null when the module's settings do not show it yet"
    )
    explanation: str | None = Field(
        description="why the key is right (Markdown); null while it would give away a key "
        "that is not shown yet (the answer was not right)"
    )
    checks: list[str] = Field(description="the module objectives the item checks, in words")
    points_awarded: float
    points_possible: float


class AttemptOut(Out):
    """A quiz attempt; score fields appear once it is graded, feedback on GET."""

    id: int
    module: str
    number: int
    status: Literal["open", "submitted", "graded"]
    items: list[ItemOut]
    submitted_at: datetime | None
    score: float | None = None
    max_score: float | None = None
    percent: float | None = None
    results: list[ItemResultOut] | None = None
    feedback: list[ItemFeedbackOut] | None = None
    correct_answers_shown: bool | None = Field(
        None, description="quiz.show_correct_answers: whether the key is shown now"
    )
    attempts_left: int | None = None
    next_attempt_at: datetime | None = Field(None, description="when a cooldown ends, if one holds")


class DraftOut(Out):
    module: str
    text: str
    saved_at: datetime


class SubmissionOut(Out):
    id: int
    module: str
    round: int
    status: Literal["submitted", "revise", "passed", "failed"]
    word_count: int
    submitted_at: datetime


class AssignmentStateOut(Out):
    draft: DraftOut | None
    submissions: list[SubmissionOut]


class PreviewOut(Out):
    html: str = Field(description="sanitised HTML")


def json_schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with references into the OpenAPI document's components."""
    return model.model_json_schema(ref_template="#/components/schemas/{model}")
