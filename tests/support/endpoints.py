"""Where the suite and the benchmarks find PostgreSQL and Redis (override with TEST_* vars)."""

from __future__ import annotations

import os

PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql://postgres:postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BROKER_URL = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/1")  # the suite's own
BENCH_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/2")
