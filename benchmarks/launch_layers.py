"""What each cache on the launch path saves: the tool's CPU per login and per launch, in process,
with all caches on and then with each one switched off in turn.

    .venv/bin/python benchmarks/launch_layers.py [--launches 200] [--rounds 5]

The caches: the launch-rows cache (services/launches.py: a relaunch with the same claims writes
nothing), the tenant snapshots (lti/tenants.py: registrations and deployments from the store,
not the database) and the parsed platform keys (lti/platform_keys.py: a key kept in the process
for a minute, not read from the store and parsed again). Each variant runs in a process of its
own (switching a cache off patches the module), on PostgreSQL and Redis as in production, with
a test LMS on 127.0.0.1. The figure is the CPU time of this process around the tool's requests
(Flask's test client, no HTTP server), the best round's mean: the CPU other programs take from
a shared machine does not count, and signing the id_token (the LMS's work) is left out. The
database server's own CPU is not counted either, so caches that spare queries save more than
shown.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = ["all caches", "no launch-rows cache", "no tenant snapshots", "no parsed keys"]


def switch_off(variant: str) -> None:
    """Patch one cache out of the launch path (this process only)."""
    import lms_plugin.lti.platform_keys as platform_keys
    import lms_plugin.lti.tenants as tenants
    import lms_plugin.web.lti as web_lti

    if variant == "no parsed keys":
        platform_keys.LOCAL_SECONDS = -1  # every parsed key has expired already
    elif variant == "no tenant snapshots":
        tenants.TenantDirectory._remember = lambda self, *args: None
        tenants.TenantDirectory.known = lambda self, *args: None
    elif variant == "no launch-rows cache":
        record_launch = web_lti.record_launch

        def uncached(session, deployment, context, cache=None, cached=None, **kw):
            return record_launch(session, deployment, context, None, None, **kw)

        web_lti.record_launch = uncached


def measure(variant: str, launches: int, rounds: int) -> tuple[float, float]:
    """Best round's mean CPU seconds of (login, launch) with ``variant``'s caches."""
    from flask_migrate import upgrade

    from lms_plugin.db import db
    from lms_plugin.services.keys import ensure_keys
    from lms_plugin.services.platforms import PlatformSpec, add_platform
    from lms_plugin.web.app import create_app
    from tests.conftest import make_settings, sync_courses
    from tests.support.endpoints import PG_ADMIN_URL, REDIS_URL
    from tests.support.lti_platform import LmsPlatform
    from tests.support.processes import forget_prefix, scratch_database

    switch_off(variant)
    lms = LmsPlatform(tool_url="http://localhost").start()
    prefix = f"bench-layers:{uuid.uuid4().hex[:6]}:"
    try:
        with scratch_database(PG_ADMIN_URL) as url:
            settings = make_settings(
                tempfile.mkdtemp(prefix="lms-bench-"),
                database_url=url,
                cache_url=REDIS_URL,
                cache_prefix=prefix,
                public_url="http://localhost",
                rate_limit_lti="100000000/minute",  # paid for, never reached
            )
            app = create_app(settings)
            with app.app_context():
                upgrade()
                sync_courses()
                ensure_keys(db.session())
                tenants = app.extensions["lms_tenants"]
                add_platform(db.session(), tenants, PlatformSpec(**lms.registration_args()))
            client = app.test_client()

            def once() -> tuple[float, float]:
                started = time.process_time()
                login = client.get("/lti/login?" + urlencode(lms.login_params()))
                logged_in = time.process_time()
                assert login.status_code == 302, login.text
                auth = dict(parse_qsl(urlsplit(login.headers["Location"]).query))
                token = lms.id_token(lms.claims(nonce=auth["nonce"]))  # the LMS's work
                client.set_cookie(f"lti1p3-{auth['state']}", auth["state"])
                posted = time.process_time()
                launch = client.post(
                    "/lti/launch", data={"state": auth["state"], "id_token": token}
                )
                launched = time.process_time()
                assert launch.status_code == 303, launch.text
                return logged_in - started, launched - posted

            for _ in range(50):  # warm-up: connections, code paths, and the caches filled
                once()
            means = []
            for _ in range(rounds):
                samples = [once() for _ in range(launches)]
                means.append(tuple(statistics.mean(s[i] for s in samples) for i in (0, 1)))
            with app.app_context():
                db.engine.dispose()
            forget_prefix(REDIS_URL, prefix)
    finally:
        lms.stop()
    best = min(means, key=sum)
    return best[0], best[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--launches", type=int, default=200, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variant", choices=VARIANTS, help="(internal) measure one variant")
    args = parser.parse_args()
    if args.variant:
        logging.disable(logging.WARNING)
        login, launch = measure(args.variant, args.launches, args.rounds)
        print(f"{login * 1000:.3f} {launch * 1000:.3f}")
        return
    print(f"{args.rounds} rounds of {args.launches} logins + launches, best round's mean CPU")
    base = None
    for variant in VARIANTS:
        command = [sys.executable, __file__, "--variant", variant]
        command += ["--launches", str(args.launches), "--rounds", str(args.rounds)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
        login, launch = float(out[0]), float(out[1])
        base = base or login + launch
        print(
            f"{variant:22s} login {login:6.2f} ms  launch {launch:6.2f} ms  "
            f"together {login + launch:6.2f} ms  ({(login + launch) / base:4.2f}x all caches)"
        )


if __name__ == "__main__":
    main()
