"""Gauges read when /metrics is scraped: broker queue depths and the score outbox by state.

They describe shared state (the broker, the database), so every web process would report the
same values: they are read at scrape time by the process answering, never kept per process.
A part that cannot be read is left out of that scrape (and logged), so /metrics still answers
while Redis or the database is away (/readyz is what reports that).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import redis
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

QUEUES = ("grading", "lms", "badges", "default")  # worker.config.QUEUES
OUTBOX_STATES = ("pending", "sent", "failed")
# kombu's Redis transport keeps a queue's priorities 3, 6 and 9 in lists of their own
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def short_redis(url: str, timeout: float) -> redis.Redis:
    """A client that gives up after ``timeout`` seconds and never retries (a probe, not a
    person's request)."""
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False
    )


class QueueDepths(Collector):
    """Messages waiting in each broker queue: LLEN on Redis, message files on the embedded
    file-system broker; other brokers (RabbitMQ) report through their own exporters."""

    def __init__(self, broker_url: str, broker_folder: Path, timeout: float) -> None:
        self._url = broker_url
        self._folder = broker_folder
        self._redis = (
            short_redis(broker_url, timeout)
            if broker_url.startswith(("redis://", "rediss://"))
            else None
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            depths = self.depths()
        except (redis.RedisError, OSError) as exc:
            log.warning("queue depths not read: %s", exc.__class__.__name__)
            return
        if depths is None:
            return
        family = GaugeMetricFamily(
            "lms_queue_messages", "Messages waiting in a broker queue", labels=["queue"]
        )
        for queue, depth in depths.items():
            family.add_metric([queue], depth)
        yield family

    def depths(self) -> dict[str, int] | None:
        if self._redis is not None:
            pipe = self._redis.pipeline(transaction=False)
            for queue in QUEUES:
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(queue + suffix)
            lengths = pipe.execute()
            step = len(PRIORITY_SUFFIXES)
            return {q: sum(lengths[i * step : (i + 1) * step]) for i, q in enumerate(QUEUES)}
        if self._url.startswith("filesystem://"):
            counts = dict.fromkeys(QUEUES, 0)
            with os.scandir(self._folder) as entries:
                for entry in entries:  # <ms>_<uuid>.<queue>.msg
                    queue = entry.name.partition(".")[2].removesuffix(".msg")
                    if queue in counts:
                        counts[queue] += 1
            return counts
        return None


class OutboxStates(Collector):
    """Score outbox rows by state (pending, sent, failed): one grouped count per scrape."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(
                    text("SELECT status, count(*) FROM score_outbox GROUP BY status")
                ).all()
        except Exception as exc:  # the database is away: /readyz says so
            log.warning("score outbox not read: %s", exc.__class__.__name__)
            return
        counts = dict.fromkeys(OUTBOX_STATES, 0) | {str(s): int(n) for s, n in rows}
        family = GaugeMetricFamily(
            "lms_score_outbox_rows", "Score outbox rows by state", labels=["state"]
        )
        for state, count in sorted(counts.items()):
            family.add_metric([state], count)
        yield family
