"""Assessment-quality rules of issue 15 (docs/content-format.md, "Assessment quality"), as plain
functions over the content model. :mod:`.lint` reports what they find at ``file:line``.

Each rule returns findings ``(object, field, message)``; the field names the line to report.
"""

from __future__ import annotations

import re

from lms_plugin.domain.grading import multi_select_fraction, normalise_text, read_number

from .model import Assignment, Catalogue, Item, Module, Program

Finding = tuple[object, str | None, str]

LONGEST_KEY_MAX_SHARE = 0.35  # of a program's single_choice items (item 5)
SELECT_ALL_MAX_FRACTION = 0.5  # ticking every choice must score below this (item 6)
SHORT_TEXT_MIN_CHARS = 3  # an accepted short answer (item 7)
MIN_QUIZ_ITEMS_PER_COMPETENCY = 6  # across the whole catalogue (item 9)
MIN_CRITERIA_PER_COMPETENCY = 1
EXEMPLAR_MAX_WORDS = 80  # "one short exemplar per level" (item 4)
MODULE_MINUTES_TOLERANCE = 30  # module hours vs lessons + quiz + assignment (item 12)
PROGRAM_HOURS_TOLERANCE = 0.01  # program hours vs the sum of its modules
RUBRIC_SCORES = (1, 2, 3, 4)

# Single words a guesser types, or that say nothing on their own: an accepted short answer may
# not be one of them (item 7: "core" for "core components").
_COMMON_WORDS = """
    a an the and or but nor not no yes none all any both each every either neither some
    other others one two three it its this that these those there here is are was be been
    of to in on at by for from with as into about over under than then so if do does did
    i we you he she they them us me my our your their his her who what which when where why how
    core key main basic general good bad best better more most less least many much few
    same different new old big small high low first last next data plan team change people
    group work process model thing things part parts step steps time use used action"""
COMMON_WORDS = frozenset(_COMMON_WORDS.split())
_ASKS_FOR_NUMBER = re.compile(r"how many|\b(?:number|percent|percentage|count)\b|%", re.I)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_ASKS_FOR_WORDS = re.compile(r"\b(one|two|three|four|five|six|[1-9])[ -]words?\b", re.I)


# -- item 5: the key is the strictly longest option -----------------------------------------
def _length(text: str) -> int:
    return len(" ".join(text.split()))


def key_is_longest(item: Item) -> bool:
    """A single_choice item whose key's text is longer than every other choice's."""
    if item.type != "single_choice":
        return False
    key = next((c for c in item.choices if c.id == item.answer_id), None)
    others = [_length(c.text) for c in item.choices if c.id != item.answer_id]
    return key is not None and bool(others) and _length(key.text) > max(others)


def longest_key_share(program: Program) -> list[Finding]:
    """At most 35% of a program's single_choice items may have the key as the longest option;
    above that, a summary at the program and one finding per such item."""
    items = [i for m in program.modules for i in m.items if i.type == "single_choice"]
    longest = [i for i in items if key_is_longest(i)]
    if not items or len(longest) <= LONGEST_KEY_MAX_SHARE * len(items):
        return []
    percent = 100 * len(longest) / len(items)
    share = f"{len(longest)} of {len(items)} single-choice items ({percent:.0f}%)"
    limit = f"at most {LONGEST_KEY_MAX_SHARE:.0%}"
    summary = f"{share} have the key as the strictly longest option ({limit}): " + ", ".join(
        i.id for i in longest
    )
    each = (
        f"the key is the strictly longest option, as in {share} of program {program.slug} ({limit})"
    )
    return [(program, "modules", summary)] + [(i, "answer", each) for i in longest]


# -- item 6: ticking every choice --------------------------------------------------------------
def select_all(item: Item) -> list[Finding]:
    """Ticking every choice of a multi_select item must score below 50% (the grader's rule)."""
    if item.type != "multi_select":
        return []
    fraction = multi_select_fraction(item, {c.id for c in item.choices})
    if fraction < SELECT_ALL_MAX_FRACTION:
        return []
    return [(item, "answer", f"ticking every choice scores {fraction:.0%} (must be under 50%)")]


# -- item 7: accepted short answers ------------------------------------------------------------
def asks_for_number(prompt: str) -> bool:
    return bool(_ASKS_FOR_NUMBER.search(prompt))


def words_asked(prompt: str) -> int:
    """The number of words a prompt asks for ("(two words)"), or 0."""
    found = _ASKS_FOR_WORDS.search(prompt)
    if not found:
        return 0
    word = found.group(1).lower()
    return _WORD_NUMBERS.get(word) or int(word)


def accepted_answer_problem(prompt: str, answer: str) -> str | None:
    """Why ``answer`` may not be accepted for ``prompt`` (docs/content-format.md), or None."""
    text = normalise_text(answer)
    is_number = read_number(text) is not None
    if is_number and not asks_for_number(prompt):
        return f"accepted answer '{answer}' is a number, but the prompt does not ask for one"
    if len(text) < SHORT_TEXT_MIN_CHARS and not is_number:
        return f"accepted answer '{answer}' is shorter than {SHORT_TEXT_MIN_CHARS} characters"
    if " " not in text and text in COMMON_WORDS:
        return f"accepted answer '{answer}' is a single common word: it rewards a guess"
    wanted = words_asked(prompt)
    if len(text.replace("-", " ").split()) < wanted:  # "taking-stock" is two words
        return f"accepted answer '{answer}' has fewer words than the prompt asks for ({wanted})"
    return None


def short_text_answers(item: Item) -> list[Finding]:
    """Each accepted answer (``answer`` and ``accept``) must be a real answer to the prompt."""
    if item.type != "short_text":
        return []
    answers = [("answer", item.text_answer or "")]
    answers += [(f"accept[{i}]", text) for i, text in enumerate(item.accept)]
    out: list[Finding] = []
    for key, text in answers:
        problem = accepted_answer_problem(item.prompt, text) if text else None
        if problem:
            out.append((item, key, problem))
    return out


# -- item 8: the same question asked twice ------------------------------------------------------
def _question(item: Item) -> str:
    """What an item asks: its prompt, and for matching and ordering items (whose prompt is an
    instruction) the prompts to match or the entries to order."""
    parts = [item.prompt]
    if item.type == "matching":
        parts += [option.text for option in item.left]
    elif item.type == "ordering":
        parts += sorted(option.text for option in item.entries)
    return " | ".join(normalise_text(part) for part in parts)


def duplicate_questions(catalogue: Catalogue) -> list[Finding]:
    """No question is asked twice across the catalogue's pools (case, spacing and trailing
    punctuation aside): a learner meeting it again, in another module or level, is tested on
    recall of the earlier item rather than on the new module."""
    first: dict[str, Item] = {}
    out: list[Finding] = []
    for program in catalogue.programs:
        for module in program.modules:
            for item in module.items:
                earlier = first.setdefault(_question(item), item)
                if earlier is not item:
                    out.append((item, "prompt", f"asks the same question as {earlier.id}"))
    return out


# -- item 9: competency coverage ---------------------------------------------------------------
def competency_coverage(catalogue: Catalogue) -> list[Finding]:
    """Each competency (kind ``competency``) is tagged on >= 6 quiz items and >= 1 rubric
    criterion across the whole catalogue."""
    modules = [m for p in catalogue.programs for m in p.modules]
    items = [i for m in modules for i in m.items]
    criteria = [c for m in modules if m.assignment for c in m.assignment.criteria]
    out: list[Finding] = []
    for competency in catalogue.competencies:
        if competency.kind != "competency":
            continue
        n_items = sum(competency.id in i.competencies for i in items)
        n_criteria = sum(competency.id in c.competencies for c in criteria)
        if n_items < MIN_QUIZ_ITEMS_PER_COMPETENCY or n_criteria < MIN_CRITERIA_PER_COMPETENCY:
            out.append(
                (
                    competency,
                    "id",
                    f"{competency.id} is assessed by {n_items} quiz items and {n_criteria} rubric"
                    f" criteria across the levels (needs >= {MIN_QUIZ_ITEMS_PER_COMPETENCY}"
                    f" and >= {MIN_CRITERIA_PER_COMPETENCY})",
                )
            )
    return out


# -- item 1 and item 4: the pass rule's mean, grader support ----------------------------------
def pass_rule_mean(assignment: Assignment) -> list[Finding]:
    mean, level = assignment.min_mean, assignment.min_criterion_level
    if mean is None:
        message = "missing 'pass_rule.min_mean' (this certificate: 3.0)"
        return [(assignment, "pass_rule.min_mean", message)]  # the pass_rule line
    if not 1 <= mean <= 4:
        return [(assignment, "pass_rule.min_mean", "'min_mean' must be 1-4")]
    if 1 <= level <= 4 and mean < level:
        message = f"'min_mean' must be at least 'min_criterion_level' ({level})"
        return [(assignment, "pass_rule.min_mean", message)]
    return []


def grader_support(assignment: Assignment) -> list[Finding]:
    """At least one criterion with scoring notes and exemplars; exemplars for levels 1-4, short."""
    out: list[Finding] = []
    for criterion in assignment.criteria:
        scores = [score for score, _ in criterion.exemplars]
        if criterion.exemplars and sorted(scores) != list(RUBRIC_SCORES):
            out.append((criterion, "exemplars", "'exemplars' must give one for each level 1-4"))
        for score, text in criterion.exemplars:
            if len(text.split()) > EXEMPLAR_MAX_WORDS:
                message = f"the level {score} exemplar is over {EXEMPLAR_MAX_WORDS} words"
                out.append((criterion, f"exemplars[{score}]", message))
    if not any(c.scoring_notes and c.exemplars for c in assignment.criteria):
        message = "give at least one criterion 'scoring_notes' and 'exemplars' (grader support)"
        out.append((assignment, "rubric.criteria", message))
    return out


# -- item 12: time estimates and references ----------------------------------------------------
def module_minutes(module: Module) -> list[Finding]:
    """estimated_hours within 30 minutes of lessons + quiz + assignment minutes."""
    out: list[Finding] = []
    if module.quiz.minutes < 1:
        out.append((module, "quiz", "give 'quiz.minutes' (an integer >= 1: one attempt's time)"))
    assignment = module.assignment
    if assignment is not None and assignment.minutes < 1:
        out.append((assignment, None, "give 'minutes' (an integer >= 1: the time to write it)"))
    if out or module.estimated_hours <= 0:  # a bad estimate is reported already
        return out
    lessons = sum(lesson.minutes for lesson in module.lessons)
    parts = [lessons, module.quiz.minutes, assignment.minutes if assignment else 0]
    total, stated = sum(parts), module.estimated_hours * 60
    if abs(stated - total) > MODULE_MINUTES_TOLERANCE:
        message = (
            f"'estimated_hours' {module.estimated_hours:g} ({stated:g} min) differs from lessons"
            f" {parts[0]} + quiz {parts[1]} + assignment {parts[2]} = {total} min by more than"
            f" {MODULE_MINUTES_TOLERANCE} min"
        )
        out.append((module, "estimated_hours", message))
    return out


def program_hours(program: Program) -> list[Finding]:
    total = sum(m.estimated_hours for m in program.modules)
    if abs(program.estimated_hours - total) <= PROGRAM_HOURS_TOLERANCE:
        return []
    message = (
        f"'estimated_hours' {program.estimated_hours:g} is not the sum of its modules' ({total:g})"
    )
    return [(program, "estimated_hours", message)]


def references(module: Module) -> list[Finding]:
    """At least one reference; years plausible, links https, no reference twice."""
    if not module.references:
        return [(module, "references", "list the module's 'references' (at least one)")]
    out: list[Finding] = []
    seen: set[tuple[str, int, str]] = set()
    for ref in module.references:
        if not 1900 <= ref.year <= 2100:
            out.append((ref, "year", "'year' must be between 1900 and 2100"))
        if ref.url is not None and not ref.url.startswith("https://"):
            out.append((ref, "url", "'url' must start with https://"))
        key = (normalise_text(ref.author), ref.year, normalise_text(ref.title))
        if key in seen:
            out.append((ref, "title", "this reference is listed twice"))
        seen.add(key)
    return out
