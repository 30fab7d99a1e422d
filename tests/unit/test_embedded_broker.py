"""The embedded (file-system) broker keeps every file under the instance folder."""

from __future__ import annotations

from lms_plugin.settings import load_settings
from worker import dispatch


def test_dispatch_writes_only_under_the_instance_folder(tmp_path, monkeypatch):
    instance, elsewhere = tmp_path / "instance", tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings({"LMS_INSTANCE_DIR": str(instance)})

    dispatch.touch(settings, "t1")

    assert list(elsewhere.iterdir()) == []  # kombu's default control folder is the cwd
    assert (settings.broker_folder / "control" / "default.exchange").is_file()
    assert len([p for p in settings.broker_folder.glob("*.msg")]) == 1
