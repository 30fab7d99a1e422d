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


def test_masked_hides_secrets_and_passwords():
    shown = load_settings(GOOD_PROD).masked()
    assert "pw" not in shown["LMS_DATABASE_URL"] and "****" in shown["LMS_DATABASE_URL"]
    assert "s" * 40 not in shown["LMS_SECRET_KEY"]
