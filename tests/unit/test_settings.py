from __future__ import annotations

import pytest

from lms_plugin.settings import DEV_SECRET_KEY, SettingsError, load_settings

GOOD_PROD = {
    "LMS_ENV": "production",
    "LMS_SECRET_KEY": "s" * 40,
    "LMS_DATABASE_URL": "postgresql+psycopg://u:pw@db/lms",
    "LMS_BROKER_URL": "redis://redis:6379/0",
    "LMS_CACHE_URL": "redis://redis:6379/1",
    "LMS_PUBLIC_URL": "https://isp.example.edu",
}


def test_embedded_defaults(tmp_path):
    settings = load_settings({"LMS_INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path}/lms.sqlite3"
    assert settings.broker_url == "filesystem://"
    assert settings.cache_url == "" and settings.secret_key == DEV_SECRET_KEY


def test_typed_parsing():
    settings = load_settings({"LMS_LAUNCH_LEEWAY_SECONDS": "9", "LMS_HTTP_TIMEOUT_SECONDS": "2.5"})
    assert settings.launch_leeway_seconds == 9 and settings.http_timeout_seconds == 2.5


def test_bad_number_names_the_variable():
    with pytest.raises(SettingsError, match="LMS_LAUNCH_LEEWAY_SECONDS"):
        load_settings({"LMS_LAUNCH_LEEWAY_SECONDS": "five"})


def test_production_accepts_real_services():
    assert load_settings(GOOD_PROD).is_production


@pytest.mark.parametrize(
    "override, variable",
    [
        ({"LMS_SECRET_KEY": DEV_SECRET_KEY}, "LMS_SECRET_KEY"),
        ({"LMS_SECRET_KEY": "short"}, "LMS_SECRET_KEY"),
        ({"LMS_DATABASE_URL": ""}, "LMS_DATABASE_URL"),
        ({"LMS_DATABASE_URL": "sqlite:///x.db"}, "LMS_DATABASE_URL"),
        ({"LMS_BROKER_URL": ""}, "LMS_BROKER_URL"),
        ({"LMS_BROKER_URL": "memory://"}, "LMS_BROKER_URL"),
        ({"LMS_PUBLIC_URL": "http://isp.example.edu"}, "LMS_PUBLIC_URL"),
    ],
)
def test_production_refuses_dev_defaults(override, variable):
    with pytest.raises(SettingsError, match=variable):
        load_settings({**GOOD_PROD, **override})


@pytest.mark.parametrize(
    "url, words",
    [
        ("isp.example.edu", "not an http(s) address"),
        ("ftp://isp.example.edu", "not an http(s) address"),
        ("https://", "not an http(s) address"),
        ("https://isp.example.edu:port", "not an http(s) address"),
        ("https://apps.example.edu/isp tool", "its path ('/isp tool') may hold only"),
        ("https://apps.example.edu/isp/../admin", "its path ('/isp/../admin') may hold only"),
        ("https://apps.example.edu//isp", "its path ('//isp') may hold only"),
        ("https://isp.example.edu/?x=1", "only the scheme, host, port and path"),
        ("https://user:pw@isp.example.edu", "only the scheme, host, port and path"),
    ],
)
def test_a_public_url_the_tool_cannot_use_is_refused_in_every_environment(url, words):
    for env in ({}, GOOD_PROD):
        with pytest.raises(SettingsError, match="LMS_PUBLIC_URL") as refused:
            load_settings({**env, "LMS_PUBLIC_URL": url})
        assert words in str(refused.value)


@pytest.mark.parametrize(
    "url, prefix",
    [
        ("https://isp.example.edu", ""),
        ("https://isp.example.edu/", ""),
        ("https://isp.example.edu:8443", ""),
        ("https://apps.example.edu/isp", "/isp"),  # behind a proxy, under a path of a shared host
        ("https://apps.example.edu/lti/isp-2/", "/lti/isp-2"),
    ],
)
def test_a_public_url_is_an_origin_or_a_path_under_one(url, prefix):
    settings = load_settings({**GOOD_PROD, "LMS_PUBLIC_URL": url})
    assert settings.public_url == url and settings.path_prefix == prefix


@pytest.mark.parametrize(
    "given, used",
    [
        ("postgres://u:pw@db/lms", "postgresql+psycopg://u:pw@db/lms"),  # managed databases
        ("postgresql://u:pw@db/lms", "postgresql+psycopg://u:pw@db/lms"),
        ("postgresql+psycopg://u:pw@db/lms", "postgresql+psycopg://u:pw@db/lms"),
    ],
)
def test_postgresql_urls_name_the_driver_the_project_installs(given, used):
    assert load_settings({**GOOD_PROD, "LMS_DATABASE_URL": given}).database_url == used


@pytest.mark.parametrize("url", ["mysql://u@db/lms", "postgresql+psycopg2://db/lms", "db/lms"])
def test_a_database_the_tool_does_not_run_on_is_one_settings_error(url):
    with pytest.raises(SettingsError, match="LMS_DATABASE_URL: the tool runs on PostgreSQL"):
        load_settings({"LMS_DATABASE_URL": url})


@pytest.mark.parametrize(
    "variable, url, words",
    [
        ("LMS_CACHE_URL", "localhost:6379", "got no scheme"),
        ("LMS_CACHE_URL", "memcached://cache:11211", "got 'memcached'"),
        ("LMS_BROKER_URL", "localhost:6379", "got no scheme"),
    ],
)
def test_a_cache_or_broker_url_its_client_cannot_read_is_one_settings_error(variable, url, words):
    with pytest.raises(SettingsError, match=variable) as refused:
        load_settings({variable: url})
    assert words in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "redis://cache:6379/0",
        "rediss://user:pw@cache:6380/0",
        "unix:///run/redis.sock",
        "redis+sentinel://s1:26379,s2:26379/main",
    ],
)
def test_every_redis_form_is_a_cache_url(url):
    assert load_settings({"LMS_CACHE_URL": url}).cache_url == url


def test_masked_hides_secrets_and_passwords():
    shown = load_settings(GOOD_PROD).masked()
    assert "pw" not in shown["LMS_DATABASE_URL"] and "****" in shown["LMS_DATABASE_URL"]
    assert "s" * 40 not in shown["LMS_SECRET_KEY"]
