"""The heatmap's cells as HTML, built here rather than in the template: a page of 500 learners
has 5,500 cells, and drawing each through Jinja (six escaped expressions a cell) cost about as
much as the page's whole query (benchmarks/dashboard.py). A cell's inner HTML is one of a few
dozen (state, text) pairs, made once and kept; its link is built from numbers and slugs. What
every row shares (the page's language, its fixed words) is looked up once per page (``Rows``):
asked per row, the lookups were a tenth of the page's time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms_plugin.domain.cohort import BY_CODE, age_unit, age_words
from lms_plugin.domain.i18n import percent
from lms_plugin.services.cohort_grid import Column, LearnerRow
from lms_plugin.web.cohort_links import Links
from lms_plugin.web.i18n import current_language


@lru_cache(maxsize=512)
def _cell(code: str, text: str, language: str) -> tuple[str, str]:
    """(the cell's opening up to its link's address, what follows it): the state in words for
    screen readers, and the few characters shown, in the page's ``language`` (a percent, or a
    word the domain marked). The state's glyph comes from cohort.css (``::before``, with an
    empty alternative text: the words say it)."""
    label, shown = _(BY_CODE[code].label), _(text) if text and text[0].isalpha() else text
    if text.endswith("%"):  # domain.cohort.cell_text's "80%" (services keep it), as read here
        shown = percent(float(text[:-1]))
    return (
        f'<td class="hm-c hm-{code}"><a href="',
        f'"><span class="sr">{escape(label)}: </span>{escape(shown)}</a></td>',
    )


@lru_cache(maxsize=8)
def _words(language: str) -> dict[str, str]:
    """A row's fixed words in the page's ``language``, as HTML: asked once per language, not
    once per learner (a translation lookup is ~12 µs; 500 rows asked four each)."""
    # The sentences outside the f-strings: babel's extractor does not read inside one.
    risk, never_launched, none = (
        escape(_("at risk")),
        escape(_("never launched")),
        escape(_("none")),
    )
    return {
        "risk": f' <span class="tag tag-risk">{risk}</span>',
        "never_launched": f' <span class="tag">{never_launched}</span>',
        "never": str(escape(_("never"))),
        "none": f'<span class="meta">{none}</span>',
    }


@lru_cache(maxsize=2048)
def _ago(seconds: int, language: str) -> str:
    """ "3 days ago" for an age already rounded down to its unit (domain.cohort.age_unit)."""
    return str(escape(_("%(age)s ago", age=age_words(seconds))))


class Rows:
    """The grid's rows for one page: what is the same for every row (the page's language, the
    links, the shown modules, the time) is looked up once here, not once per learner."""

    def __init__(self, links: Links, shown: Sequence[Column], now: datetime) -> None:
        self.links, self.now = links, now
        self.language = current_language()
        self.words = _words(self.language)
        self.slugs = [col.module.slug for col in shown]

    def plain(self, learner: LearnerRow) -> Markup:
        """The whole row of a learner without credentials earned here (most of them)."""
        return Markup(  # noqa: S704 - its parts are escaped where they are made
            f"<tr>{self._head(learner)}{self._cells(learner)}"
            f'<td class="hm-awards" data-testid="credentials">{self.words["none"]}</td></tr>'
        )

    def head(self, learner: LearnerRow) -> Markup:
        return Markup(self._head(learner))  # noqa: S704 - the name is escaped; the rest is ours

    def cells(self, learner: LearnerRow) -> Markup:
        return Markup(self._cells(learner))  # noqa: S704 - escaped; links: numbers and slugs

    def _head(self, learner: LearnerRow) -> str:
        """The learner's row header (name, at risk, never launched), last activity and modules
        passed."""
        words = self.words
        tags = words["risk"] if learner.at_risk else ""
        last = learner.last_activity
        if last is None:
            tags += words["never_launched"]
            when = words["never"]
        else:
            ago = _ago(age_unit((self.now - last).total_seconds()), self.language)
            when = f'<time datetime="{last.isoformat(timespec="seconds")}">{ago}</time>'
        return (
            f'<th scope="row" class="hm-who"><span class="hm-name">{escape(learner.name)}</span>'
            f'{tags}</th><td class="hm-when">{when}</td>'
            f'<td class="hm-num">{learner.passed}/{len(self.slugs)}</td>'
        )

    def _cells(self, learner: LearnerRow) -> str:
        """The ``<td>`` of each shown module, each linking to its drill-down. In the table, a
        screen reader announces the learner's row and the module's column with it."""
        start, end, cells = (
            self.links.learner_cells(learner.user_id),
            self.links.cell_end,
            learner.cells,
        )
        language = self.language
        parts: list[str] = []
        for slug in self.slugs:
            cell = cells[slug]
            before, after = _cell(cell.state.code, cell.text, language)
            parts += (before, start, slug, end, after)
        return "".join(parts)
