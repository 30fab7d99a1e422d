"""Contexts processed once per process (badges/processor.py): the canonical form stays pyld's own,
whatever was canonicalized before, and a document cannot change the shipped contexts."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cachetools import LRUCache
from pyld import context_resolver, jsonld
from pyld.canon import URDNA2015

from lms_plugin.badges import processor
from lms_plugin.badges.canonical import _BoundedRdfc, canonicalize
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.loader import (
    CREDENTIALS_V2,
    ShippedContextLoader,
    document_loader,
    shipped_contexts,
)
from lms_plugin.badges.status_list import StatusList, status_list_credential
from lms_plugin.domain.credentials import build_credential
from tests.support.badges import load_vector, make_credential, make_data

EX = "https://example.org/terms#"


def _pyld_alone(document: dict[str, Any]) -> str:
    """pyld's `normalize` as shipped: stock processor, nothing kept from one call to the next."""
    loader = document_loader()
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": loader,
        "contextResolver": context_resolver.ContextResolver(LRUCache(maxsize=100), loader),
        "base": None,
        "rdfDirection": "i18n-datatype",
    }
    return str(jsonld.normalize(copy.deepcopy(document), options))


def _typed(
    types: list[str], scoped: dict[str, Any], inner: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A typed node whose own context gives each type a scoped context (JSON-LD 1.1 §4.1.8), with
    `extra` properties, and an untyped child node with `inner` ones."""
    context = {"@version": 1.1, "id": "@id", "type": "@type", "name": f"{EX}name"}
    context.update({t: {"@id": f"{EX}{t}", "@context": scoped[t]} for t in scoped})
    context["child"] = {"@id": f"{EX}child"}
    return {
        "@context": context,
        "id": "urn:example:1",
        "type": types,
        "child": {"id": "urn:example:2", "name": "inner", **(inner or {})},
        **extra,
    }


def _vector_parts() -> list[dict[str, Any]]:
    signed = load_vector("1edtech-ob3-eddsa-test-vector.json")
    proof = signed.pop("proof")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    return [signed, config | {"@context": signed["@context"]}]


def _documents() -> list[dict[str, Any]]:
    status = status_list_credential(
        "https://badges.example.edu/status/1",
        "https://badges.example.edu/issuer",
        StatusList.empty(),
        "2024-01-01T00:00:00Z",
    )
    level = build_credential(make_data())
    level["credentialSubject"]["achievement"]["alignment"] *= 3  # many nodes of one type
    # Another learner's credential: the same achievement and issuer, met again.
    another = build_credential(make_data(subject_id="urn:uuid:another", email_identity=None))
    return [
        *_vector_parts(),
        make_credential(),
        level,
        another,
        status,
        # The same type names with other scoped contexts: nothing carries over between them.
        _typed(["Thing"], {"Thing": {"size": f"{EX}size-a"}}, size="1"),
        _typed(["Thing"], {"Thing": {"size": f"{EX}size-b"}}, size="2"),
        # Two types, each with a scoped context; and one that propagates to nested nodes.
        _typed(["A", "B"], {"A": {"a": f"{EX}a"}, "B": {"b": f"{EX}b"}}, a="x", b="y"),
        _typed(["P"], {"P": {"@propagate": True, "size": f"{EX}deep"}}, {"size": "4"}, size="3"),
    ]


def test_the_canonical_form_is_pyld_s_own_in_any_order():
    documents = _documents()
    expected = [_pyld_alone(d) for d in documents]
    for order in (documents, documents[::-1], documents + documents):
        for document in order:
            assert canonicalize(document) == expected[documents.index(document)]


def test_each_blank_node_s_first_degree_hash_is_pyld_s_own():
    """The cheaper blank-node copy (canonical._BoundedRdfc) hashes every node as pyld does."""
    options = {"documentLoader": document_loader(), "base": None, "rdfDirection": "i18n-datatype"}
    credential = build_credential(make_data())
    # Blank nodes linked to blank nodes: each hashes the other as `_:z`.
    credential["credentialSubject"]["result"] = [{"type": ["Result"], "value": "1"}]
    credential["credentialSubject"].pop("id")
    hashes = []
    for canonicalizer in (_BoundedRdfc(), URDNA2015()):
        dataset = jsonld.to_rdf(credential, options)
        canonicalizer.main(dataset, {"format": "application/n-quads"})
        hashes.append({node: info["hash"] for node, info in canonicalizer.blank_node_info.items()})
    assert len(hashes[0]) >= 5
    assert hashes[0] == hashes[1]


def test_a_type_scoped_context_stops_at_its_node_unless_it_propagates():
    shallow = _typed(["Q"], {"Q": {"size": f"{EX}shallow"}}, size="3")
    assert canonicalize(shallow).count(f"<{EX}shallow>") == 1
    with pytest.raises(CredentialError, match="size"):  # undefined in the child
        canonicalize(_typed(["Q"], {"Q": {"size": f"{EX}shallow"}}, {"size": "4"}, size="3"))
    deep = _typed(["P"], {"P": {"@propagate": True, "size": f"{EX}deep"}}, {"size": "4"}, size="3")
    assert canonicalize(deep).count(f"<{EX}deep>") == 2  # the node and its child


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Counts of loads, term definitions and JCS serializations pyld makes."""
    counted = {"loads": 0, "terms": 0, "jcs": 0}

    def counting(name: str, owner: Any, attribute: str) -> None:
        original = getattr(owner, attribute)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, wrapper)

    counting("loads", ShippedContextLoader, "__call__")
    counting("terms", jsonld.JsonLdProcessor, "_create_term_definition")
    counting("jcs", context_resolver, "canonicalize")
    yield counted


def test_the_shipped_contexts_are_loaded_and_processed_once_per_process(calls: dict[str, int]):
    level = build_credential(make_data())
    canonicalize(level)  # the first one may load and process
    calls.update(loads=0, terms=0, jcs=0)
    for _ in range(3):
        canonicalize(level)
        canonicalize(make_credential(name="Another"))
    assert calls == {"loads": 0, "terms": 0, "jcs": 0}


def test_an_achievement_and_an_issuer_met_again_are_expanded_once(monkeypatch: pytest.MonkeyPatch):
    expanded: list[str] = []
    original = jsonld.JsonLdProcessor._expand_object

    def counting(self: Any, active_ctx: Any, active_property: Any, *args: Any, **kw: Any) -> Any:
        expanded.append(str(active_property))
        return original(self, active_ctx, active_property, *args, **kw)

    monkeypatch.setattr(jsonld.JsonLdProcessor, "_expand_object", counting)
    canonicalize(build_credential(make_data()))
    second = build_credential(make_data(subject_id="urn:uuid:someone-else"))
    expected = _pyld_alone(second)
    expanded.clear()
    assert canonicalize(second) == expected
    # The subject is this learner's; its achievement (with its alignments) is the level's.
    assert "credentialSubject" in expanded and "achievement" not in expanded
    assert "alignment" not in expanded and "issuer" not in expanded


def test_an_achievement_kept_under_one_context_is_still_refused_under_another():
    credential = make_credential()
    canonicalize(credential)  # its achievement expanded under the OB 3.0 context
    achievement = credential["credentialSubject"]["achievement"]
    elsewhere = {  # the same achievement, where only `achievement` itself is defined
        "@context": [CREDENTIALS_V2, {"achievement": {"@id": f"{EX}achievement"}}],
        "id": "urn:example:1",
        "type": ["VerifiableCredential"],
        "issuer": "https://example.edu/issuer",
        "validFrom": "2026-02-01T09:30:00Z",
        "credentialSubject": {"id": "urn:example:2", "achievement": achievement},
    }
    with pytest.raises(CredentialError, match="achievementType"):
        canonicalize(elsewhere)
    with_colour = make_credential()
    with_colour["credentialSubject"]["achievement"]["colour"] = "blue"
    for _ in range(2):  # a refusal is not kept as an expansion
        with pytest.raises(CredentialError, match="colour"):
            canonicalize(with_colour)


def test_what_is_kept_of_expansions_is_bounded():
    huge = "x" * (processor.MEMO_MAX_CHARS + 1)
    achievement = make_credential()["credentialSubject"]["achievement"] | {"description": huge}
    credential = make_credential()
    credential["credentialSubject"]["achievement"] = achievement
    assert canonicalize(credential) == _pyld_alone(credential)
    assert not [key for key in processor._EXPANDED if huge in key[-1]]
    for n in range(40):  # as many uploaded credentials, each with an achievement of its own
        other = make_credential()
        other["credentialSubject"]["achievement"]["name"] = f"Achievement {n}"
        canonicalize(other)
    assert 0 < len(processor._EXPANDED) <= 32


def test_import_is_refused_and_the_shipped_context_left_as_published():
    published = json.dumps(shipped_contexts()[CREDENTIALS_V2], sort_keys=True)
    importing = {
        "@context": [{"@import": CREDENTIALS_V2, "colour": f"{EX}colour"}],
        "id": "urn:example:1",
        "colour": "blue",
    }
    with pytest.raises(CredentialError, match="@import") as caught:
        canonicalize(importing)
    assert caught.value.code == "jsonld_invalid"
    assert json.dumps(shipped_contexts()[CREDENTIALS_V2], sort_keys=True) == published
    with pytest.raises(CredentialError, match="colour"):  # still an undefined term afterwards
        canonicalize(make_credential(colour="blue"))
