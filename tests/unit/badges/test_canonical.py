"""Canonicalization over the shipped contexts: unknown contexts, undefined terms, relative IRIs and
control characters are refused, and nothing ever touches the network."""

from __future__ import annotations

import socket
from typing import Any, NoReturn

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.errors import CredentialError, UnknownContextError
from lms_plugin.badges.loader import document_loader
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.verify import verify_credential
from tests.support.badges import NOW, make_credential, make_profile, sign

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
UNKNOWN = "https://contexts.example.org/v1"


def test_a_credential_naming_an_unknown_context_is_refused_not_fetched():
    credential = make_credential()
    credential["@context"] = [*credential["@context"], UNKNOWN]
    with pytest.raises(UnknownContextError) as caught:
        sign(credential, KEY)
    assert caught.value.url == UNKNOWN and caught.value.code == "unknown_context"


def test_an_unknown_context_nested_inside_the_credential_is_refused_too():
    credential = make_credential()
    credential["credentialSubject"]["@context"] = UNKNOWN
    with pytest.raises(UnknownContextError):
        canonicalize(credential)


def test_the_loader_refuses_any_url_outside_the_index():
    loader = document_loader()
    assert loader("https://www.w3.org/ns/credentials/v2", {})["document"]["@context"]
    with pytest.raises(UnknownContextError):
        loader("https://www.w3.org/ns/credentials/v3", {})


def test_signing_and_verifying_work_with_the_network_blocked(monkeypatch: pytest.MonkeyPatch):
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError(f"network used: {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(AssertionError):  # the block is real
        socket.create_connection(("127.0.0.1", 9))
    signed = sign(make_credential(), KEY)
    verify_credential(signed, profile_resolver([make_profile(KEY)]), now=NOW)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"colour": "blue"}, id="undefined-term"),
        pytest.param({"id": "credentials/1"}, id="relative-id"),
        pytest.param({"type": ["VerifiableCredential", "Badge"]}, id="relative-type"),
        pytest.param({"name": "bell\x07"}, id="control-character"),
    ],
)
def test_a_document_verifiers_would_read_differently_is_refused(change: dict[str, Any]):
    with pytest.raises(CredentialError) as caught:
        canonicalize(make_credential(**change))
    assert caught.value.code == "jsonld_invalid"


def test_tab_newline_and_unicode_are_fine():
    nquads = canonicalize(make_credential(name="Tab\there\nnew line, «ISP» ✓"))
    assert '"Tab\\there\\nnew line, «ISP» ✓"' in nquads


def test_a_poison_graph_is_refused_instead_of_hashed_without_end():
    # Eight indistinguishable blank nodes pointing at each other: N-degree hashing explodes.
    nodes = [
        {
            "@id": f"_:n{i}",
            "https://example.org/p": [{"@id": f"_:n{j}"} for j in range(8) if j != i],
        }
        for i in range(8)
    ]
    with pytest.raises(CredentialError, match="entangled") as caught:
        canonicalize({"@context": {"p": "https://example.org/p"}, "@graph": nodes})
    assert caught.value.code == "jsonld_invalid"
