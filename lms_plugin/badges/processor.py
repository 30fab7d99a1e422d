"""pyld's JSON-LD processor, doing its context work once per process instead of once per document.

Canonicalizing a credential (canonical.py) is mostly pyld processing contexts. Measured on an issued
Level 1 credential (benchmarks/README.md, "Badges"), three changes take eddsa-rdfc-2022 signing
from 33 ms to 11 ms of CPU with byte-identical output:

- the shipped contexts are resolved once per process: the loader tags them `static` (jsonld.js's
  convention, kept by pyld's ContextResolver), every operation's resolver shares one cache, and
  finds the shipped contexts' scoped contexts by identity before pyld would serialize each (JCS)
  to look it up;
- a type-scoped context (JSON-LD 1.1 API §4.1.2, Context Processing, with `propagate` false) is
  applied to one kept copy of the active context: pyld makes a fresh copy each time, which defeats
  its own cache of processed contexts (keyed by the active context), so the OB 3.0 context's
  type-scoped contexts were processed again for every typed node (every Alignment, every Evidence);
- `expanded_to_rdf` turns an expansion into RDF without expanding it again, as `to_rdf` does;
- an achievement or an issuer profile met again under the same processed context expands to what
  it did before: every credential of a level carries the same achievement (its alignments,
  criteria, image) and the same issuer, so each is expanded once per process rather than once
  per credential (about a third of a Level 1 credential's expansion; MEMO_MAX_CHARS bounds what
  is kept). A learner's own nodes are expanded each time.
"""

from __future__ import annotations

import json
import threading
import uuid
from functools import cache
from typing import Any

from cachetools import LRUCache
from frozendict import frozendict
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer
from pyld.jsonld import JsonLdProcessor

from lms_plugin.badges.loader import document_loader, shipped_contexts


class _LockedLru(LRUCache):  # type: ignore[type-arg]
    """An LRU cache safe to share between threads (cachetools' caches are not)."""

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self._lock = threading.RLock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)


# The shipped contexts by URL and inline (scoped) contexts by their JSON, resolved once per process:
# ours, not pyld's module-wide cache, which another loader in the process could fill. Bounded, as a
# document's own inline contexts take places too (an evicted context is only resolved again).
_RESOLVED_CONTEXTS = _LockedLru(maxsize=1024)
# Active context id -> the copy type-scoped contexts start from (Processor._non_propagating).
_NON_PROPAGATING = _LockedLru(maxsize=1024)
# id() of a shipped scoped context -> pyld's resolution of it (_Resolver); as many as they have.
_SHIPPED_RESOLVED: dict[int, Any] = {}
# A shared node's expansion, by what it depends on (Processor._expand); bounded in count and size.
# The tool's own are a few (an achievement per level and content version, the issuer); checking
# uploaded credentials (POST /credentials/verify, rate-limited) may bring others. A Level 1
# achievement (20 KB of JSON) keeps about 105 KB (its expansion and its key); one at the size
# limit, about 170 KB: 32 of them, some 5 MB per process at most.
_EXPANDED = _LockedLru(maxsize=32)
MEMO_MAX_CHARS = 32_768  # a Level 1 achievement with its alignments and rubric is about 20,000
# The nodes every credential of a level shares (OB 3.0 §B.1.2 Achievement, §B.1.14 Profile).
SHARED_TYPES = frozenset({"Achievement", "Profile"})
_ABSENT = object()


def context_resolver() -> ContextResolver:
    """A resolver for one pyld operation, over the process's cache of resolved contexts."""
    return _Resolver(_RESOLVED_CONTEXTS, document_loader())


class _Resolver(ContextResolver):  # type: ignore[misc]  # pyld is untyped
    """pyld's resolver; a scoped context of a shipped document is looked up by identity first.

    pyld keys an inline context by its JCS serialization, made on every use: a sixth of signing.
    The shipped documents are parsed once and live as long as the process, and pyld changes a
    context in place only for `@import`, which canonical.py refuses: an object is its own key.
    Objects of a caller's document are not, and go pyld's way.
    """

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if not (isinstance(context, dict) and "@context" not in context):
            return super().resolve(active_ctx, context, base, cycles)
        if id(context) not in _shipped_objects():
            return super().resolve(active_ctx, context, base, cycles)
        found = _SHIPPED_RESOLVED.get(id(context))
        if found is None:  # a race only resolves it twice, to the same result
            found = _SHIPPED_RESOLVED[id(context)] = super().resolve(
                active_ctx, context, base, cycles
            )
        return found


@cache
def _shipped_objects() -> frozenset[int]:
    """id() of every object in the shipped context documents."""
    found: set[int] = set()
    pending: list[Any] = list(shipped_contexts().values())
    while pending:
        value = pending.pop()
        if isinstance(value, dict | list):
            found.add(id(value))
            pending.extend(value.values() if isinstance(value, dict) else value)
    return frozenset(found)


class Processor(JsonLdProcessor):  # type: ignore[misc]  # pyld is untyped
    """pyld's processor, reusing processed type-scoped contexts; otherwise pyld's own algorithms."""

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        if not propagate and _sets_no_propagate(local_ctx):
            active_ctx = self._non_propagating(active_ctx)
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: dict[str, Any],
        inside_list: bool = False,
        inside_index: Any = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        args = (active_ctx, active_property, element, options, inside_list, inside_index)
        key = self._memo_key(args, type_scoped_ctx)
        if key is None:
            return super()._expand(*args, type_scoped_ctx)
        found = _EXPANDED.get(key, _ABSENT)
        if found is _ABSENT:
            found = super()._expand(*args, type_scoped_ctx)
            _EXPANDED[key] = _copied(found)  # pyld may change what it returned, later on
            return found
        return _copied(found)

    def _memo_key(self, args: tuple[Any, ...], type_scoped_ctx: Any) -> tuple[Any, ...] | None:
        """What a shared node's expansion (`_expand`'s arguments) depends on, or None to expand
        it pyld's way.

        Processed contexts are frozen and named by their `_uuid`; the node's own JSON stands for
        itself (one without an inline context, so the contexts are those named); the options and
        the handler of dropped properties (which refuses them) are part of the key too.
        """
        active_ctx, active_property, element, options, inside_list, inside_index = args
        if active_property is None or not isinstance(element, dict):
            return None
        if "id" not in element or "@context" in element or not _is_shared(element):
            return None
        contexts = (active_ctx,) if type_scoped_ctx is None else (active_ctx, type_scoped_ctx)
        if not all(isinstance(c, frozendict) and "_uuid" in c for c in contexts):
            return None
        try:
            text = json.dumps(element, separators=(",", ":"))
        except (TypeError, ValueError):
            return None
        if len(text) > MEMO_MAX_CHARS:
            return None
        return (
            tuple(c["_uuid"] for c in contexts),
            active_property,
            inside_list,
            inside_index,
            options.get("base"),
            options.get("isFrame"),
            options.get("processingMode"),
            self.on_property_dropped,
            text,
        )

    def _non_propagating(self, active_ctx: Any) -> Any:
        """The one copy of a processed (frozen) active context that type-scoped contexts start from.

        It is what pyld builds each time (`_clone_active_context` with `previousContext` set), kept
        with an id of its own so that pyld's ResolvedContext cache finds the processed result again.
        """
        if not isinstance(active_ctx, frozendict) or "_uuid" not in active_ctx:
            return active_ctx  # it may still change: pyld's own way
        if active_ctx.get("previousContext"):
            return active_ctx  # pyld makes no copy either
        kept = _NON_PROPAGATING.get(active_ctx["_uuid"])
        if kept is None or kept["previousContext"] is not active_ctx:
            kept = self._clone_active_context(active_ctx)
            kept["previousContext"] = active_ctx
            kept["_uuid"] = str(uuid.uuid4())
            _NON_PROPAGATING[active_ctx["_uuid"]] = kept
        return kept

    def expanded_to_rdf(self, expanded: list[Any], options: dict[str, Any]) -> dict[str, Any]:
        """The RDF dataset of an expanded document: pyld 3.3's `to_rdf` after its expansion.

        JSON-LD 1.1 API §8.2 (Deserialize JSON-LD to RDF). `options` needs `to_rdf`'s defaults
        (`processingMode`, `produceGeneralizedRdf`); graphs with relative names, which `to_rdf`
        skips, are the caller's to refuse. A test keeps the result equal to `to_rdf`'s.
        """
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        self._create_node_map(expanded, node_map, "@default", issuer)
        return {
            name: self._graph_to_rdf(graph, issuer, options)
            for name, graph in sorted(node_map.items())
        }


def _is_shared(node: dict[str, Any]) -> bool:
    types = node.get("type")
    if isinstance(types, str):
        return types in SHARED_TYPES
    return isinstance(types, list) and any(t in SHARED_TYPES for t in types if isinstance(t, str))


def _copied(value: Any) -> Any:
    """A copy of expanded JSON-LD (dicts, lists and immutable scalars)."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def _sets_no_propagate(local_ctx: Any) -> bool:
    """Whether the first context is an object without `@propagate` (pyld would then copy too)."""
    if isinstance(local_ctx, dict) and "@context" in local_ctx:
        local_ctx = local_ctx["@context"]
    first = local_ctx[0] if isinstance(local_ctx, list) and local_ctx else local_ctx
    return isinstance(first, dict) and "@propagate" not in first
