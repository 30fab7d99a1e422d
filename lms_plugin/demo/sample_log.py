"""A seeded learner's practice log entry: four short paragraphs about the module, over the
log's word minimum (courses/practice-log.yaml), as a learner would write them."""

from __future__ import annotations

from lms_plugin.domain.content.model import Module
from lms_plugin.domain.practice_log import LogSpec

_PARAGRAPHS = {
    "did": (
        "I worked through the lessons of “{title}” and applied them to my anchor project: I "
        "drafted the module's assignment, talked it through with two colleagues who deliver "
        "the program, and compared my first plan with what the lessons suggest.\n\n"
        "I also went back over the module's quiz feedback and marked the two ideas I had got "
        "wrong, so that I could look for them in my own setting this time."
    ),
    "happened": (
        "The conversations showed that my first draft assumed more time and support than the "
        "front-line team has. One colleague questioned a step I thought was obvious, and the "
        "data I had at hand did not answer the question I was asking, so I revised the draft.\n\n"
        "The second version was shorter and named who does each step; the team found it "
        "easier to discuss, and one of them offered to try it first."
    ),
    "learned": (
        "I learned to check my assumptions with the people who will do the work before I "
        "settle on a plan, and to say which framework I am using and why. I also noticed that "
        "I move to solutions quickly; slowing down made the plan fit the setting better.\n\n"
        "Writing the plan down in plain words, without the jargon of the lessons, showed me "
        "which parts I had not yet understood myself."
    ),
    "next": (
        "Next I will bring the revised draft to the team meeting, ask what would make it "
        "easier to use, and note what changes. I will keep a short record of each "
        "conversation so that my next entry can compare what I expected with what happened.\n\n"
        "I will also ask my supervisor for twenty minutes to go through the entry together "
        "and agree on one thing to try before the next module."
    ),
}


def log_entry(spec: LogSpec, module: Module) -> dict[str, str]:
    """Every section of the entry written (repeated only if the log ever asks for more words
    than these paragraphs hold)."""
    text = {s.id: _PARAGRAPHS.get(s.id, _PARAGRAPHS["did"]).format(title=module.title)
            for s in spec.sections}  # fmt: skip
    while sum(len(t.split()) for t in text.values()) < spec.min_words:
        text = {sid: f"{t}\n\n{t}" for sid, t in text.items()}
    return text
