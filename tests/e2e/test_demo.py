"""`lms-plugin demo` as a person tries it: real processes, a real browser, real LTI launches.

The practice LMS, the tool's web and its worker run as `demo` starts them; Chromium opens the
practice LMS, launches as a learner and as the instructor (through /lti/login, the practice
LMS's /auth and /lti/launch), the seeded learners show on the cohort page, the seeded grades
reach the practice gradebook through AGS, and one SIGTERM stops every process.
"""

from __future__ import annotations

import fcntl
import re
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Browser, Frame, Page, expect

from tests.support.axe import axe_violations
from tests.support.crawl import crawl
from tests.support.processes import cli, free_port, marked_tree, process_tree, tool_env, wait_http
from tests.support.worker import wait_for

pytestmark = pytest.mark.e2e

SEEDED = ("Noor Haddad", "Mia Chen", "Wes Okafor", "Lea Moreau")
STOP_SECONDS = 10


def _tool_frame(page: Page, tool_url: str) -> Frame:
    frame = next((f for f in page.frames if f.url.startswith(tool_url)), None)
    assert frame is not None, [f.url for f in page.frames]
    return frame


def _launch_as(page: Page, lms_url: str, tool_url: str, name: str) -> tuple[Frame, list[str]]:
    """Click "Open as <name>" on the course page; the tool's frame once it has opened."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(f"{r.method} {r.url}"))
    page.goto(lms_url + "/")
    page.get_by_role("link", name=f"Open as {name}").click()
    for _ in range(150):  # Playwright delivers the frames' navigations while it waits
        if any(f.url.startswith(tool_url) and "lh=" in f.url for f in page.frames):
            return _tool_frame(page, tool_url), seen
        page.wait_for_timeout(200)
    raise AssertionError("the tool did not open:\n" + "\n".join(seen))


def _wait_frame(page: Page, prefix: str) -> Frame:
    """The frame whose URL starts with ``prefix``, once it has loaded."""
    for _ in range(150):
        frame = next((f for f in page.frames if f.url.startswith(prefix)), None)
        if frame is not None:
            frame.wait_for_load_state()
            return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"no frame at {prefix}: {[f.url for f in page.frames]}")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket listening on ``port`` (IPv4 and IPv6, from /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def test_demo_end_to_end_in_chromium(tmp_path: Path, chromium: Browser) -> None:
    port, lms_port = free_port(), free_port()
    tool_url, lms_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{lms_port}"
    env = tool_env(instance_dir=str(tmp_path))
    log = tmp_path / "demo.log"
    args = cli("demo", "--port", str(port), "--lms-port", str(lms_port))
    with process_tree(args, env, log) as (demo, mark):
        wait_http(lms_url + "/", timeout=180)
        wait_http(tool_url + "/healthz", timeout=60)
        out = log.read_text()
        assert f"Open the practice LMS:  {lms_url}/" in out, out
        # The practice LMS signs anyone in: it and the tool listen on loopback only.
        assert _listening_addresses(port) == {"0100007F"}
        assert _listening_addresses(lms_port) == {"0100007F"}

        context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(lms_url + "/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("practice cohort")
        assert axe_violations(page) == []
        page.screenshot(path=str(tmp_path / "practice-lms-1280.png"), full_page=True)
        _on_a_phone(chromium, lms_url, tmp_path)

        # A new learner: the real login, the practice LMS's authorization, the launch.
        frame, seen = _launch_as(page, lms_url, tool_url, "Sam")
        assert any(s.startswith(f"GET {tool_url}/lti/login?") for s in seen), seen
        assert any(s.startswith(f"GET {lms_url}/auth?") for s in seen), seen
        assert f"POST {tool_url}/lti/launch" in seen, seen
        expect(frame.get_by_text("Sam Rivera").first).to_be_visible()
        assert "/instructor" not in frame.url
        page.screenshot(path=str(tmp_path / "learner-launch-1280.png"), full_page=True)
        assert axe_violations(page) == []  # the course page around the frame
        learner_handle = _handle(frame)
        learner = requests.get(
            tool_url + "/instructor/cohort", params={"lh": learner_handle}, timeout=10
        )
        assert learner.status_code == 403  # a learner's launch never opens instructor pages

        # The instructor: instructor pages open, the seeded learners are on the cohort page.
        frame, _ = _launch_as(page, lms_url, tool_url, "Ines")
        handle = _handle(frame)
        frame.goto(f"{tool_url}/instructor/cohort?lh={handle}")
        for name in SEEDED:
            expect(frame.get_by_text(name).first).to_be_visible()
        expect(frame.get_by_text("Sam Rivera").first).to_be_visible()  # launched just now
        page.screenshot(path=str(tmp_path / "instructor-cohort-1280.png"), full_page=True)
        # The course's title has an em dash: gunicorn sends the CSV's name (RFC 6266), no 500.
        grid = requests.get(f"{tool_url}/instructor/cohort.csv", params={"lh": handle}, timeout=30)
        assert grid.status_code == 200 and "Sam Rivera" in grid.text, grid.text[:300]
        assert (
            "filename*=UTF-8''Implementation-Support-Practitioner-%E2%80%94"
            in (grid.headers["Content-Disposition"])
        )
        # The roster through NRPS, on the worker: Nico, enrolled, has never launched.
        assert frame.get_by_text("Nico Rossi").count() == 0
        with frame.expect_navigation():  # the form posts, then lands back on #roster
            frame.get_by_role("button", name="Sync the roster from the LMS").click()
        # The page follows the sync, queued then running, and reloads itself at its end.
        expect(frame.get_by_text("Nico Rossi").first).to_be_visible(timeout=60_000)
        expect(frame.locator("#job")).to_contain_text("done")

        # Every link the instructor's and the learner's pages offer opens, under gunicorn.
        for who, start, at_least in (
            ("Ines", f"{tool_url}/instructor/?lh={handle}", 100),
            ("Sam", f"{tool_url}/?lh={learner_handle}", 20),
        ):
            found = crawl(start, start.split("lh=")[1])
            assert found.visited >= at_least and found.dead == [], (who, found)

        # Deep linking: the instructor adds Module 2 as an activity of its own.
        page.goto(lms_url + "/")
        page.get_by_role("link", name="Add activities as Ines").click()
        picker = _wait_frame(page, tool_url + "/deep-link")
        picker.get_by_label(re.compile("^Theories, models and frameworks")).check()
        picker.get_by_role("button", name="Add to course").click()
        added = _wait_frame(page, lms_url + "/deep-link/return")
        expect(added.get_by_test_id("added")).to_contain_text("Theories, models and frameworks")
        page.screenshot(path=str(tmp_path / "activity-added-1280.png"), full_page=True)
        page.goto(lms_url + "/")
        expect(page.get_by_text("Theories, models and frameworks").first).to_be_visible()

        # Seeded grades reach the practice gradebook through AGS (the worker's sending drain):
        # a number for work graded, "needs grading" for work waiting for a person.
        def row(sub: str) -> str:
            page_html = requests.get(lms_url + "/gradebook", timeout=10).text
            found = re.search(rf'data-testid="grades-{sub}".*?</tr>', page_html, re.S)
            return found.group(0) if found else ""

        wait_for(
            lambda: "/ 100" in row("lea") and "needs grading" in row("wes"),
            90,
            lambda: row("lea") + row("wes") + log.read_text()[-3000:],
        )
        page.goto(lms_url + "/gradebook")
        assert axe_violations(page) == []
        page.screenshot(path=str(tmp_path / "practice-gradebook-1280.png"), full_page=True)

        # Last, as it changes things: each form of their pages sent as the page filled it may
        # be refused (4xx, saying why), never a 5xx.
        for who, start in (
            ("Ines", f"{tool_url}/instructor/?lh={handle}"),
            ("Sam", f"{tool_url}/?lh={learner_handle}"),
        ):
            found = crawl(start, start.split("lh=")[1], forms=True)
            assert found.forms_sent >= 3 and found.form_errors == [], (who, found)
        context.close()

        signalled = time.monotonic()
        demo.send_signal(signal.SIGTERM)
        code = demo.wait(timeout=STOP_SECONDS)
        left = STOP_SECONDS - (time.monotonic() - signalled)
        wait_for(lambda: not marked_tree(mark), max(left, 0.1), lambda: str(marked_tree(mark)))
    assert code == 0, log.read_text()[-3000:]


def _on_a_phone(chromium: Browser, lms_url: str, tmp_path: Path) -> None:
    """The course page at 375 px: nothing scrolls sideways, every button is reachable."""
    context = chromium.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(lms_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    buttons = page.get_by_role("link", name=re.compile("^Open as ")).all()
    assert len(buttons) == 7  # six course members and the LMS administrator
    for button in buttons:
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.screenshot(path=str(tmp_path / "practice-lms-375.png"), full_page=True)
    context.close()


def _handle(frame: Frame) -> str:
    return parse_qs(urlsplit(frame.url).query)["lh"][0]


def test_demo_refuses_production(tmp_path: Path) -> None:
    env = tool_env(instance_dir=str(tmp_path), env="production")
    result = subprocess.run(
        cli("demo", "--port", str(free_port())), env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stderr.startswith("error: demo does not run with LMS_ENV=production")
    assert list(tmp_path.iterdir()) == []  # nothing prepared, nothing registered


def _demo_refusal(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = tool_env(instance_dir=str(tmp_path))
    ports = ("--port", str(free_port()), "--lms-port", str(free_port()))
    return subprocess.run(cli("demo", *ports), env=env, capture_output=True, text=True, timeout=60)


def test_demo_never_removes_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    result = _demo_refusal(tmp_path)
    assert result.returncode != 0 and "was not made by the demo" in result.stderr
    assert (tmp_path / "demo" / "notes.txt").read_text() == "mine"


def test_one_demo_per_instance_folder(tmp_path: Path) -> None:
    """A second demo would wipe the course the first one is serving."""
    with (tmp_path / "demo.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running demo holds it
        result = _demo_refusal(tmp_path)
    assert result.returncode != 0 and "a demo is already running" in result.stderr
