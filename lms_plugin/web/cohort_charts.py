"""The cohort pages' charts (web/svg_charts.py) from the services' numbers, with the words
their titles and descriptions need."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort_mastery import band
from lms_plugin.domain.i18n import number, percent
from lms_plugin.services.cohort_competency import CompetencyView
from lms_plugin.services.cohort_grid import Grid
from lms_plugin.web.svg_charts import Bar, Segment, histogram, percent_bars, stacked_bars


@dataclass(frozen=True)
class ModuleCharts:
    completion: Markup
    distributions: list[tuple[str, str, Markup]]  # (code, title, histogram) of scored modules
    unscored: list[tuple[str, str]]  # (code, title) of the modules no learner shown has a score in


def module_charts(grid: Grid) -> ModuleCharts:
    """Where the filtered learners stand in each module, and how their scores spread."""
    bars = []
    labels = {state.code: _(state.label).lower() for state in rules.STATES}
    for col, stats in zip(grid.columns, grid.stats, strict=True):
        segments = [
            Segment(
                stats.counts.get(state.code, 0),
                f"hm-fill-{state.code}",
                state.glyph,
                f"{col.code}: {stats.counts.get(state.code, 0)} {labels[state.code]}",
            )
            for state in rules.STATES
        ]
        bars.append(
            Bar(col.code, segments, _("%(share)s passed", share=percent(stats.completion, 0)))
        )
    learners = grid.matching
    completion = stacked_bars(
        bars,
        learners,
        _("Where learners stand in each module"),
        ngettext(
            "For each of %(modules)s modules, where the %(n)s learner shown stands: "
            "%(states)s. The table after the chart gives the numbers.",
            "For each of %(modules)s modules, the %(n)s learners shown split by state: "
            "%(states)s. The table after the chart gives the numbers.",
            learners,
            n=number(learners),
            modules=len(bars),
            states=", ".join(labels.values()),
        ),
    )
    bins = [rules.bin_label(i) for i in range(rules.BINS)]
    distributions: list[tuple[str, str, Markup]] = []
    unscored: list[tuple[str, str]] = []
    for col, stats in zip(grid.columns, grid.stats, strict=True):
        scored = sum(stats.bins)
        if not scored:
            unscored.append((col.code, col.module.title))
            continue
        title = col.module.title
        if stats.mean is None:
            desc = ngettext(
                "%(num)d learner with a score in %(title)s, by 10-point band.",
                "%(num)d learners with a score in %(title)s, by 10-point band.",
                scored,
                title=title,
            )
        else:
            desc = ngettext(
                "%(num)d learner with a score in %(title)s, mean %(mean)s, by 10-point band.",
                "%(num)d learners with a score in %(title)s, mean %(mean)s, by 10-point band.",
                scored,
                title=title,
                mean=percent(stats.mean, 0),
            )
        chart = histogram(stats.bins, bins, _("%(code)s score distribution", code=col.code), desc)
        distributions.append((col.code, col.module.title, chart))
    return ModuleCharts(completion, distributions, unscored)


def mastery_chart(view: CompetencyView) -> Markup:
    """The cohort's mean mastery of each competency."""
    rows = [
        (
            f"{c.id} {c.name}",
            c.mean,
            f"mastery-{band(c.mean).code}" if c.mean is not None else "mastery-none",
        )
        for c in view.competencies
    ]
    return percent_bars(
        rows,
        _("Mean mastery per ISP competency"),
        _(
            "For each of the %(n)s ISP competencies, the mean mastery of the learners shown who "
            "have evidence of it, from %(low)s to %(high)s; lines mark %(mid)s and %(good)s. The "
            "table after the chart gives the numbers.",
            n=len(rows),
            low=percent(0),
            high=percent(100),
            mid=percent(50),
            good=percent(80),
        ),
    )
