"""Where the rate-limit counters live: the setting, else the cache's Redis (in the URL form
the limits library's storage reads), else this process's memory (the embedded default)."""

from __future__ import annotations

import pytest

from lms_plugin.web.rate_limits import storage_uri
from tests.conftest import make_settings


@pytest.mark.parametrize(
    "settings, uri",
    [
        ({}, "memory://"),
        ({"cache_url": "redis://cache:6379/0"}, "redis://cache:6379/0"),
        ({"cache_url": "rediss://u:p@cache:6380/2"}, "rediss://u:p@cache:6380/2"),
        ({"cache_url": "redis+sentinel://s1:26379,s2/main"}, "redis+sentinel://s1:26379,s2/main"),
        ({"cache_url": "unix:///run/redis.sock"}, "redis+unix:///run/redis.sock"),
        (
            {"cache_url": "redis://cache/0", "rate_limit_storage_url": "memcached://m:11211"},
            "memcached://m:11211",
        ),
        ({"rate_limit_storage_url": "redis://limits/1"}, "redis://limits/1"),
    ],
)
def test_storage_of_the_counters(tmp_path, settings, uri):
    assert storage_uri(make_settings(str(tmp_path), **settings)) == uri
