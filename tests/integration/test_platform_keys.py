"""A platform's keys from its JWKS over HTTP: cached in the shared store, and refetched for an
unknown kid at most once per cooldown window, whichever process asks (finding 8)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterator

import pytest
import requests

from lms_plugin.domain.errors import LaunchError
from lms_plugin.kv import RedisStore
from lms_plugin.lti.platform_keys import PlatformKeys
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.lti_platform import LmsPlatform

pytestmark = pytest.mark.integration

COOLDOWN = 60


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0  # the start of a cooldown window

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lms() -> Iterator[LmsPlatform]:
    platform = LmsPlatform().start()
    yield platform
    platform.stop()


@pytest.fixture
def store(redis_url) -> Iterator[RedisStore]:
    prefix = f"keystest:{uuid.uuid4().hex[:6]}:"
    store = RedisStore(redis_url, prefix)
    yield store
    store.close()


def _process(store: RedisStore, clock: FakeClock, cooldown: int = COOLDOWN) -> PlatformKeys:
    """What one web process holds: its own HTTP client and parsed keys, the shared store."""
    return PlatformKeys(
        store,
        requests.Session(),
        cache_seconds=3600,
        timeout=5,
        refetch_cooldown=cooldown,
        clock=clock,
    )


def _unknown(keys: PlatformKeys, lms: LmsPlatform) -> str:
    kid = "random-" + uuid.uuid4().hex[:8]
    with pytest.raises(LaunchError) as refused:
        keys.key_for(lms.jwks_url, kid)
    assert refused.value.code == "unknown_kid"
    return kid


def test_unknown_kids_refetch_once_per_window_across_processes(lms, store, caplog):
    clock = FakeClock()
    one, other = _process(store, clock), _process(store, clock)
    assert one.key_for(lms.jwks_url, lms.keys[0].kid) is not None  # the cache is filled
    assert lms.jwks_hits == 1

    _unknown(one, lms)  # the window's refetch
    assert lms.jwks_hits == 2
    caplog.set_level(logging.WARNING, "lms_plugin.lti.platform_keys")
    kids = [_unknown(keys, lms) for keys in (one, other, one, other)]

    assert lms.jwks_hits == 2  # the other process saw the window spent too
    assert (one.refetches_refused, other.refetches_refused) == (2, 2)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 4
    assert all(kid in line and lms.jwks_url in line for kid, line in zip(kids, logged, strict=True))


def test_a_key_rotated_in_a_spent_window_is_found_in_the_next(lms, store):
    clock = FakeClock()
    keys = _process(store, clock)
    keys.key_for(lms.jwks_url, lms.keys[0].kid)
    _unknown(keys, lms)  # someone spends this window's refetch
    new = lms.rotate_key()

    with pytest.raises(LaunchError) as refused:
        keys.key_for(lms.jwks_url, new.kid)  # refused: the window is spent (the trade-off)
    assert refused.value.code == "unknown_kid"
    clock.now += COOLDOWN

    assert keys.key_for(lms.jwks_url, new.kid) is not None
    assert lms.jwks_hits == 3  # fill, the spent refetch, the next window's refetch
    assert keys.key_for(lms.jwks_url, new.kid) is not None
    assert lms.jwks_hits == 3  # and it is cached from then on


def test_without_a_cooldown_every_unknown_kid_refetches(lms, store):
    keys = _process(store, FakeClock(), cooldown=0)
    keys.key_for(lms.jwks_url, lms.keys[0].kid)
    for _ in range(3):
        _unknown(keys, lms)
    assert lms.jwks_hits == 4 and keys.refetches_refused == 0


def test_an_empty_cache_is_filled_whatever_the_window(lms, store):
    """The cooldown holds back refetches of a cached JWKS, never the first fetch of one."""
    clock = FakeClock()
    keys = _process(store, clock)
    keys.key_for(lms.jwks_url, lms.keys[0].kid)
    _unknown(keys, lms)  # the window is spent
    store.delete("jwks:" + hashlib.sha256(lms.jwks_url.encode()).hexdigest())  # its TTL ran out
    fresh = _process(store, clock)  # a process without the key parsed

    assert fresh.key_for(lms.jwks_url, lms.keys[0].kid) is not None
    assert lms.jwks_hits == 3


def test_a_first_fetch_that_misses_the_kid_spends_the_window(lms, store):
    keys = _process(store, FakeClock())
    _unknown(keys, lms)  # nothing cached: fetched, and the kid is not there
    _unknown(keys, lms)  # cached now, and this window's refetch is spent

    assert lms.jwks_hits == 1 and keys.refetches_refused == 1
    assert keys.key_for(lms.jwks_url, lms.keys[0].kid) is not None  # known kids still work


def test_the_app_takes_the_cooldown_from_its_settings(tmp_path):
    settings = make_settings(
        str(tmp_path), database_url=f"sqlite:///{tmp_path}/t.db", jwks_refetch_cooldown_seconds=7
    )
    assert create_app(settings).extensions["lms_platform_keys"].refetch_cooldown == 7
