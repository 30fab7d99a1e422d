"""A prompt in one line of plain text (the question statistics' "Question" column and CSV)."""

from __future__ import annotations

from lms_plugin.domain.content.markdown import first_paragraph_text


def test_the_marks_go_and_the_words_stay_as_a_reader_reads_them():
    prompt = "Which **one** is `x`, per [the profile](https://e.example/p)?\nPick one.\n\nMore."
    assert first_paragraph_text(prompt) == "Which one is x, per the profile? Pick one."


def test_a_blank_to_fill_is_kept():
    # A regex dropping every "_" as an emphasis mark showed "knowledge . (one word)".
    prompt = "ISP work brings together consultation, facilitation and knowledge ______. (one word)"
    assert first_paragraph_text(prompt) == prompt


def test_snake_case_and_an_empty_text():
    assert first_paragraph_text("a snake_case_name here") == "a snake_case_name here"
    assert first_paragraph_text("") == ""
