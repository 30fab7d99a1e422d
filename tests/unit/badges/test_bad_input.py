"""Whatever a caller sends to verify, the answer is a CredentialError with a code (a 4xx for the
web), never another exception (a 500)."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.status_list import StatusList, read_status, status_list_credential
from lms_plugin.badges.verify import verify_credential
from tests.support.badges import NOW, make_credential, make_profile, sign

KEY = Ed25519PrivateKey.from_private_bytes(b"\x31" * 32)
SIGNED = sign(make_credential(), KEY)
RESOLVE = profile_resolver([make_profile(KEY)])
KEYWORDS = ["@id", "@type", "@context", "@graph", "@list", "@value", "@language", "@reverse"]
KEYWORDS += ["@vocab", "@base", "@version", "@protected", "@index", "@nest", "@included", "@set"]
LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
LEAVES |= st.text(max_size=8) | st.sampled_from([*KEYWORDS, "https://x.example/a", "_:b0", "0"])
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from([*KEYWORDS, "id", "type", "name", "proof"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in children:
        yield from _paths(value, (*prefix, key))


PATHS = list(_paths(SIGNED))[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PATHS), JSON)
@example(("@context",), "")  # pyld raised ValueError for these two
@example(("@context",), "0")
@example(("proof",), [])
def test_any_part_of_a_credential_replaced_by_anything_is_a_credential_error(
    path: tuple[Any, ...], value: Any
):
    changed = copy.deepcopy(SIGNED)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    try:
        verify_credential(changed, RESOLVE, now=NOW)
    except CredentialError as exc:
        assert exc.code and exc.status == 422


@given(JSON)
@example([])
def test_a_credential_that_is_not_an_object_is_a_credential_error(value: Any):
    with contextlib.suppress(CredentialError):
        verify_credential(value, RESOLVE, now=NOW)
    listed = status_list_credential(
        "https://l.example/1", "https://i.example", StatusList.empty(), "2026-01-01T00:00:00Z"
    )
    with contextlib.suppress(CredentialError):
        read_status(listed, value)
