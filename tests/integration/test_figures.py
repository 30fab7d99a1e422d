"""A lesson's figure over HTTP: the lesson page shows it as an <img> with its alt text, served
from the module version as an SVG that may load and run nothing; unknown figures are 404s."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}


def test_a_lesson_shows_its_figure_served_from_its_module_version(tool, platform):
    browser = api_launch(tool, platform)
    lesson = next(lesson for lesson in module(L1M1).lessons if "figures/" in lesson.markdown)
    name = re.search(r"\(figures/([a-z0-9-]+)\.svg\)", lesson.markdown).group(1)
    page = browser.get(f"{tool.url}/modules/{L1M1}/lessons/{lesson.slug}", headers=HTML)
    assert page.status_code == 200, page.text[:300]
    img = re.search(
        r'<img src="(/content/modules/(\d+)/figures/' + name + r'\.svg)" alt="([^"]+)"', page.text
    )
    assert img is not None, page.text
    (version,) = tool.rows(f"SELECT max(id) FROM content_module WHERE slug = '{L1M1}'")[0]
    assert int(img.group(2)) == version and len(img.group(3)) > 20  # alt says what it shows

    figure = requests.get(tool.url + img.group(1), timeout=10)  # no launch needed
    assert figure.status_code == 200
    assert figure.headers["Content-Type"].startswith("image/svg+xml")
    assert "sandbox" in figure.headers["Content-Security-Policy"]
    assert "default-src 'none'" in figure.headers["Content-Security-Policy"]
    assert "immutable" in figure.headers["Cache-Control"]
    assert figure.text.startswith("<svg") and "<title" in figure.text


@pytest.mark.parametrize(
    "path",
    [
        "/content/modules/{v}/figures/no-such-figure.svg",
        "/content/modules/999999/figures/com-b.svg",
        "/content/modules/99999999999999999999/figures/com-b.svg",
        "/content/modules/{v}/figures/..%2Fmodule.svg",
    ],
)
def test_unknown_figures_are_404(tool, path):
    (version,) = tool.rows(f"SELECT max(id) FROM content_module WHERE slug = '{L1M1}'")[0]
    response = requests.get(tool.url + path.format(v=version), headers=HTML, timeout=10)
    assert response.status_code == 404, response.text[:300]
