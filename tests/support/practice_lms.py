"""The practice LMS of ``lms-plugin demo``, served over real HTTP beside the test tool."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from flask import Flask

from lms_plugin.demo.app import create_app
from lms_plugin.demo.config import PracticeConfig, read_config, write_config
from tests.support.servers import ServerThread


@contextmanager
def served_practice_lms(folder: Path, tool_url: str) -> Iterator[tuple[PracticeConfig, Flask]]:
    """The practice LMS on a free loopback port, framing and calling the tool at ``tool_url``."""
    server = ServerThread()
    path = write_config(folder, server.url, tool_url)
    app = create_app(str(path))
    server.wrapper.app = app
    server.start()
    try:
        yield read_config(path), app
    finally:
        server.stop()


def register_practice_lms(tool: Any, config: PracticeConfig) -> Any:
    """What ``demo`` does first: the practice LMS registered, its deployment trusted."""
    from lms_plugin.db import db
    from lms_plugin.demo.seed import register
    from lms_plugin.web import deps

    with tool.app.app_context():
        return register(db.session(), deps.tenants(), config)


def autopost_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and the fields of the practice LMS's id_token form."""
    action = re.search(r'<form method="post" action="([^"]+)"', page)
    assert action is not None, page
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}


def launch_as(
    browser: requests.Session, config: PracticeConfig, sub: str, activity: str = ""
) -> requests.Response:
    """Sign in to the practice LMS as ``sub`` and follow its launch of ``activity`` (the
    certificate by default) to the tool, as a browser."""
    course_page = browser.get(config.lms_url + f"/as/{sub}" + (f"/{activity}" if activity else ""))
    assert course_page.status_code == 200, course_page.text
    src = re.search(r'<iframe[^>]* src="([^"]+)"', course_page.text)
    assert src is not None
    auth = browser.get(html.unescape(src.group(1)))  # the tool's login redirects to /auth
    assert auth.status_code == 200 and auth.url.startswith(config.auth_url), auth.text
    action, fields = autopost_form(auth.text)
    return browser.post(action, data=fields)


def hidden_fields(page: str) -> dict[str, str]:
    return {
        k: html.unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
    }


def add_activities(
    browser: requests.Session, config: PracticeConfig, modules: list[str]
) -> tuple[requests.Response, str]:
    """The instructor adds ``modules`` as activities: the practice LMS's deep linking request,
    the tool's picker, and the tool's answer posted back to the practice LMS; the practice
    LMS's page and the answer's JWT."""
    picker = launch_as(browser, config, "ines", "add-activities")
    assert picker.status_code == 200 and "/deep-link" in picker.url, picker.text
    action = re.search(r'<form method="post" action="([^"]+)"', picker.text)
    assert action is not None
    answer = browser.post(
        urljoin(picker.url, html.unescape(action.group(1))),
        data={**hidden_fields(picker.text), "module": modules},
    )
    assert answer.status_code == 200, answer.text
    return_url = re.search(r'<form method="post" action="([^"]+)"', answer.text)
    assert (
        return_url is not None and html.unescape(return_url.group(1)) == config.deep_link_return_url
    )
    fields = hidden_fields(answer.text)
    return browser.post(config.deep_link_return_url, data=fields), fields["JWT"]
