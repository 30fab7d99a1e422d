"""Theming per deployment, over HTTP: set with ``lms-plugin theme set``, shown on every page of a
launch through that deployment (and only that one), logos cleaned and served from the tool, accent
colours refused below WCAG 2.2 AA, the favicon."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from PIL import Image

from lms_plugin.db import db
from lms_plugin.domain.errors import InvalidInputError, NotFoundError
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.services.theming import ThemeChange, logo_by_digest, set_theme
from lms_plugin.web import deps
from tests.support.launch_flow import full_launch
from tests.support.lti_platform import LmsPlatform

pytestmark = pytest.mark.integration

NAME = "Northwind University"


def png(width: int = 300, height: int = 100, colour: str = "#7a1f5c") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def run_cli(tool, *args: str) -> subprocess.CompletedProcess:
    """``lms-plugin`` in its own process, on the running tool's database."""
    settings = tool.app.extensions["lms_settings"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=settings.database_url,
        LMS_INSTANCE_DIR=settings.instance_dir,
        LMS_LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, "-m", "lms_plugin.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def deployment_args(platform: LmsPlatform) -> list[str]:
    return [
        "--issuer",
        platform.issuer,
        "--client-id",
        platform.client_id,
        "--deployment-id",
        platform.deployment_id,
    ]


def page(tool, platform: LmsPlatform, user: str = "learner-1") -> requests.Response:
    """The page a launch lands on (HTML), in a fresh browser."""
    response = full_launch(requests.Session(), tool.url, platform, login_hint=user)
    assert response.status_code == 200, response.text[:500]
    return response


def change(tool, platform: LmsPlatform, **values) -> None:
    with tool.app.app_context():
        set_theme(
            db.session(),
            platform.issuer,
            platform.client_id,
            platform.deployment_id,
            ThemeChange(**values),
        )


@pytest.fixture
def other_lms(tool) -> Iterator[LmsPlatform]:
    """A second institution's LMS with its own registration and deployment."""
    lms = LmsPlatform(issuer="https://other.example.edu", tool_url=tool.url).start()
    with tool.app.app_context():
        add_platform(db.session(), deps.tenants(), PlatformSpec(**lms.registration_args()))
    yield lms
    lms.stop()


def test_theme_set_by_the_cli_shows_on_every_page_of_the_launch(tool, platform, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    done = run_cli(
        tool,
        "theme",
        "set",
        *deployment_args(platform),
        "--name",
        f"  {NAME} ",
        "--logo",
        str(logo),
        "--accent",
        "#7A1F5C",
    )
    assert done.returncode == 0, done.stderr
    assert f"name {NAME}, accent #7a1f5c, image/png logo" in done.stdout

    landed = page(tool, platform)
    assert f'data-testid="institution">{NAME}<' in landed.text
    css = re.search(r'href="(/theme/accent/[0-9a-f]{6}\.css)" data-testid="theme-css"', landed.text)
    assert css is not None and css.group(1) == "/theme/accent/7a1f5c.css"
    served = requests.get(tool.url + css.group(1), timeout=10)
    assert served.headers["Content-Type"].startswith("text/css")
    assert "--accent: #7a1f5c;" in served.text
    assert "immutable" in served.headers["Cache-Control"]

    logo_url = re.search(r'src="(/theme/logo/[0-9a-f]{64})"', landed.text)
    assert logo_url is not None
    image = requests.get(tool.url + logo_url.group(1), timeout=10)
    assert image.headers["Content-Type"] == "image/png"
    assert "sandbox" in image.headers["Content-Security-Policy"]
    with Image.open(io.BytesIO(image.content)) as drawn:
        assert drawn.format == "PNG" and drawn.size == (300, 100)
    again = requests.get(
        tool.url + logo_url.group(1), headers={"If-None-Match": image.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304

    # Another page of the same launch, and an instructor's.
    session = requests.Session()
    full_launch(session, tool.url, platform)
    overview = session.get(tool.url + "/")
    assert f'data-testid="institution">{NAME}<' in overview.text
    teacher = requests.Session()
    full_launch(teacher, tool.url, platform, login_hint="teacher-1")
    as_learner = teacher.get(tool.url + "/")  # an instructor's launch, the learner's view
    assert f'data-testid="institution">{NAME}<' in as_learner.text

    cleared = run_cli(tool, "theme", "clear", *deployment_args(platform))
    assert cleared.returncode == 0 and "theme cleared" in cleared.stdout
    plain = page(tool, platform)
    assert 'data-testid="institution"' not in plain.text and "theme-css" not in plain.text
    assert 'class="brand-product">ISP Certificate<' in plain.text


def test_a_deployment_sees_only_its_own_theme(tool, platform, other_lms):
    change(tool, platform, name=NAME, accent="#7a1f5c", logo=png())
    mine = page(tool, platform)
    theirs = page(tool, other_lms)
    assert NAME in mine.text and "/theme/accent/7a1f5c.css" in mine.text
    assert NAME not in theirs.text
    assert "/theme/" not in theirs.text


def test_the_theme_shows_on_an_error_page_inside_the_launch_not_on_public_pages(tool, platform):
    change(tool, platform, name=NAME)
    session = requests.Session()
    full_launch(session, tool.url, platform)
    refused = session.get(tool.url + "/instructor/cohort")  # a learner on an instructor page
    assert refused.status_code == 403
    assert f'data-testid="institution">{NAME}<' in refused.text
    public = requests.get(tool.url + "/credentials/verify", timeout=10)
    assert NAME not in public.text


def test_an_accent_below_aa_is_refused_with_a_shade_that_passes(tool, platform):
    done = run_cli(tool, "theme", "set", *deployment_args(platform), "--accent", "#ff9900")
    assert done.returncode == 2
    assert "contrast of 1.98:1" in done.stderr and "passes: #a36200" in done.stderr
    assert "no theme" in run_cli(tool, "theme", "show", *deployment_args(platform)).stdout
    # and no URL serves a stylesheet for a colour that fails, or for another spelling
    for colour in ("ff9900", "0B5CAD", "06c", "zzzzzz"):
        assert requests.get(f"{tool.url}/theme/accent/{colour}.css", timeout=10).status_code == 404
    assert requests.get(f"{tool.url}/theme/accent/0b5cad.css", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"logo": png()}, "a logo needs the institution's name too"),
        ({"name": NAME, "logo": b"GIF89a not really"}, "must be a PNG, JPEG, WebP, GIF or SVG"),
        ({"name": NAME, "logo": b"x" * (513 * 1024)}, "at most 512 KB"),
        ({"name": NAME, "logo": png(5000, 4000)}, "larger than 4096 by 4096"),
        ({"name": "\u202eEvil"}, "control characters"),
        ({"name": NAME, "logo": b"<svg xmlns='http://www.w3.org/2000/svg'"}, "not well-formed"),
        ({"name": NAME, "logo": b"<html><body>hi</body></html>"}, "must be a PNG"),
        ({"name": NAME, "logo": b"<?xml version='1.0'?><html/>"}, "root element is not <svg>"),
    ],
)
def test_bad_themes_are_refused_and_nothing_is_written(tool, platform, values, message):
    with tool.app.app_context(), pytest.raises(InvalidInputError, match=re.escape(message)):
        set_theme(
            db.session(),
            platform.issuer,
            platform.client_id,
            platform.deployment_id,
            ThemeChange(**values),
        )
    assert tool.rows("SELECT count(*) FROM deployment_theme") == [(0,)]


def test_an_unknown_deployment_is_named_with_how_to_list_them(tool, platform):
    with tool.app.app_context(), pytest.raises(NotFoundError, match="deployments list"):
        set_theme(db.session(), platform.issuer, platform.client_id, "nope", ThemeChange(name="x"))
    done = run_cli(tool, "theme", "set", *deployment_args(platform))
    assert done.returncode == 2 and "give --name, --logo, --no-logo or --accent" in done.stderr
    url = run_cli(
        tool, "theme", "set", *deployment_args(platform), "--logo", "https://x.example/l.png"
    )
    assert url.returncode == 2 and "--logo takes a file" in url.stderr


HOSTILE_SVG = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 120 40" onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(https://evil.example/x.css);</style>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#7a1f5c"/></linearGradient></defs>
  <rect width="120" height="40" fill="url(#g)" style="fill:url(https://evil.example/p)"/>
  <a xlink:href="javascript:alert(3)"><text x="4" y="28">Northwind</text></a>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
  <animate attributeName="href" to="javascript:alert(4)"/>
  <use href="#g"/>
</svg>"""


def test_an_svg_logo_loses_what_can_act_or_call_out_and_is_served_sandboxed(tool, platform):
    change(tool, platform, name=NAME, logo=HOSTILE_SVG)
    [(digest,)] = tool.rows("SELECT logo_sha256 FROM deployment_theme")
    with tool.app.app_context():
        stored = logo_by_digest(db.session(), digest)
    assert stored is not None
    svg, content_type = stored[0].decode(), stored[1]
    assert content_type == "image/svg+xml"
    for gone in ("onload", "<script", "@import", "evil.example", "javascript:", "foreignObject"):
        assert gone not in svg, gone
    assert "<animate" not in svg
    for kept in ('fill="url(#g)"', "Northwind", 'href="#g"', "linearGradient"):
        assert kept in svg, kept
    served = requests.get(f"{tool.url}/theme/logo/{digest}", timeout=10)
    assert served.headers["Content-Type"].startswith("image/svg+xml")
    assert served.headers["Content-Security-Policy"].endswith("sandbox")
    assert requests.get(f"{tool.url}/theme/logo/{'0' * 64}", timeout=10).status_code == 404
    assert requests.get(f"{tool.url}/theme/logo/../../etc", timeout=10).status_code == 404


def test_removing_the_logo_keeps_the_name_and_accent(tool, platform):
    change(tool, platform, name=NAME, accent="#14532d", logo=png())
    change(tool, platform, remove_logo=True)
    assert tool.rows(
        "SELECT institution_name, accent, logo IS NULL, logo_sha256 FROM deployment_theme"
    ) == [(NAME, "#14532d", True, None)]
    landed = page(tool, platform)
    assert NAME in landed.text and "/theme/logo/" not in landed.text


def test_the_favicon_is_served_in_svg_ico_and_for_home_screens(tool):
    html = requests.get(tool.url + "/credentials/verify", timeout=10).text
    icons = re.findall(r'<link rel="(?:icon|apple-touch-icon)" href="([^"]+)"', html)
    assert icons == ["/favicon.svg", "/favicon.ico", "/static/apple-touch-icon.png"]
    types = {
        "/favicon.svg": "image/svg+xml",
        "/favicon.ico": ("image/vnd.microsoft.icon", "image/x-icon"),
        "/static/apple-touch-icon.png": "image/png",
    }
    for path, expected in types.items():
        response = requests.get(tool.url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"].split(";")[0] in (
            expected if isinstance(expected, tuple) else (expected,)
        ), path
    with Image.open(io.BytesIO(requests.get(tool.url + "/favicon.ico", timeout=10).content)) as ico:
        assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    etag = requests.get(tool.url + "/favicon.svg", timeout=10).headers["ETag"]
    again = requests.get(tool.url + "/favicon.svg", headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and not again.content
