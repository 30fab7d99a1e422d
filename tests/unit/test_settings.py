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
        ("https://apps.example.edu/isp", "not under a path ('/isp')"),
        ("https://apps.example.edu/isp/", "not under a path ('/isp/')"),
        ("https://isp.example.edu/?x=1", "only the scheme, host and port"),
        ("https://user:pw@isp.example.edu", "only the scheme, host and port"),
    ],
)
def test_a_public_url_that_is_not_an_origin_is_refused_in_every_environment(url, words):
    """The pages and their scripts call root paths (/api/v1/...), so a tool behind a proxy
    under /isp/ would launch and then lose every link: refused at start, with the reason."""
    for env in ({}, GOOD_PROD):
        with pytest.raises(SettingsError, match="LMS_PUBLIC_URL") as refused:
            load_settings({**env, "LMS_PUBLIC_URL": url})
        assert words in str(refused.value)


@pytest.mark.parametrize(
    "url", ["https://isp.example.edu", "https://isp.example.edu/", "https://isp.example.edu:8443"]
)
def test_an_origin_is_a_public_url(url):
    assert load_settings({**GOOD_PROD, "LMS_PUBLIC_URL": url}).public_url == url


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
