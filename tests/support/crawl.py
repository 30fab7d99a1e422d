"""Follow every link a person's pages offer, as they would click them: each must answer
without an error. A link to a refusal page (403, 404) is a dead end the page should not have
offered; a 5xx is a bug. Links carry the launch handle (``lh``), as the pages' own do inside an
LMS iframe; each route is visited once per set of query keys, so a crawl stays short.

With ``forms``, each form a page offers (one per action) is also sent as it stands, its fields
as the page filled them: a form sent blank may be refused (4xx, the page says why), never a 5xx.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import requests
from lxml import html

# Links that leave the tool's pages or end the session: not followed.
_SKIP = re.compile(r"/logout|/static/|\.(pdf|png|svg|json)$")
_HREF = re.compile(r'href="([^"#]+)')


@dataclass(frozen=True)
class DeadLink:
    status: int
    url: str
    found_on: str


@dataclass
class Crawl:
    visited: int = 0
    dead: list[DeadLink] = field(default_factory=list)
    forms_sent: int = 0
    form_errors: list[DeadLink] = field(default_factory=list)  # a form's 5xx answers


def crawl(start: str, handle: str, *, limit: int = 400, forms: bool = False) -> Crawl:
    """The pages visited from ``start`` (a URL of the tool), and what answered with an error."""
    origin = urlsplit(start).netloc
    browser = requests.Session()
    todo: list[tuple[str, str]] = [(start, "")]
    seen: set[tuple[str, frozenset[str]]] = set()
    sent: set[str] = set()
    found = Crawl()
    while todo and len(seen) < limit:
        url, found_on = todo.pop(0)
        parts = urlsplit(url)
        route = (parts.path, frozenset(parse_qs(parts.query)))
        if route in seen:
            continue
        seen.add(route)
        response = browser.get(url, timeout=30)
        if response.status_code >= 400:
            found.dead.append(DeadLink(response.status_code, url, found_on))
            continue
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        if forms:
            _send_forms(browser, response, handle, sent, found)
        for href in _HREF.findall(response.text):
            link = urlsplit(urljoin(response.url, href.replace("&amp;", "&")))
            if link.netloc != origin or _SKIP.search(link.path):
                continue
            todo.append((_with_handle(link, handle), url))
    found.visited = len(seen)
    return found


def _with_handle(link: SplitResult, handle: str) -> str:
    query = parse_qs(link.query)
    if not link.path.startswith("/credentials/"):  # public pages need no launch
        query.setdefault("lh", [handle])
    return urlunsplit(("http", link.netloc, link.path, urlencode(query, doseq=True), ""))


def _send_forms(
    browser: requests.Session, page: requests.Response, handle: str, sent: set[str], found: Crawl
) -> None:
    for form in html.fromstring(page.text).xpath("//form[@method='post']"):
        action = urlsplit(urljoin(page.url, form.get("action") or page.url))
        if action.path in sent or _SKIP.search(action.path):
            continue
        sent.add(action.path)
        answer = browser.post(
            _with_handle(action, handle),
            data=_fields(form),
            headers={"Accept": "text/html", "Origin": f"http://{action.netloc}"},
            allow_redirects=False,
            timeout=30,
        )
        found.forms_sent += 1
        if answer.status_code >= 500:
            found.form_errors.append(DeadLink(answer.status_code, action.path, page.url))


def _fields(form: html.HtmlElement) -> dict[str, str]:
    """What the browser would send for the form as the page filled it."""
    data: dict[str, str] = {}
    for field_ in form.xpath(".//input[@name] | .//textarea[@name] | .//select[@name]"):
        kind = (field_.get("type") or "").lower()
        if kind in ("checkbox", "radio") and field_.get("checked") is None:
            continue
        if field_.tag == "select":
            options = field_.xpath(".//option")
            data[field_.get("name")] = options[0].get("value", "") if options else ""
        else:
            data[field_.get("name")] = field_.get("value") or (field_.text or "")
    return data
