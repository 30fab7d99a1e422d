"""Figures (domain/content/figures.py): what makes an SVG fit to show in a lesson, and how a
lesson's ``![…](figures/<name>.svg)`` is rendered and kept with its module's snapshot."""

from __future__ import annotations

import pytest

from lms_plugin.domain.content.figures import MAX_FIGURE_BYTES, figure_name, svg_problems
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.markdown import figure_sources, render_markdown
from lms_plugin.domain.content.snapshot import module_from_dict
from tests.unit.domain.test_content_fixture import write_tree

HEAD = '<svg xmlns="http://www.w3.org/2000/svg"><title>A</title><desc>B</desc>'


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        (HEAD + '<rect onload="x()"/></svg>', "event handler 'onload' is not allowed in a figure"),
        (HEAD + '<use href="https://h.org/a.svg#x"/></svg>', "<use> is not allowed in a figure"),
        (
            HEAD + '<rect fill="url(https://h.org/p)"/></svg>',
            "a figure refers to nothing outside itself: url(https://h.org/p)",
        ),
        (HEAD + "<foreignObject/></svg>", "<foreignObject> is not allowed in a figure"),
        ('<!DOCTYPE svg [<!ENTITY a "b">]>' + HEAD + "</svg>", "a figure has no DOCTYPE"),
        ("<svg><title>A</title><desc>B</desc></svg>", "root element must be an SVG"),
        (HEAD, "not well-formed XML"),
        (HEAD + " " * MAX_FIGURE_BYTES + "</svg>", "bytes, at most"),
    ],
)
def test_unfit_figures_are_refused(svg, problem):
    problems = svg_problems(svg.encode())
    assert any(problem in p for p in problems), problems


def test_a_plain_drawing_is_fit():
    svg = HEAD + '<defs><marker id="m"/></defs><path marker-end="url(#m)"/></svg>'
    assert svg_problems(svg.encode()) == []


def test_figure_names():
    assert figure_name("figures/com-b.svg") == "com-b"
    assert figure_name("figures/../secrets.svg") is None
    assert figure_name("figures/Big.svg") is None
    assert figure_name("/figures/a.svg") is None


def test_a_lessons_figures_point_where_the_page_says():
    text = "# T\n\n![The COM-B model](figures/com-b.svg)\n\n![x](other.png)\n"
    html = render_markdown(text, lambda name: f"/content/modules/7/figures/{name}.svg")
    assert '<img src="/content/modules/7/figures/com-b.svg" alt="The COM-B model" />' in html
    assert '<img src="other.png"' in html  # not a figure: left (and refused by the linter)
    assert figure_sources(text) == [(2, "com-b")]


def test_figures_travel_with_the_module_snapshot(tmp_path):
    svg = HEAD + "</svg>"
    root = write_tree(tmp_path, [("level-1/m1-a/figures/flow.svg", "", svg)])
    catalogue, problems = load_catalogue(root)
    assert catalogue is not None, problems
    module = catalogue.programs[0].modules[0]
    assert [(f.name, f.svg) for f in module.figures] == [("flow", svg)]
    assert module_from_dict(module.to_dict()) == module
