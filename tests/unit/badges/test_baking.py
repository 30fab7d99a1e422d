"""OB 3.0 baked badges: bake and unbake round trips in PNG and SVG, the iTXt chunk and the SVG
element exactly as the spec writes them, and every bad upload refused with a BakingError."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from lms_plugin.badges.baking import (
    SVG_NAMESPACE,
    BakingError,
    ImageTooLargeError,
    bake_png,
    bake_svg,
    unbake,
)
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.vc_jwt import decode_vc_jwt, encode_vc_jwt
from lms_plugin.badges.verify import verify_credential
from tests.support.badges import NOW, make_credential, make_profile, sign

KEY = Ed25519PrivateKey.from_private_bytes(b"\x77" * 32)
SIGNED = sign(make_credential(name="ISP Level 1 — Zoë's ]]> badge"), KEY)
JWT = encode_vc_jwt(SIGNED, KEY, kid=None)
SVG_NS = "http://www.w3.org/2000/svg"
PLAIN_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img">\n'
    b"  <title>Badge</title>\n"
    b'  <circle cx="50" cy="50" r="40" fill="#0b6e69"/>\n'
    b"</svg>\n"
)


def _png(colour: str = "#0b6e69") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


PLAIN_PNG = _png()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The PNG's chunks, read here by hand (independently of the code under test)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + body)
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def _png_with(*extra: tuple[bytes, bytes]) -> bytes:
    """PLAIN_PNG with `extra` chunks inserted after IHDR (CRCs computed here)."""
    chunks = _chunks(PLAIN_PNG)
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    for kind, body in [chunks[0], *extra, *chunks[1:]]:
        out.write(struct.pack(">I", len(body)) + kind + body)
        out.write(struct.pack(">I", zlib.crc32(kind + body)))
    return out.getvalue()


def _itxt(keyword: bytes, text: bytes, compressed: bool = False) -> tuple[bytes, bytes]:
    flag = b"\x01\x00" if compressed else b"\x00\x00"
    return (
        b"iTXt",
        keyword + b"\0" + flag + b"\0\0" + (zlib.compress(text) if compressed else text),
    )


def _verify_json(credential: Any) -> None:
    verify_credential(credential, profile_resolver([make_profile(KEY)]), now=NOW)


def _verify_jwt(token: Any) -> None:
    decode_vc_jwt(token, lambda header: KEY.public_key(), now=NOW)


@pytest.mark.parametrize("bake", [bake_png, bake_svg], ids=["png", "svg"])
def test_a_signed_credential_survives_baking_and_still_verifies(bake: Any):
    image = bake(PLAIN_PNG if bake is bake_png else PLAIN_SVG, SIGNED)
    assert unbake(image) == SIGNED
    _verify_json(unbake(image))


@pytest.mark.parametrize("bake", [bake_png, bake_svg], ids=["png", "svg"])
def test_a_vc_jwt_survives_baking_and_still_verifies(bake: Any):
    image = bake(PLAIN_PNG if bake is bake_png else PLAIN_SVG, JWT)
    assert unbake(image) == JWT
    _verify_jwt(unbake(image))


def test_the_baked_png_has_one_uncompressed_itxt_chunk_as_the_spec_writes_it():
    baked = bake_png(PLAIN_PNG, JWT)
    chunks = _chunks(baked)
    itxt = [body for kind, body in chunks if kind == b"iTXt"]
    # keyword, NUL, compression flag 0, compression method 0, "" language, NUL, "" translated, NUL
    assert itxt == [b"openbadgecredential\0\0\0\0\0" + JWT.encode()]
    kinds = [kind for kind, _ in chunks]
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
    assert kinds.index(b"iTXt") < kinds.index(b"IDAT")  # a streaming reader meets it first
    assert [c for c in chunks if c[0] != b"iTXt"] == _chunks(PLAIN_PNG)  # the rest untouched


def test_pillow_opens_the_baked_png_with_the_same_pixels_and_reads_the_chunk():
    with Image.open(io.BytesIO(bake_png(PLAIN_PNG, SIGNED))) as baked:
        baked.verify()
    with Image.open(io.BytesIO(bake_png(PLAIN_PNG, SIGNED))) as baked:
        baked.load()
        text = baked.text["openbadgecredential"]
        assert (text.lang, text.tkey) == ("", "")
        with Image.open(io.BytesIO(PLAIN_PNG)) as plain:
            assert baked.tobytes() == plain.tobytes()
    assert '"proof"' in text


def test_the_baked_svg_declares_the_namespace_and_puts_the_credential_first():
    baked = bake_svg(PLAIN_SVG, SIGNED)
    root = etree.fromstring(baked)
    assert root.nsmap["openbadges"] == "https://purl.imsglobal.org/ob/v3p0" == SVG_NAMESPACE
    first = root[0]
    assert first.tag == f"{{{SVG_NAMESPACE}}}credential"
    assert first.get("verify") is None
    assert b"<openbadges:credential><![CDATA[{" in baked  # the JSON in a CDATA section
    assert [child.tag for child in root[1:]] == [f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}circle"]


def test_the_baked_svg_with_a_jwt_has_it_in_verify_and_no_body():
    root = etree.fromstring(bake_svg(PLAIN_SVG, JWT))
    (element,) = root.iter(f"{{{SVG_NAMESPACE}}}credential")
    assert element.get("verify") == JWT
    assert element.text is None and len(element) == 0


@pytest.mark.parametrize("bake", [bake_png, bake_svg], ids=["png", "svg"])
def test_an_image_is_baked_once(bake: Any):
    image = bake(PLAIN_PNG if bake is bake_png else PLAIN_SVG, SIGNED)
    with pytest.raises(BakingError) as caught:
        bake(image, JWT)
    assert caught.value.code == "image_baked"


def test_only_json_objects_and_compact_jws_are_baked():
    with pytest.raises(ValueError, match="compact JWS"):
        bake_png(PLAIN_PNG, "not a token")
    with pytest.raises(TypeError):
        bake_svg(PLAIN_SVG, ["a list"])  # type: ignore[arg-type]


DUPLICATED = _png_with(
    _itxt(b"openbadgecredential", JWT.encode()), _itxt(b"openbadgecredential", b"{}")
)
BAD_UPLOADS = {
    "empty": (b"", "image_malformed", "neither a PNG"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image_malformed", "neither a PNG"),
    "truncated png": (bake_png(PLAIN_PNG, JWT)[:-30], "image_malformed", "too short"),
    "bad crc": (bake_png(PLAIN_PNG, JWT)[:-1] + b"\x00", "image_malformed", "Checksum error"),
    "plain png": (PLAIN_PNG, "image_not_baked", "no credential."),
    "twice in png": (DUPLICATED, "image_malformed", "more than one"),
    "compressed": (
        _png_with(_itxt(b"openbadgecredential", JWT.encode(), True)),
        "image_malformed",
        "compressed",
    ),
    "not utf-8": (
        _png_with(_itxt(b"openbadgecredential", b"\xff\xfe")),
        "image_malformed",
        "UTF-8",
    ),
    "ob2 png": (_png_with(_itxt(b"openbadges", b"{}")), "image_ob2", "Open Badges 2.0"),
    "ob2 legacy png": (
        _png_with((b"tEXt", b"openbadges\0https://x.example/a")),
        "image_ob2",
        "Open Badges 2.0",
    ),
    "other text": (
        _png_with(_itxt(b"openbadgecredential", b"hello")),
        "image_malformed",
        "other text",
    ),
    "json list": (
        _png_with(_itxt(b"openbadgecredential", b"[1]")),
        "image_malformed",
        "other text",
    ),
    "bad json": (
        _png_with(_itxt(b"openbadgecredential", b"{nope")),
        "image_malformed",
        "not valid JSON",
    ),
    "plain svg": (PLAIN_SVG, "image_not_baked", "no credential."),
    "not xml": (b"<svg", "image_malformed", "not valid XML"),
    "html": (b"<html><body>hi</body></html>", "image_malformed", "not an SVG"),
    "ob2 svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://x.example/a"/></svg>',
        "image_ob2",
        "Open Badges 2.0",
    ),
    "twice in svg": (
        bake_svg(PLAIN_SVG, JWT).replace(b"<title>", b"<openbadges:credential/><title>"),
        "image_malformed",
        "more than one",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_UPLOADS))
def test_bad_uploads_are_refused_with_a_reason(name: str):
    image, code, reason = BAD_UPLOADS[name]
    with pytest.raises(BakingError, match=reason) as caught:
        unbake(image)
    assert (caught.value.code, caught.value.status) == (code, 422)


def test_an_oversized_upload_is_refused_before_it_is_read():
    with pytest.raises(ImageTooLargeError) as caught:
        unbake(b"\x89PNG" + b"\0" * 2_000, max_bytes=1_000)
    assert (caught.value.status, caught.value.code) == (413, "image_too_large")
    assert unbake(bake_png(PLAIN_PNG, JWT), max_bytes=len(bake_png(PLAIN_PNG, JWT))) == JWT


def test_an_svg_cannot_make_the_reader_load_a_file(tmp_path: Any):
    secret = tmp_path / "secret.json"
    secret.write_text('{"leaked": true}')
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{SVG_NAMESPACE}">'
        "<openbadges:credential>&x;</openbadges:credential></svg>"
    ).encode()
    with pytest.raises(BakingError) as caught:  # resolved, the entity would be a credential
        unbake(svg)
    assert caught.value.code == "image_malformed"


def test_an_svg_cannot_make_the_reader_expand_entities():
    tens = "".join(
        f'<!ENTITY e{n + 1} "{f"&e{n};" * 10}">' for n in range(8)
    )  # &e8; would be 10^8 times "{}"
    svg = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY e0 "{{}}">{tens}]>'
        f'<svg xmlns="{SVG_NS}" xmlns:openbadges="{SVG_NAMESPACE}">'
        "<openbadges:credential>&e8;</openbadges:credential></svg>"
    ).encode()
    with pytest.raises(BakingError) as caught:
        unbake(svg)
    assert caught.value.code == "image_malformed"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.sampled_from(["png", "svg"]),
    cuts=st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), max_size=3),
)
def test_damaged_baked_images_give_a_credential_or_a_baking_error(source: str, cuts: Any):
    data = bytearray(bake_png(PLAIN_PNG, JWT) if source == "png" else bake_svg(PLAIN_SVG, JWT))
    for at, replacement in cuts:
        at %= len(data)
        data[at : at + len(replacement)] = replacement
    try:
        result = unbake(bytes(data))
    except BakingError:
        return
    assert isinstance(result, dict | str)
