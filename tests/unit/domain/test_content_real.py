"""The real courses/ tree: it lints clean, and every module and program survives the JSON
snapshot round trip. Plus the Markdown renderer."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from lms_plugin.domain.content.lint import lint_tree, load_checked_catalogue
from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.markdown import markdown_problems, render_markdown
from lms_plugin.domain.content.model import Catalogue
from lms_plugin.domain.content.snapshot import module_from_dict, program_from_dict

ROOT = Path(__file__).resolve().parents[3] / "courses"
MODULE_FOLDERS = sorted(
    p.parent.relative_to(ROOT).as_posix() for p in ROOT.glob("level-*/*/module.yaml")
)


@cache
def catalogue() -> Catalogue:
    loaded, problems = load_catalogue(ROOT)
    assert problems == [] and loaded is not None
    return loaded


def test_real_content_lints_clean():
    assert [str(p) for p in lint_tree(ROOT)] == []


def test_real_catalogue_loads_in_level_order():
    checked, problems = load_checked_catalogue(ROOT)
    assert problems == [] and checked == catalogue()
    assert [(p.slug, p.level) for p in catalogue().programs] == [
        ("isp-level-1", 1),
        ("isp-level-2", 2),
    ]
    assert sorted(m.folder for p in catalogue().programs for m in p.modules) == MODULE_FOLDERS


@pytest.mark.parametrize("folder", MODULE_FOLDERS)
def test_module_snapshot_round_trip(folder):
    module = next(m for p in catalogue().programs for m in p.modules if m.folder == folder)
    assert module_from_dict(module.to_dict()) == module
    through_json = module_from_dict(json.loads(json.dumps(module.to_dict())))
    assert through_json == module
    assert through_json.to_dict() == module.to_dict()


@pytest.mark.parametrize("level", [1, 2])
def test_program_snapshot_round_trip(level):
    program = catalogue().programs[level - 1]
    modules = reversed(program.modules)  # any order
    data = json.loads(json.dumps(program.to_dict()))
    assert program_from_dict(data, modules) == program
    assert program_from_dict(program.to_dict(), program.modules).to_dict() == program.to_dict()


def test_program_snapshot_needs_every_module():
    program = catalogue().programs[0]
    with pytest.raises(KeyError, match=program.modules[0].slug):
        program_from_dict(program.to_dict(), program.modules[1:])


def test_module_snapshot_rejects_unknown_keys():
    data = catalogue().programs[0].modules[0].to_dict() | {"colour": "blue"}
    with pytest.raises(TypeError):
        module_from_dict(data)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("# Title", "<h1>Title</h1>\n"),
        (
            "| a |\n|---|\n| 1 |",
            '<div class="table-scroll" tabindex="0"><table>\n<thead>\n<tr>\n<th>a</th>\n'
            "</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n</div>\n",
        ),
        ("x <b>y</b>", "<p>x &lt;b&gt;y&lt;/b&gt;</p>\n"),
        ("<div>\nx\n</div>", "<p>&lt;div&gt;\nx\n&lt;/div&gt;</p>\n"),
        ("see https://example.org", "<p>see https://example.org</p>\n"),  # no linkify
        ("~~x~~", "<p>~~x~~</p>\n"),  # CommonMark: no strikethrough
    ],
)
def test_render_markdown(text, html):
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("plain *text* and `code`", []),
        ("a\n\nb <span>c</span> d", [(2, "raw HTML is not allowed: <span>")]),
        (
            "a\n![x](https://h.org/i.png)",
            [
                (1, "images are not allowed: https://h.org/i.png"),
                (1, "links to other hosts are not allowed: https://h.org/i.png"),
            ],
        ),
        (
            "[a][r]\n\n[r]: http://h.org",
            [(2, "links to other hosts are not allowed: http://h.org")],
        ),
        ("<https://h.org>", [(0, "links to other hosts are not allowed: https://h.org")]),
        ("[mail](mailto:a@b.org)", []),
    ],
)
def test_markdown_problems(text, problems):
    assert markdown_problems(text) == problems
