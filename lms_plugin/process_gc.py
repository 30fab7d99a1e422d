"""Python's cyclic garbage collector, told what a long-running process made at startup.

A web or worker process holds some 240,000 objects from loading the tool (modules, functions,
classes, SQLAlchemy's, Celery's and pyld's tables). A full collection walks them all: 60 to
115 ms of CPU on the 2-core test machine, landing in the middle of whatever request or task ran
when it came. ``benchmarks/badges.py`` showed it as the p99 of issuing a credential, 115 ms of
CPU against a p50 of 18 ms (50 issues, one full collection among them).

``gc.freeze()``, Python's documented remedy for long-lived startup objects (and for sharing
memory with forked children), moves everything alive now to a permanent generation that
collections no longer walk; what the process makes afterwards is collected as before. Called
once per process, after the app is loaded (gunicorn's ``post_worker_init``, Celery's
``worker_init`` and ``worker_process_init``).
"""

from __future__ import annotations

import gc


def freeze_startup_objects() -> int:
    """Collect what startup left as garbage, then freeze the rest; returns how many objects are
    frozen now."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
