"""The admin pages over real HTTP: who gets in (a one-time link, an LMS administrator's launch)
and who does not (anonymous, learners, instructors); deployments activated and disabled, keys
rotated, failed scores resent, each with CSRF and refused without it."""

from __future__ import annotations

import re
import time

import pytest
import redis
import requests

from lms_plugin.services import admin_access
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from lms_plugin.web.admin_auth import CLOCK
from tests.support.content_keys import L1M1
from tests.support.launch_flow import full_launch, post_launch, start_login

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LMS_ADMIN = [LIS + "institution/person#Administrator", LIS + "membership#Instructor"]
TEACHER = [LIS + "membership#Instructor"]
LEARNER = [LIS + "membership#Learner"]


def launched(tool, platform, roles: list[str]) -> requests.Session:
    """A browser after a resource link launch with ``roles`` (the launch cookie kept)."""
    browser = requests.Session()
    browser.headers.update(HTML)
    page = full_launch(browser, tool.url, platform, claims={CLAIM + "roles": roles})
    assert page.status_code == 200, page.text
    return browser


def link_token(tool, minutes: float = 15) -> str:
    with tool.app.app_context():
        return admin_access.issue_link(deps.store(), minutes)


def signed_in(tool) -> requests.Session:
    """A browser signed in with a one-time link, as ``lms-plugin admin link`` prints it."""
    browser = requests.Session()
    browser.headers.update(HTML)
    token = link_token(tool)
    page = browser.get(f"{tool.url}/admin/sign-in/{token}")
    assert page.status_code == 200 and "sign-in-button" in page.text
    done = browser.post(tool.url + "/admin/sign-in", data={"token": token})
    assert done.status_code == 200 and done.url == tool.url + "/admin/", done.text
    return browser


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def other_platform(tool, origin: str = "https://other-lms.example.org") -> int:
    """A second registration, at ``origin``: another LMS's business."""
    with tool.app.app_context():
        reg = add_platform(
            deps.session(),
            deps.tenants(),
            PlatformSpec(
                name="Other LMS",
                issuer=origin,
                client_id="other-client",
                auth_login_url=origin + "/auth",
                auth_token_url=origin + "/token",
                jwks_url=origin + "/jwks",
            ),
        )
        return reg.id


def admin_routes(tool) -> list[tuple[str, str]]:
    """Every admin route but the sign-in ones, with its methods and ids of nothing."""
    found = []
    for rule in tool.app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or "sign-in" in rule.rule:
            continue
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        found += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


# --- who gets in ---------------------------------------------------------------------------
def test_anonymous_visitors_get_the_sign_in_page_on_every_admin_route(tool):
    routes = admin_routes(tool)
    assert len(routes) >= 9  # home, activate, disable, keys, rotate x2, diagnostics, resend...
    for method, path in routes:
        response = requests.request(method, tool.url + path, headers=HTML, data={})
        assert response.status_code == 401, (method, path)
        assert "lms-plugin admin link" in response.text, (method, path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("roles", [LEARNER, TEACHER], ids=["learner", "instructor"])
def test_learners_and_instructors_are_refused(tool, platform, roles):
    browser = launched(tool, platform, roles)
    page = browser.get(tool.url + "/instructor/" if roles is TEACHER else tool.url + "/")
    assert "admin-link" not in page.text  # no Administration link for them
    for method, path in admin_routes(tool):
        response = browser.request(method, tool.url + path, data={})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "for your LMS&#39;s administrators" in response.text, (method, path)
    assert tool.rows("SELECT status FROM deployment") == [("active",)]


def test_a_one_time_link_signs_in_once(tool):
    token = link_token(tool)
    first, second = requests.Session(), requests.Session()
    # Opening the link (a previewer, a scanner) spends nothing: the button does.
    assert first.get(f"{tool.url}/admin/sign-in/{token}", headers=HTML).status_code == 200
    used = first.post(tool.url + "/admin/sign-in", data={"token": token}, allow_redirects=False)
    again = second.post(tool.url + "/admin/sign-in", data={"token": token}, headers=HTML)

    assert used.status_code == 303 and used.headers["Location"].endswith("/admin/")
    cookie = used.headers["Set-Cookie"]
    assert "lms_admin=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/admin" in cookie
    assert first.get(tool.url + "/admin/", headers=HTML).status_code == 200
    assert again.status_code == 401 and "expired or was already used" in again.text
    assert second.get(tool.url + "/admin/", headers=HTML).status_code == 401
    # Only the token's hash is in the store.
    keys = redis.Redis.from_url(tool.app.extensions["lms_settings"].cache_url).keys("*admin-*")
    assert keys and not any(token.encode() in key for key in keys)


def test_a_link_expires_and_so_does_the_session(tool):
    expired, fresh = link_token(tool, minutes=15), link_token(tool, minutes=15)
    browser = requests.Session()
    try:
        tool.app.extensions[CLOCK] = lambda: time.time() + 16 * 60
        late = browser.post(tool.url + "/admin/sign-in", data={"token": expired}, headers=HTML)
        tool.app.extensions[CLOCK] = time.time
        ok = browser.post(tool.url + "/admin/sign-in", data={"token": fresh}, headers=HTML)
        assert ok.status_code == 200 and ok.url.endswith("/admin/")
        tool.app.extensions[CLOCK] = lambda: time.time() + admin_access.SESSION_SECONDS + 1
        after_a_day = browser.get(tool.url + "/admin/", headers=HTML)
    finally:
        tool.app.extensions[CLOCK] = time.time
    assert late.status_code == 401 and "expired or was already used" in late.text
    assert after_a_day.status_code == 401


def test_signing_out_ends_the_session(tool):
    browser = signed_in(tool)
    home = browser.get(tool.url + "/admin/").text
    refused = browser.post(tool.url + "/admin/sign-out", data={})
    assert refused.status_code == 403
    out = browser.post(tool.url + "/admin/sign-out", data={"csrf": csrf_of(home)})
    assert out.status_code == 200 and "/admin/sign-in" in out.url
    assert browser.get(tool.url + "/admin/").status_code == 401


def test_a_sign_in_posted_from_another_site_is_refused(tool):
    token = link_token(tool)
    response = requests.post(
        tool.url + "/admin/sign-in",
        data={"token": token},
        headers={**HTML, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403


# --- what each admin sees ------------------------------------------------------------------
def test_an_lms_admin_sees_only_its_own_platform(tool, platform):
    other = other_platform(tool)
    [(other_deployment,)] = tool.rows(
        f"INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES ({other}, 'their-deployment', 'pending', now()) RETURNING id"
    )
    admin = launched(tool, platform, LMS_ADMIN)
    home = admin.get(tool.url + "/instructor/")
    assert 'data-testid="admin-link"' in home.text

    page = admin.get(tool.url + "/admin/")
    assert page.status_code == 200
    assert platform.client_id in page.text and "Other LMS" not in page.text
    assert "this platform only" in page.text
    assert '<dd data-testid="product">Moodle</dd>' in page.text
    assert admin.get(f"{tool.url}/admin/platforms/{other}").status_code == 404
    activate = admin.post(
        f"{tool.url}/admin/deployments/{other_deployment}/activate",
        data={"csrf": csrf_of(page.text)},
    )
    assert activate.status_code == 404
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {other_deployment}") == [
        ("pending",)
    ]
    # A signed-in operator sees both.
    everything = signed_in(tool).get(tool.url + "/admin/").text
    assert platform.client_id in everything and "Other LMS" in everything
    assert '<dd data-testid="product">Any LTI 1.3 platform</dd>' in everything  # not "other"


def test_activate_and_disable_a_deployment_with_csrf_only(tool, platform):
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    [(pending,)] = tool.rows(
        f"INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES ({reg_id}, 'deployment-2', 'pending', now()) RETURNING id"
    )
    admin = signed_in(tool)
    csrf = csrf_of(admin.get(tool.url + "/admin/").text)
    url = f"{tool.url}/admin/deployments/{pending}"

    assert admin.post(url + "/activate", data={}).status_code == 403
    assert admin.post(url + "/activate", data={"csrf": "x" * 64}).status_code == 403
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {pending}") == [("pending",)]
    activated = admin.post(url + "/activate", data={"csrf": csrf})
    assert activated.status_code == 200 and "is active" in activated.text
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {pending}") == [("active",)]

    # Disabling the launch's own deployment refuses its launches from then on.
    [(first,)] = tool.rows("SELECT id FROM deployment WHERE deployment_id = 'deployment-1'")
    form = {"csrf": csrf, "confirm": "yes"}
    assert admin.post(f"{tool.url}/admin/deployments/{first}/disable", data={}).status_code == 403
    launched(tool, platform, LEARNER)  # still fine
    disabled = admin.post(f"{tool.url}/admin/deployments/{first}/disable", data=form)
    assert disabled.status_code == 200 and "is disabled" in disabled.text
    browser = requests.Session()
    refused = full_launch(browser, tool.url, platform, claims={CLAIM + "roles": LEARNER})
    assert refused.status_code == 403 and "deployment_disabled" in refused.text
    admin.post(f"{tool.url}/admin/deployments/{first}/activate", data={"csrf": csrf})
    launched(tool, platform, LEARNER)  # back


def test_disabling_asks_first_and_warns_an_lms_admin_it_shuts_them_out_too(tool, platform):
    admin = launched(tool, platform, LMS_ADMIN)
    home = admin.get(tool.url + "/admin/").text
    confirm_url = re.search(r'<a class="button secondary" href="([^"]+)"', home)
    assert confirm_url is not None and "/disable" in confirm_url.group(1)
    assert 'action="/admin/deployments/' not in home.split("disable")[0]  # no one-click form
    page = admin.get(tool.url + confirm_url.group(1).replace("&amp;", "&"))
    assert page.status_code == 200 and "deployment-1" in page.text
    assert 'data-testid="own-deployment"' in page.text and "lms-plugin admin link" in page.text
    [(first,)] = tool.rows("SELECT id FROM deployment WHERE deployment_id = 'deployment-1'")
    url = f"{tool.url}/admin/deployments/{first}"

    unconfirmed = admin.post(url + "/disable", data={"csrf": csrf_of(page.text)})
    assert unconfirmed.status_code == 400 and "Confirm disabling" in unconfirmed.text
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {first}") == [("active",)]
    form = {"csrf": csrf_of(page.text), "confirm": "yes"}
    assert admin.post(url + "/disable", data=form).status_code == 200
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {first}") == [("disabled",)]
    claims = {CLAIM + "roles": LMS_ADMIN}
    refused = full_launch(requests.Session(), tool.url, platform, claims=claims)
    assert refused.status_code == 403 and "deployment_disabled" in refused.text

    # As the page said: this session can still put it back.
    assert admin.post(url + "/activate", data={"csrf": form["csrf"]}).status_code == 200
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {first}") == [("active",)]

    # Another deployment of the same LMS: no warning about the admin's own launches.
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    [(other,)] = tool.rows(
        f"INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES ({reg_id}, 'deployment-3', 'active', now()) RETURNING id"
    )
    page = admin.get(f"{tool.url}/admin/deployments/{other}/disable")
    assert page.status_code == 200 and "deployment-3" in page.text
    assert 'data-testid="own-deployment"' not in page.text


def test_an_lms_admin_activates_its_own_pending_deployment(tool, platform):
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    [(pending,)] = tool.rows(
        f"INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES ({reg_id}, 'deployment-9', 'pending', now()) RETURNING id"
    )
    admin = launched(tool, platform, LMS_ADMIN)
    csrf = csrf_of(admin.get(tool.url + "/admin/").text)
    done = admin.post(f"{tool.url}/admin/deployments/{pending}/activate", data={"csrf": csrf})
    assert done.status_code == 200
    assert tool.rows(f"SELECT status FROM deployment WHERE id = {pending}") == [("active",)]


def test_rotating_keys_needs_csrf_a_confirmation_and_a_link_session(tool, platform):
    admin = signed_in(tool)
    before = dict(tool.rows("SELECT state, kid FROM tool_key WHERE state <> 'retired'"))
    confirm = admin.get(tool.url + "/admin/keys/rotate?purpose=lti")
    assert confirm.status_code == 200
    csrf = csrf_of(confirm.text)
    form = {"purpose": "lti", "confirm": "yes"}

    assert admin.post(tool.url + "/admin/keys/rotate", data=form).status_code == 403
    unconfirmed = admin.post(
        tool.url + "/admin/keys/rotate", data={**form, "confirm": "", "csrf": csrf}
    )
    assert unconfirmed.status_code == 400
    lms_admin = launched(tool, platform, LMS_ADMIN)
    keys_page = lms_admin.get(tool.url + "/admin/keys")
    assert keys_page.status_code == 200 and before["active"] in keys_page.text
    scoped = lms_admin.post(
        tool.url + "/admin/keys/rotate", data={**form, "csrf": csrf_of(keys_page.text)}
    )
    assert scoped.status_code == 403
    assert dict(tool.rows("SELECT state, kid FROM tool_key WHERE state <> 'retired'")) == before

    rotated = admin.post(tool.url + "/admin/keys/rotate", data={**form, "csrf": csrf})
    assert rotated.status_code == 200 and "were rotated" in rotated.text
    after = dict(tool.rows("SELECT state, kid FROM tool_key WHERE state <> 'retired'"))
    assert after["active"] == before["next"] and after["next"] != before["next"]
    assert tool.rows(f"SELECT state FROM tool_key WHERE kid = '{before['active']}'") == [
        ("retired",)
    ]


def test_rotating_the_issuer_keys(tool):
    with tool.app.app_context():
        from lms_plugin.services.issuer_keys import ensure_issuer_keys

        ensure_issuer_keys(deps.session())
    old = {kid for (kid,) in tool.rows("SELECT kid FROM issuer_key WHERE state = 'active'")}
    admin = signed_in(tool)
    page = admin.get(tool.url + "/admin/keys").text
    assert all(kid in page for kid in old)
    done = admin.post(
        tool.url + "/admin/keys/rotate",
        data={"purpose": "credentials", "confirm": "yes", "csrf": csrf_of(page)},
    )
    assert done.status_code == 200
    now = {kid for (kid,) in tool.rows("SELECT kid FROM issuer_key WHERE state = 'active'")}
    assert len(now) == 2 and not now & old
    assert {k for (k,) in tool.rows("SELECT kid FROM issuer_key WHERE state = 'retired'")} == old


def test_failed_scores_are_shown_and_resent_with_csrf(tool, platform, broker_url):
    launched(tool, platform, LEARNER)
    user_id, context_id = tool.rows("SELECT user_id, context_id FROM membership")[0]
    [(outbox_id,)] = tool.rows(
        "INSERT INTO score_outbox (context_id, user_id, module_slug, score_given, score_maximum,"
        " timestamp, status, tries, classification, last_error, next_attempt_at, created_at)"
        f" VALUES ({context_id}, {user_id}, '{L1M1}', 50, 100, now(), 'failed', 3,"
        " 'not_gradable', 'line item was deleted', now(), now()) RETURNING id"
    )
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    admin = signed_in(tool)
    page = admin.get(f"{tool.url}/admin/platforms/{reg_id}")
    assert page.status_code == 200
    assert "line item was deleted" in page.text and "1 failed" in page.text
    url = f"{tool.url}/admin/platforms/{reg_id}/scores/resend"

    assert admin.post(url, data={"outbox_id": str(outbox_id)}).status_code == 403
    assert tool.rows("SELECT status FROM score_outbox") == [("failed",)]
    other = other_platform(tool)  # its resend cannot reach this platform's rows
    wrong = admin.post(
        f"{tool.url}/admin/platforms/{other}/scores/resend",
        data={"outbox_id": str(outbox_id), "csrf": csrf_of(page.text)},
    )
    assert wrong.status_code == 200 and tool.rows("SELECT status FROM score_outbox") == [
        ("failed",)
    ]
    done = admin.post(url, data={"outbox_id": str(outbox_id), "csrf": csrf_of(page.text)})
    assert done.status_code == 200 and "1 grade is queued" in done.text
    assert tool.rows("SELECT status FROM score_outbox") == [("pending",)]
    assert redis.Redis.from_url(broker_url).llen("lms") == 1  # the score drain was rung


def test_a_refused_launch_is_recorded_for_its_platform(tool, platform):
    browser = requests.Session()
    auth = start_login(browser, tool.url, platform)
    refused = post_launch(browser, tool.url, auth["state"], "not-a-jwt")
    assert refused.status_code == 400
    unknown = browser.get(
        tool.url + "/lti/login",
        params={**platform.login_params("learner-1"), "client_id": "typo-client"},
        headers=HTML,
    )
    assert unknown.status_code == 400

    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    admin = signed_in(tool)
    page = admin.get(f"{tool.url}/admin/platforms/{reg_id}").text
    section = page.split('data-testid="launch-refusals"')[1].split("</section>")[0]
    assert "id_token_malformed" in section and "not a valid JWT" in section
    assert "learner-1" not in section and "Lena" not in section  # nothing about the person
    # A login naming no registered platform is anyone's: nothing is kept, the page says where
    # to look instead (the web log), for the admin who can see every platform.
    home = admin.get(tool.url + "/admin/").text
    unknown_section = home.split('data-testid="unknown-refusals"')[1].split("</section>")[0]
    assert "typo-client" not in home and "unknown_platform" in unknown_section
    lms_admin = launched(tool, platform, LMS_ADMIN)
    assert 'data-testid="unknown-refusals"' not in lms_admin.get(tool.url + "/admin/").text


def test_the_operator_finds_the_addresses_an_lms_asks_for_and_each_one_answers(tool, platform):
    """Registering another LMS needs the tool's addresses: the admin home lists them, at the
    public URL, and each is the route it names (the keyset and Canvas's JSON are served)."""
    page = signed_in(tool).get(tool.url + "/admin/").text
    urls = {
        name: re.search(rf'<code data-testid="tool-{name}">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
        for name in ("login", "launch", "jwks", "canvas")
    }
    assert all(url.startswith(tool.url + "/lti/") for url in urls.values()), urls
    keys = requests.get(urls["jwks"]).json()["keys"]
    assert keys and all(key["kty"] == "RSA" for key in keys)
    canvas = requests.get(urls["canvas"]).json()
    assert canvas["oidc_initiation_url"] == urls["login"]
    assert canvas["target_link_uri"] == urls["launch"]
    assert canvas["public_jwk_url"] == urls["jwks"]
    login = requests.get(urls["login"], params=platform.login_params(), allow_redirects=False)
    assert login.status_code == 302 and login.headers["Location"].startswith(platform.url + "/auth")
    assert requests.get(urls["launch"], headers=HTML).status_code == 405  # a POST route
    # The command to run next names the LMS's address, without which Canvas's grade service
    # (on the school's own host) would be refused the token.
    command = re.search(r'<code data-testid="add-command">([^<]+)</code>', page).group(1)  # type: ignore[union-attr]
    assert "--lms-url https://… --client-id … --deployment-id …" in command

    # An LMS administrator of one platform does not register others.
    lms_admin = launched(tool, platform, LMS_ADMIN)
    assert 'data-testid="register-help"' not in lms_admin.get(tool.url + "/admin/").text


def test_a_tool_on_this_computer_names_the_lms_that_cannot_reach_it(tool, platform):
    """The tool's public URL is 127.0.0.1 here: the test LMS, on this computer, reaches it; an
    LMS elsewhere cannot fetch its keyset, and its card says so, with what to set."""
    other = other_platform(tool)  # its token endpoint is another machine's
    page = signed_in(tool).get(tool.url + "/admin/").text
    cards = {
        re.search(r'<h2 id="platform-(\d+)"', card).group(1): card  # type: ignore[union-attr]
        for card in page.split('data-testid="platform"')[1:]
    }
    assert 'data-testid="tool-unreachable"' in cards[str(other)]
    assert "LMS_PUBLIC_URL" in cards[str(other)] and tool.url in cards[str(other)]
    assert [card for card in cards.values() if "tool-unreachable" in card] == [cards[str(other)]]
    register_help = page.split('data-testid="register-help"')[1]
    assert 'data-testid="tool-only-here"' in register_help
