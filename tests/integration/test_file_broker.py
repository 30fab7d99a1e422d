"""The embedded broker under concurrent writers and readers, in separate processes.

kombu's own file-system channel lets a reader take a message file its writer has created but
not yet written (kombu issue #1551): the reader gets an empty body, the message is lost and a
Celery worker stops. These tests drive the broker the way web, beat and worker do, through the
connection `celery_config` describes.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any

from celery import Celery
from kombu import Connection

from lms_plugin.settings import load_settings
from worker import file_broker
from worker.config import celery_config

QUEUE = "grading"
PAD = "x" * 2000  # a message the size of a task with headers


def _connection(instance: Path) -> Connection:
    config = celery_config(load_settings({"LMS_INSTANCE_DIR": str(instance)}))
    return Connection(
        config["broker_url"],
        transport=config["broker_transport"],
        transport_options=config["broker_transport_options"],
    )


def _produce(instance: Path, first: int, count: int) -> None:
    with _connection(instance) as conn:
        queue = conn.SimpleQueue(QUEUE)
        for i in range(first, first + count):
            queue.put({"i": i, "pad": PAD})


def _consume(instance: Path, expected: int, deadline: float, until_empty: bool = False) -> Any:
    seen: list[int] = []
    unreadable = 0
    with _connection(instance) as conn:
        queue = conn.SimpleQueue(QUEUE)
        while len(seen) < expected and time.monotonic() < deadline:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                if until_empty:
                    break
                continue
            except json.JSONDecodeError:
                unreadable += 1
                continue
            assert message.payload["pad"] == PAD
            seen.append(message.payload["i"])
            message.ack()
    return {"seen": seen, "unreadable": unreadable}


def _spawn(target: Any, *args: Any) -> multiprocessing.process.BaseProcess:
    # A process of its own each: kombu keeps the queue bindings it declared in a process-wide
    # state, and would not write them into a second test's broker folder.
    process = multiprocessing.get_context("spawn").Process(target=target, args=args)
    process.start()
    return process


def _produced(instance: Path, count: int) -> None:
    writer = _spawn(_produce, instance, 0, count)
    writer.join(60)
    assert writer.exitcode == 0


def test_the_embedded_broker_is_mended_kombus_file_transport(tmp_path):
    app = Celery("check")
    app.conf.update(celery_config(load_settings({"LMS_INSTANCE_DIR": str(tmp_path)})))

    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, file_broker.Transport)


def test_the_embedded_broker_names_no_host_and_warns_of_none(tmp_path, caplog):
    # kombu warns "No hostname was supplied. Reverting to default 'localhost'" for a URL
    # without a host, in every worker's and the demo's output; the files have no host.
    with caplog.at_level(logging.WARNING), _connection(tmp_path) as conn:
        info = conn.info()

    assert info["hostname"] is None
    assert [r.getMessage() for r in caplog.records if r.name.startswith("kombu")] == []


def test_a_reader_never_takes_a_message_its_writer_has_not_finished(tmp_path):
    sent = 3000
    writer = _spawn(_produce, tmp_path, 0, sent)

    result = _consume(tmp_path, sent, time.monotonic() + 60)
    writer.join(30)
    assert writer.exitcode == 0

    assert result["unreadable"] == 0
    assert sorted(result["seen"]) == list(range(sent))  # every message once, whole
    assert list((tmp_path / "broker" / "processed").iterdir()) == []
    assert list((tmp_path / "broker" / "writing").iterdir()) == []


def test_two_readers_take_each_message_exactly_once(tmp_path):
    sent = 1500
    _produced(tmp_path, sent)

    with multiprocessing.get_context("spawn").Pool(2) as pool:
        args = (tmp_path, sent, time.monotonic() + 60, True)
        results = [r.get(90) for r in [pool.apply_async(_consume, args) for _ in range(2)]]

    taken = [i for r in results for i in r["seen"]]
    assert [r["unreadable"] for r in results] == [0, 0]
    assert sorted(taken) == list(range(sent))  # none twice, none lost


def test_a_message_file_that_is_not_a_message_is_set_aside_and_the_next_is_read(tmp_path, caplog):
    _produced(tmp_path, 1)
    folder = tmp_path / "broker"
    (folder / f"0_{'0' * 36}.{QUEUE}.msg").write_bytes(b"")  # sorts first

    with caplog.at_level(logging.ERROR, logger="worker.file_broker"):
        result = _consume(tmp_path, 1, time.monotonic() + 10)

    assert result == {"seen": [0], "unreadable": 0}
    assert [p.name for p in (folder / "processed").iterdir()] == [f"0_{'0' * 36}.{QUEUE}.msg"]
    assert "not readable" in caplog.text


def test_drafts_a_stopped_writer_left_are_swept_and_fresh_ones_kept(tmp_path, caplog):
    _produced(tmp_path, 1)  # makes the folders
    drafts = tmp_path / "broker" / "writing"
    stale, fresh = drafts / f"1_{'1' * 36}.{QUEUE}.msg", drafts / f"2_{'2' * 36}.{QUEUE}.msg"
    stale.write_bytes(b'{"half a mess')
    fresh.write_bytes(b'{"being writ')
    two_hours_ago = time.time() - 2 * 3600
    os.utime(stale, (two_hours_ago, two_hours_ago))

    with caplog.at_level(logging.WARNING, logger="worker.file_broker"):
        _produce(tmp_path, 1, 1)  # a new process's first channel

    assert sorted(p.name for p in drafts.iterdir()) == [fresh.name]
    assert "left by a stopped writer" in caplog.text
    assert _consume(tmp_path, 2, time.monotonic() + 10) == {"seen": [0, 1], "unreadable": 0}
