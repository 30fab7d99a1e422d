"""The outbound guard: which addresses count as public, and that a call connects to the address
that was checked (urllib3 never resolves the name again) while TLS still verifies the name."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask, request
from werkzeug.serving import make_server

from lms_plugin.domain.errors import UpstreamError
from lms_plugin.lti.outbound import AddressNotAllowedError, Outbound, is_public
from tests.support.hostile_http import RecordingServer


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),  # IPv4-mapped: judged by the IPv4 address
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # link-local: cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - unspecified (Linux connects it to loopback)
        ("255.255.255.255", False),
        ("224.0.0.1", False),  # multicast: Python's is_global alone says True
        ("239.255.255.250", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("240.0.0.1", False),  # reserved
        ("::1", False),
        ("::", False),
        ("fe80::1%eth0", False),  # link-local with a zone
        ("fd12::1", False),  # unique local
        ("ff0e::1", False),  # global-scope multicast
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b:1::1", False),  # local-use NAT64 (RFC 8215)
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::127.0.0.1", False),  # deprecated IPv4-compatible form
        ("2001:db8::1", False),
    ],
)
def test_public_addresses(address, public):
    assert is_public(address) is public


@pytest.fixture
def echo() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    server.reply = lambda: {"host": request.headers["Host"]}
    yield server
    server.stop()


class Resolver:
    """A DNS of the test's own: names the system cannot resolve, and a count of look-ups."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return self.names[host]


def _outbound(resolver: Resolver, *, allow_private: bool) -> Outbound:
    return Outbound(allow_private=allow_private, budget=5, user_agent="t", resolver=resolver)


def test_a_call_connects_to_the_address_it_resolved_once_with_the_host_name_kept(echo):
    resolver = Resolver({"lms.test": ["127.0.0.1"]})  # no real DNS knows lms.test

    answer = _outbound(resolver, allow_private=True).request("GET", f"http://lms.test:{echo.port}/")

    assert answer.status == 200 and answer.json("u") == {"host": f"lms.test:{echo.port}"}
    assert resolver.lookups == ["lms.test"]


def test_every_address_of_a_name_is_checked_and_none_is_called(echo):
    resolver = Resolver({"lms.test": ["93.184.216.34", "127.0.0.1"]})

    with pytest.raises(AddressNotAllowedError):
        _outbound(resolver, allow_private=False).request("GET", f"http://lms.test:{echo.port}/")

    assert echo.requests == []


@pytest.fixture
def tls_lms(tmp_path: Path, monkeypatch) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 whose certificate names lms.test only; trusted as the CA
    bundle the LMS client reads."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lms.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("lms.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    app = Flask("tls")
    app.add_url_rule("/", "root", lambda: {"sni": "ok"})
    server = make_server("127.0.0.1", 0, app, ssl_context=context)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_tls_verifies_the_host_name_not_the_pinned_address(tls_lms):
    resolver = Resolver({"lms.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})

    answer = _outbound(resolver, allow_private=True).request("GET", f"https://lms.test:{tls_lms}/")
    with pytest.raises(UpstreamError, match="TLS certificate"):
        _outbound(resolver, allow_private=True).request("GET", f"https://other.test:{tls_lms}/")

    assert answer.json("u") == {"sni": "ok"}
