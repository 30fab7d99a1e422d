"""Issue 15's assessment-quality lint rules (lms_plugin/domain/content/quality.py): each broken
fixture yields exactly the expected ``file:line: message`` lines (the valid tree:
test_content_fixture), and the rules' own edges."""

from __future__ import annotations

import pytest

from lms_plugin.domain.content import cueing, quality
from lms_plugin.domain.content.lint import lint_tree
from lms_plugin.domain.content.model import Option
from lms_plugin.domain.quiz_draw import draw_items
from tests.support.content_keys import catalogue
from tests.support.items import make_item
from tests.unit.domain import test_content_fixture as fixture
from tests.unit.domain.test_content_fixture import write_tree

C = "courses/"
COMP, PROG = "competencies.yaml", "level-1/program.yaml"
MOD, QUIZ = "level-1/m1-a/module.yaml", "level-1/m1-a/quiz.yaml"
ASSIGN = "level-1/m1-a/assignment.yaml"
BOTH_ASSIGN = ("level-1/m1-a/assignment.yaml", "level-2/m1-a/assignment.yaml")


def _pool(level: str, keep: int) -> str:
    """The fixture's pool with CE-1 left on its first ``keep`` items only (each has it)."""
    text, out = fixture.quiz(level), []
    for n, part in enumerate(text.split("  - id: ")):
        tagged = n == 0 or n <= keep
        out.append(part if tagged else part.replace(", CE-1]", "]").replace("[CE-1]", "[P1]"))
    return "  - id: ".join(out)


TWICE = """\
  - author: "nilsen, p."
    year: 2015
    title: "Making sense of implementation theories, models and frameworks."
    where: "Elsewhere"
"""
NOTES = '      scoring_notes: "Read the first paragraph: the **recommendation** must be there."\n'

CASES = [
    # -- item 1: the mean in the pass rule ------------------------------------------------------
    (
        "min-mean-missing",
        [(ASSIGN, "  min_mean: 3.0\n", "")],
        [f"{C}{ASSIGN}:9: missing 'pass_rule.min_mean' (this certificate: 3.0)"],
    ),
    (
        "min-mean-over-4",
        [(ASSIGN, "min_mean: 3.0", "min_mean: 5")],
        [f"{C}{ASSIGN}:11: 'min_mean' must be 1-4"],
    ),
    (
        "min-mean-under-the-level",
        [(ASSIGN, "min_mean: 3.0", "min_mean: 2.5")],
        [f"{C}{ASSIGN}:11: 'min_mean' must be at least 'min_criterion_level' (3)"],
    ),
    (
        "min-mean-not-a-number",
        [(ASSIGN, "min_mean: 3.0", "min_mean: high")],
        [f"{C}{ASSIGN}:11: 'pass_rule.min_mean' must be a number"],
    ),
    # -- item 4: grader support ---------------------------------------------------------------
    (
        "no-scoring-notes",
        [(ASSIGN, NOTES, "")],
        [
            f"{C}{ASSIGN}:18: give at least one criterion 'scoring_notes' and 'exemplars'"
            " (grader support)"
        ],
    ),
    (
        "exemplar-level-missing",
        [(ASSIGN, '        1: "We should do something about it."\n', "")],
        [f"{C}{ASSIGN}:28: 'exemplars' must give one for each level 1-4"],
    ),
    (
        "exemplar-too-long",
        [(ASSIGN, "We recommend EPIS.", "word " * 81)],
        [f"{C}{ASSIGN}:30: the level 2 exemplar is over 80 words"],
    ),
    (
        "scoring-notes-html",
        [(ASSIGN, "the **recommendation**", "the <b>recommendation</b>")],
        [f"{C}{ASSIGN}:27: raw HTML is not allowed: <b>"],
    ),
    # -- item 12: time estimates and references -------------------------------------------------
    (
        "quiz-minutes-missing",
        [(MOD, "  minutes: 30\n", "")],
        [f"{C}{MOD}:18: give 'quiz.minutes' (an integer >= 1: one attempt's time)"],
    ),
    (
        "assignment-minutes-missing",
        [(ASSIGN, "minutes: 190\n", "")],
        [f"{C}{ASSIGN}:1: give 'minutes' (an integer >= 1: the time to write it)"],
    ),
    (
        "module-hours-disagree",
        [(ASSIGN, "minutes: 190", "minutes: 100")],
        [
            f"{C}{MOD}:5: 'estimated_hours' 4 (240 min) differs from lessons 20 + quiz 30 +"
            " assignment 100 = 150 min by more than 30 min"
        ],
    ),
    ("module-hours-within-30-minutes", [(ASSIGN, "minutes: 190", "minutes: 160")], []),
    (
        "program-hours-disagree",
        [(PROG, "estimated_hours: 4", "estimated_hours: 5")],
        [f"{C}{PROG}:6: 'estimated_hours' 5 is not the sum of its modules' (4)"],
    ),
    (
        "references-missing",
        [(MOD, "references:\n  - author", "xreferences:\n  - author")],
        [
            f"{C}{MOD}:1: list the module's 'references' (at least one)",
            f"{C}{MOD}:30: unknown field 'xreferences' (did you mean 'references'?)",
        ],
    ),
    (
        "reference-year-and-link",
        [(MOD, "year: 2015", "year: 15"), (MOD, "https://doi", "http://doi")],
        [
            f"{C}{MOD}:32: 'year' must be between 1900 and 2100",
            f"{C}{MOD}:35: 'url' must start with https://",
        ],
    ),
    (
        "reference-twice",
        [(MOD, '    url: "https://doi.org/10.1186/s13012-015-0242-0"\n', TWICE)],
        [f"{C}{MOD}:37: this reference is listed twice"],
    ),
    (
        "reference-field-missing",
        [(MOD, '    where: "Implementation Science 10, 53"\n', "")],
        [f"{C}{MOD}:31: missing field 'where'"],
    ),
    # -- item 5: the key as the strictly longest option -----------------------------------------
    (
        "longest-key-over-35-percent",
        [(QUIZ, '      - {id: b, text: "B"}', '      - {id: b, text: "Bee"}')],
        [
            f"{C}{PROG}:8: 1 of 1 single-choice items (100%) have the key as the strictly longest"
            " option (at most 35%): l1m1-q01",
            f"{C}{QUIZ}:11: the key is the strictly longest option, as in 1 of 1 single-choice"
            " items (100%) of program isp-level-1 (at most 35%)",
        ],
    ),
    (
        "longest-key-tied-is-not-longest",
        [
            (QUIZ, '      - {id: a, text: "A"}', '      - {id: a, text: "Aaa"}'),
            (QUIZ, '      - {id: b, text: "B"}', '      - {id: b, text: "Bee"}'),
        ],
        [],
    ),
    # -- item 7: accepted short answers -----------------------------------------------------------
    (
        "short-answers-that-reward-guesses",
        [(QUIZ, "accept: [opportunities]", 'accept: [opportunities, o, "14", core, p2]')],
        [
            f"{C}{QUIZ}:53: accepted answer '14' is a number, but the prompt does not ask for one",
            f"{C}{QUIZ}:53: accepted answer 'core' is a single common word: it rewards a guess",
            f"{C}{QUIZ}:53: accepted answer 'o' is shorter than 3 characters",
            f"{C}{QUIZ}:53: accepted answer 'p2' is shorter than 3 characters",
        ],
    ),
    (
        "short-answer-fewer-words-than-asked",
        [
            (QUIZ, '"One word?"', '"Which two words? (two words)"'),
            (QUIZ, "answer: opportunity", "answer: physical opportunity"),
            (
                QUIZ,
                "accept: [opportunities]",
                "accept:\n      - physical-opportunity\n      - opportunity",
            ),
        ],
        [
            f"{C}{QUIZ}:55: accepted answer 'opportunity' has fewer words than the prompt asks"
            " for (2)"
        ],
    ),
    (
        "short-answer-number-when-asked",
        [
            (QUIZ, '"One word?"', '"How many domains does the TDF have?"'),
            (QUIZ, "answer: opportunity", 'answer: "14"'),
            (QUIZ, "accept: [opportunities]", "accept: [fourteen]"),
        ],
        [],
    ),
    # -- item 8: a question asked twice across the pools --------------------------------------
    (
        "question-asked-again-in-level-2",
        [("level-2/m1-a/quiz.yaml", '"Level 2: Pick one."', '"pick   ONE"')],
        [f"{C}level-2/m1-a/quiz.yaml:6: asks the same question as l1m1-q01"],
    ),
    (
        "same-instruction-other-prompts-to-match",
        [
            ("level-2/m1-a/quiz.yaml", '"Level 2: Match them."', '"Match them."'),
            (
                "level-2/m1-a/quiz.yaml",
                'text: "One"}, {id: l2, text: "Two"}',
                'text: "Uno"}, {id: l2, text: "Dos"}',
            ),
        ],
        [],
    ),
    (
        "same-instruction-same-prompts-to-match",
        [("level-2/m1-a/quiz.yaml", '"Level 2: Match them."', '"Match them."')],
        [f"{C}level-2/m1-a/quiz.yaml:33: asks the same question as l1m1-q04"],
    ),
    # -- item 9: competency coverage across both levels ----------------------------------------
    (
        "competency-without-rubric-criterion",
        [(name, "competencies: [P1, CE-1]", "competencies: [P1]") for name in BOTH_ASSIGN],
        [
            f"{C}{COMP}:5: CE-1 is assessed by 12 quiz items and 0 rubric criteria across the"
            " levels (needs >= 6 and >= 1)"
        ],
    ),
    # -- item 13: a type-in answer that another item of the pool shows ----------------------
    (
        "short-answer-shown-by-another-item",
        [
            (
                QUIZ,
                '{id: c, text: "C"}\n    answer: b',
                '{id: c, text: "Opportunities"}\n    answer: b',
            )
        ],
        [
            f"{C}{QUIZ}:52: its answer 'opportunities' shows in l1m1-q01 of the same pool: name"
            " l1m1-q01 in 'not_with' (or reword one of them) so that no attempt draws both"
        ],
    ),
    (
        "number-shown-by-another-item",
        [(QUIZ, '"Order them."', '"Order them: 75 steps."'), (QUIZ, '"Order them: 75', '"75')],
        [
            f"{C}{QUIZ}:43: its answer '75' shows in l1m1-q03 of the same pool: name"
            " l1m1-q03 in 'not_with' (or reword one of them) so that no attempt draws both"
        ],
    ),
    (
        "a-number-inside-another-is-not-shown",
        [(QUIZ, '"Order them."', '"Order them: 7.5, 175, 75.5 or 750."')],
        [],
    ),
    (
        "shown-but-kept-apart-by-either-side",
        [
            (
                QUIZ,
                '{id: c, text: "C"}\n    answer: b',
                '{id: c, text: "Opportunities"}\n    answer: b',
            ),
            (QUIZ, '"Order them."', '"Order them: 75 steps."'),
            (
                QUIZ,
                '    objectives: [o1]\n    prompt: "Pick one."',
                '    objectives: [o1]\n    not_with: [l1m1-q06]\n    prompt: "Pick one."',
            ),
            (
                QUIZ,
                '    objectives: [o2]\n    prompt: "18 of 24',
                '    objectives: [o2]\n    not_with: [l1m1-q03]\n    prompt: "18 of 24',
            ),
        ],
        [],
    ),
    (
        "not-with-an-item-outside-the-pool",
        [
            (
                QUIZ,
                '    objectives: [o2]\n    prompt: "One word?"',
                '    objectives: [o2]\n    not_with: [l1m1-q06, l1m1-q99]\n    prompt: "One word?"',
            )
        ],
        [
            f"{C}{QUIZ}:51: unknown other item of this pool 'l1m1-q06'",
            f"{C}{QUIZ}:51: unknown other item of this pool 'l1m1-q99'",
        ],
    ),
    (
        "competency-with-5-quiz-items",
        [
            ("level-1/m1-a/quiz.yaml", "", _pool("1", keep=5)),
            ("level-2/m1-a/quiz.yaml", "", _pool("2", keep=0)),
        ],
        [
            f"{C}{COMP}:5: CE-1 is assessed by 5 quiz items and 2 rubric criteria across the"
            " levels (needs >= 6 and >= 1)"
        ],
    ),
    (
        "competency-with-6-quiz-items-across-the-levels",
        [
            ("level-1/m1-a/quiz.yaml", "", _pool("1", keep=4)),
            ("level-2/m1-a/quiz.yaml", "", _pool("2", keep=2)),
        ],
        [],
    ),
]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_quality_rule(tmp_path, edits, expected):
    problems = lint_tree(write_tree(tmp_path, edits))
    assert sorted(str(p) for p in problems) == sorted(expected)


def test_select_all_rule_reports_an_item_the_grader_scores_half_or_more(monkeypatch):
    """The rule asks the grader: under the old (right - wrong) / keys scoring, 3 keys and 1
    distractor scored 2/3 for ticking everything; the balanced rule scores it 0."""
    item = make_item("multi_select", answer_ids=("a", "b", "c"))
    assert quality.select_all(item) == []

    def old_rule(item, ticked):
        keys = set(item.answer_ids)
        return max(0.0, (len(ticked & keys) - len(ticked - keys)) / len(keys))

    monkeypatch.setattr(quality, "multi_select_fraction", old_rule)
    assert quality.select_all(item) == [
        (item, "answer", "ticking every choice scores 67% (must be under 50%)")
    ]


@pytest.mark.parametrize(
    "prompt, answer, problem",
    [
        ("Which principle? Type its name.", "be curious", None),
        ("Which principle? Type its name.", "curious", None),
        ("Which principle? Type its name.", "P2", "shorter than 3 characters"),
        ("Which COM-B component? (one word)", "o", "shorter than 3 characters"),
        ("Which COM-B component? (one word)", "physical opportunity", None),
        ("What are they called? (two words)", "core", "single common word"),
        ("What are they called? (two words)", "components", "fewer words than the prompt"),
        ("What are they called? (two words)", "core-components", None),
        ("Name the step. (2 words)", "taking stock.", None),
        ("How many TDF domains are there?", "14", None),
        ("What percent reached the program?", "75", None),
        ("Which NPT construct?", "14", "is a number"),
        ("Which NPT construct?", "the", "single common word"),
        ("Which NPT construct?", " I. ", "shorter than 3 characters"),
        ("Which NPT construct?", "None", "single common word"),
    ],
)
def test_accepted_short_answer_rule(prompt, answer, problem):
    found = quality.accepted_answer_problem(prompt, answer)
    assert (found is None) if problem is None else (problem in (found or ""))


def test_key_is_longest_counts_characters_with_spaces_collapsed():
    def item(*texts: str):
        choices = tuple(Option(id=str(n), text=t) for n, t in enumerate(texts))
        return make_item("single_choice", choices=choices, answer_id="0")

    assert quality.key_is_longest(item("four", "one", "two"))
    assert not quality.key_is_longest(item("four", "five", "six"))  # a tie is not longest
    assert not quality.key_is_longest(item("a  b", "abc"))  # "a b" is 3 characters
    assert not quality.key_is_longest(make_item("multi_select"))


def test_no_attempt_at_the_certificates_quizzes_shows_a_typed_answer_in_another_question():
    """Rule 13 on the real pools, through the draw itself: a type-in item is never drawn with
    an item whose prompt or options show its answer (``not_with`` keeps them apart)."""
    met = []
    for program in catalogue().programs:
        for mod in program.modules:
            for seed in range(200):
                drawn = [mod.item(i) for i in draw_items(mod.items, mod.quiz, seed)]
                met += [
                    (item.id, other.id)
                    for item in drawn
                    if item is not None and item.type in cueing.TYPE_IN
                    for other in drawn
                    if other is not None
                    and other is not item
                    and any(cueing.shows(cueing.shown_text(other), a) for a in cueing.answers(item))
                ]
    assert not met, sorted(set(met))
