"""A request's rate-limit counts, sent in the store round trip its route makes anyway.

``/lti/login`` writes its state record and ``/lti/launch`` pops it, each in one store round
trip. Their per-address counts (``LMS_RATE_LIMIT_LTI``) go in that round trip as
:class:`~lms_plugin.kv.Count` ops, instead of a round trip of their own through the ``limits``
library (``web.rate_limits``, which still counts every other limited route). The limits are the
library's (``RateLimitItem``: amount, period, key) and so is the count: a fixed window that
opens at an address's first request. Only the counter moved, and it is one Redis script of
three lines (``kv._COUNT_SCRIPT``: the library's steps, and the window's seconds left) or one
upsert in the embedded store.

Why: on Redis, a login + launch made five round trips, two of them these counts. Measured with
``benchmarks/launch.py`` (benchmarks/README.md, "Rate-limit counts in the launch's own round
trips"), folding them saved 0.15 to 0.2 ms of the web workers' CPU and 0.06 ms of Redis's per
login + launch: complete launches went from 0.34-0.35 to 0.37-0.38 of the one-query route.
A production launch also waits for two fewer round trips to a Redis on another machine.

A request is counted once whatever becomes of it: a refused login or launch that never reached
its round trip is counted alone on the way out (:meth:`Budget.counted`), and past its limit the
answer is the 429, not the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from limits import RateLimitItem

from lms_plugin.domain.errors import RateLimitedError
from lms_plugin.kv import Count, KeyValueStore

KEY_PREFIX = "ratelimit:"  # under the cache prefix, as web.rate_limits keys the library's counters


class Budget:
    """One request's counts against ``limits`` for ``identifiers`` (client address, endpoint)."""

    def __init__(self, limits: Sequence[RateLimitItem], *identifiers: str) -> None:
        self._limits = list(limits)
        self._identifiers = identifiers
        self._settled = not self._limits

    @property
    def ops(self) -> list[Count]:
        """The store ops that count this request (none once settled, or with no limits)."""
        if self._settled:
            return []
        return [
            Count(KEY_PREFIX + limit.key_for(*self._identifiers), int(limit.get_expiry()))
            for limit in self._limits
        ]

    def settle(self, replies: Sequence[Any]) -> None:
        """Read the replies to :attr:`ops` (taken before the round trip); past a limit, refuse."""
        if self._settled:
            return
        self._settled = True
        for limit, (count, seconds_left) in zip(self._limits, replies, strict=True):
            if count > limit.amount:
                window = int(limit.get_expiry())
                raise RateLimitedError(max(1, min(window, seconds_left)))

    def settle_alone(self, store: KeyValueStore) -> None:
        """Count this request in a round trip of its own (when no other one carried it)."""
        if not self._settled:
            self.settle(store.batch(self.ops))

    @contextmanager
    def counted(self, store: KeyValueStore) -> Iterator[Budget]:
        """Make sure this request is counted: a route that ended (refused, or without a round
        trip) before its ops went anywhere is counted alone on the way out, and an address past
        its limit gets the 429 instead of whatever the route answered (a 429 raised by
        :meth:`settle` has settled already: nothing more is counted)."""
        try:
            yield self
        finally:
            self.settle_alone(store)


UNCOUNTED = Budget(())  # the route's limits are counted elsewhere (web.rate_limits), or none
