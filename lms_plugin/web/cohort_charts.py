"""The cohort pages' charts (web/svg_charts.py) from the services' numbers, with the words
their titles and descriptions need."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort_mastery import band
from lms_plugin.services.cohort_competency import CompetencyView
from lms_plugin.services.cohort_grid import Grid
from lms_plugin.web.svg_charts import Bar, Segment, histogram, percent_bars, stacked_bars


@dataclass(frozen=True)
class ModuleCharts:
    completion: Markup
    distributions: list[tuple[str, str, Markup | None]]  # (code, title, histogram or none)


def module_charts(grid: Grid) -> ModuleCharts:
    """Where the filtered learners stand in each module, and how their scores spread."""
    bars = []
    for col, stats in zip(grid.columns, grid.stats, strict=True):
        segments = [
            Segment(
                stats.counts.get(state.code, 0),
                f"hm-fill-{state.code}",
                state.glyph,
                f"{col.code}: {stats.counts.get(state.code, 0)} {state.label.lower()}",
            )
            for state in rules.STATES
        ]
        bars.append(Bar(col.code, segments, f"{stats.completion:.0f}% passed"))
    learners = grid.matching
    completion = stacked_bars(
        bars,
        learners,
        "Where learners stand in each module",
        f"For each of {len(bars)} modules, the {learners} learners shown split by state: "
        + ", ".join(s.label.lower() for s in rules.STATES)
        + ". The table after the chart gives the numbers.",
    )
    labels = [rules.bin_label(i) for i in range(rules.BINS)]
    distributions: list[tuple[str, str, Markup | None]] = []
    for col, stats in zip(grid.columns, grid.stats, strict=True):
        scored = sum(stats.bins)
        if not scored:
            distributions.append((col.code, col.module.title, None))
            continue
        mean = "" if stats.mean is None else f", mean {stats.mean:.0f}%"
        chart = histogram(
            stats.bins,
            labels,
            f"{col.code} score distribution",
            f"{scored} learners with a score in {col.module.title}{mean}, by 10-point band.",
        )
        distributions.append((col.code, col.module.title, chart))
    return ModuleCharts(completion, distributions)


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
        "Mean mastery per ISP competency",
        f"For each of the {len(rows)} ISP competencies, the mean mastery of the learners shown "
        "who have evidence of it, from 0 to 100%; lines mark 50% and 80%. The table after the "
        "chart gives the numbers.",
    )
