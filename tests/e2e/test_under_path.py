"""The tool under a path of a shared host (LMS_PUBLIC_URL=http://host/isp), behind a proxy that
serves only that path, as an institution's proxy does, passing the path on or stripping it: a
learner's and an instructor's launch in Chromium, every page and script call under the path, a
draft saved through the API, the admin pages signed in with their cookie under the path, and an
LMS registering the tool by the URL register-url prints."""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.content_keys import L1M1
from tests.support.crawl import crawl
from tests.support.lti_platform import LmsPlatform
from tests.support.path_proxy import PathProxy
from tests.support.processes import (
    cli,
    free_port,
    gunicorn,
    prepare_tool,
    process,
    tool_env,
    wait_http,
)

pytestmark = pytest.mark.e2e


def launch(chromium: Browser, public_url: str, lms: LmsPlatform, user: str) -> tuple[Page, list]:
    """A launch from the course, and every request the page makes from then on."""
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    requested: list = []
    page.on("response", lambda response: requested.append(response))
    page.goto(f"{public_url}/lti/login?{urlencode(lms.login_params(user))}")
    page.wait_for_url(re.compile(re.escape(public_url) + r"/(instructor/)?\?"))
    return page, requested


def handle(page: Page) -> str:
    return re.search(r"lh=([^&#]+)", page.url).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("strip", [False, True], ids=["path-passed-on", "path-stripped"])
def test_a_tool_under_a_path_works_behind_a_proxy(chromium, tmp_path, strip):
    tool_port = free_port()
    with PathProxy("/isp", tool_port, strip=strip) as proxy:
        public_url = f"http://127.0.0.1:{proxy.port}/isp"
        env = tool_env(
            instance_dir=str(tmp_path), public_url=public_url, secret_key=uuid.uuid4().hex
        )
        lms = LmsPlatform(tool_url=public_url).start()
        try:
            prepare_tool(env, lms)
            with process(gunicorn(tool_port, workers=2), env, tmp_path / "web.log"):
                wait_http(f"http://127.0.0.1:{tool_port}/healthz")
                wait_http(public_url + "/healthz")
                public_url_checked(env, proxy)
                learner_and_instructor(chromium, public_url, lms, tmp_path)
                admin_pages(chromium, public_url, env)
                dynamic_registration(chromium, public_url, env)
        finally:
            lms.stop()
    assert proxy.refused == [], proxy.refused  # nothing asked for outside /isp


def learner_and_instructor(
    chromium: Browser, public_url: str, lms: LmsPlatform, shots: Path
) -> None:
    page, requested = launch(chromium, public_url, lms, "learner-1")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(shots / "learner-home-under-isp.png"), full_page=True)
    css = page.evaluate("() => getComputedStyle(document.querySelector('.top')).borderTopStyle")
    assert css != "none", "the stylesheet did not load"
    page.get_by_role("link", name=re.compile("The ISP role")).first.click()
    expect(page).to_have_url(re.compile(re.escape(public_url) + f"/modules/{L1M1}"))
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.goto(f"{public_url}/modules/{L1M1}/assignment?lh={handle(page)}")
    page.get_by_label(re.compile("Your answer")).fill("My role, written under a path.")
    expect(page.locator("#autosave")).to_contain_text("Draft saved", timeout=10_000)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview .preview-body")).to_contain_text("under a path")
    learner = handle(page)

    instructor, seen = launch(chromium, public_url, lms, "teacher-1")
    expect(instructor.get_by_role("heading", level=1)).to_be_visible()
    staff = handle(instructor)
    tool_origin = urlsplit(public_url).netloc
    for response in requested + seen:
        parts = urlsplit(response.url)
        if parts.netloc == tool_origin:
            assert parts.path.startswith("/isp/"), response.url
            assert response.status < 400, (response.status, response.url)
    for start, lh in (
        (f"{public_url}/?lh={learner}", learner),
        (f"{public_url}/instructor/?lh={staff}", staff),
    ):
        found = crawl(start, lh, limit=120)
        assert found.visited >= 20 and found.dead == [], found


def admin_pages(chromium: Browser, public_url: str, env: dict[str, str]) -> None:
    link = subprocess.run(
        cli("admin", "link"), env=env, capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()[0]
    assert link.startswith(public_url + "/admin/sign-in/"), link
    page = chromium.new_context().new_page()
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platforms and deployments")
    cookie = next(c for c in page.context.cookies() if c["path"].endswith("/admin"))
    assert cookie["path"] == "/isp/admin", cookie
    page.goto(public_url + "/admin/keys")  # the cookie goes with it
    expect(page.get_by_role("heading", level=1)).to_have_text("Signing keys")


def dynamic_registration(chromium: Browser, public_url: str, env: dict[str, str]) -> None:
    """An LMS registers the tool by the URL register-url prints: the page, its form and the
    configuration the LMS receives are all under the path."""
    printed = subprocess.run(
        cli("platform", "register-url"), env=env, capture_output=True, text=True, timeout=60
    ).stdout
    url = next(word for word in printed.split() if word.startswith("http"))
    assert url.startswith(public_url + "/lti/register/"), printed
    lms = LmsPlatform(tool_url=public_url, host="127.0.0.2").start()
    try:
        lms.issuer = lms.url
        registration = f"{url}?" + urlencode(
            {
                "openid_configuration": lms.url + "/.well-known/openid-configuration",
                "registration_token": lms.registration_token,
            }
        )
        page = chromium.new_context().new_page()
        page.goto(f"{lms.url}/tool-registration?" + urlencode({"url": registration}))
        frame = page.frame_locator("#tool")
        frame.get_by_role("button", name="Register").click()
        frame.get_by_role("heading", name=re.compile("Registered with")).wait_for()
        [configuration] = lms.registrations
        assert configuration["initiate_login_uri"] == public_url + "/lti/login", configuration
        assert configuration["jwks_uri"] == public_url + "/lti/jwks"
        assert public_url + "/lti/launch" in configuration["redirect_uris"]
    finally:
        lms.stop()


def public_url_checked(env: dict[str, str], proxy: PathProxy) -> None:
    """`check --public-url` fetches the keyset through the proxy, as an LMS does: ok at /isp;
    at a path the proxy does not serve, FAILED with the status and what to look at."""
    for path, expected in (
        ("/isp", "the tool at LMS_PUBLIC_URL: ok"),
        ("/other", "the tool at LMS_PUBLIC_URL: FAILED (RuntimeError: http://127.0.0.1:"),
    ):
        moved = {**env, "LMS_PUBLIC_URL": f"http://127.0.0.1:{proxy.port}{path}"}
        result = subprocess.run(
            cli("check", "--public-url"), env=moved, capture_output=True, text=True, timeout=90
        )
        assert expected in result.stdout, result.stdout + result.stderr
        assert result.returncode == (0 if path == "/isp" else 1), result.stdout
    assert "/other/lti/jwks answered 404" in result.stdout
    assert proxy.refused == ["/other/lti/jwks"]
    proxy.refused.clear()
