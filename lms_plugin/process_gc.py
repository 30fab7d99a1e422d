"""Python's cyclic garbage collector, set up for a long-running web or worker process.

A web or worker process holds some 240,000 objects from loading the tool (modules, functions,
classes, SQLAlchemy's, Celery's and pyld's tables). A full collection walks them all: 60 to
115 ms of CPU on the 2-core test machine, landing in the middle of whatever request or task ran
when it came. ``benchmarks/badges.py`` showed it as the p99 of issuing a credential, 115 ms of
CPU against a p50 of 18 ms (50 issues, one full collection among them).

``gc.freeze()``, Python's documented remedy for long-lived startup objects (and for sharing
memory with forked children), moves everything alive now to a permanent generation that
collections no longer walk; what the process makes afterwards is collected as before.

What the process keeps after startup (the content it loaded, SQLAlchemy's compiled statements,
pyld's processed contexts: some 30,000 to 40,000 objects once warm) is still walked by every
full collection, 6 to 10 ms of CPU each. With Python's default thresholds (700, 10, 10) one
came every 100 young collections: three in 50 credentials issued, each the p99 of its run.
``FULL_COLLECTION_THRESHOLD`` spaces them a hundredfold (about one in 1,600 credentials issued);
the young generations, where nearly all garbage dies, are collected as often as before.

Called once per process, after the app is loaded (gunicorn's ``post_worker_init``, Celery's
``worker_init`` and ``worker_process_init``).
"""

from __future__ import annotations

import gc

FULL_COLLECTION_THRESHOLD = 1000  # Python's default: 10 (middle-generation collections)


def prepare_collector() -> int:
    """Collect what startup left as garbage, freeze the rest, space full collections; returns
    how many objects are frozen now."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_THRESHOLD)
    return gc.get_freeze_count()
