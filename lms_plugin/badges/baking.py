"""Baking a credential into its badge image, and reading it back out (OB 3.0 "Baked Badge").

Open Badges 3.0 §"Baked Badge" (docformat "PNG" and "SVG"): the image carries either the JSON of
the OpenBadgeCredential with its embedded proof, or the compact JWS of its VC-JWT form.
- PNG: one iTXt chunk with keyword `openbadgecredential`, uncompressed (compression flag 0, empty
  language tag and translated keyword), whose text is the JSON or the JWS. It "MUST NOT appear in
  a PNG more than once". A reader takes the first such chunk.
- SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the `<svg>` element and,
  directly after its start tag, one `<openbadges:credential>`: with a `verify` attribute holding
  the JWS, or with the JSON in a CDATA section as its body. "There MUST be only one".

A credential that is already in the image is an error when baking (the spec lets the baker choose
between that and overwriting): the tool bakes its own artwork only. Reading an uploaded image for
the verify endpoint refuses, with a BakingError the web turns into a 4xx, anything too large, not
a PNG/SVG, damaged (pypng checks every chunk's CRC), baked twice, compressed, or baked with the
Open Badges 2.0 `openbadges` keyword instead (said as such). SVG is parsed by lxml with entities
left unresolved and no network or DTD loading, so an upload cannot expand or fetch anything.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping
from typing import Any

import png  # pypng: PNG chunks read (CRC checked) and written as they are, pixels untouched
from lxml import etree

from lms_plugin.badges.errors import CredentialError

BakedCredential = dict[str, Any] | str  # the JSON-LD credential (with proof), or a VC-JWT
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG = "{http://www.w3.org/2000/svg}svg"
OB2_PNG_KEYWORD = b"openbadges"  # Open Badges 2.0 Baking: an Assertion, not a 3.0 credential
OB2_SVG_TAG = "{http://openbadges.org}assertion"
MAX_IMAGE_BYTES = 2 * 1024 * 1024  # a badge image with its credential is far smaller
_CREDENTIAL = f"{{{SVG_NAMESPACE}}}credential"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class BakingError(CredentialError):
    """An image that cannot be baked, or that carries no readable credential."""

    code = "image_invalid"


class ImageTooLargeError(BakingError):
    """An uploaded image larger than any badge image (refused before it is read)."""

    status = 413
    code = "image_too_large"


def bake_png(image: bytes, credential: BakedCredential) -> bytes:
    """`image` (a PNG) with `credential` in an `openbadgecredential` iTXt chunk after IHDR."""
    chunks = _png_chunks(image)
    if _itxt_texts(chunks, PNG_KEYWORD):
        raise BakingError("The image already carries a credential.", code="image_baked")
    # iTXt: keyword, NUL, compression flag 0, method 0, empty language tag and translated keyword.
    itxt = PNG_KEYWORD + b"\0\0\0\0\0" + _text(credential).encode("utf-8")
    out = io.BytesIO()
    png.write_chunks(out, [chunks[0], (b"iTXt", itxt), *chunks[1:]])
    return out.getvalue()


def bake_svg(image: bytes, credential: BakedCredential) -> bytes:
    """`image` (an SVG) with `credential` in an `<openbadges:credential>` first in `<svg>`."""
    root = _svg_root(image)
    if root.find(f".//{_CREDENTIAL}") is not None:
        raise BakingError("The image already carries a credential.", code="image_baked")
    element = etree.Element(_CREDENTIAL, nsmap={"openbadges": SVG_NAMESPACE})
    if isinstance(credential, str):
        element.set("verify", _jws(credential))
    else:  # "]]>" can only occur inside a JSON string, where "\u003e" means the same ">"
        element.text = etree.CDATA(_text(credential).replace("]]>", "]]\\u003e"))
    element.tail = root.text
    root.insert(0, element)
    etree.cleanup_namespaces(root, top_nsmap={"openbadges": SVG_NAMESPACE})
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))


def unbake(image: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> BakedCredential:
    """The credential baked into a PNG or SVG badge image (the JSON, or the VC-JWT)."""
    if len(image) > max_bytes:
        raise ImageTooLargeError(f"The image is larger than {max_bytes // 1024} KB.")
    if image.startswith(png.signature):
        return _read_credential(_unbake_png(image))
    if image.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _read_credential(_unbake_svg(image))
    raise BakingError("The file is neither a PNG nor an SVG image.", code="image_malformed")


def _unbake_png(image: bytes) -> str:
    chunks = _png_chunks(image)
    texts = _itxt_texts(chunks, PNG_KEYWORD)
    if not texts:
        _refuse_ob2(any(data.startswith(OB2_PNG_KEYWORD + b"\0") for _, data in chunks))
    if len(texts) > 1:
        raise BakingError("The image carries more than one credential.", code="image_malformed")
    compressed, text = texts[0]
    if compressed:
        raise BakingError("The credential in the image is compressed.", code="image_malformed")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("The credential is not UTF-8 text.", code="image_malformed") from exc


def _unbake_svg(image: bytes) -> str:
    root = _svg_root(image)
    found = list(root.iter(_CREDENTIAL))
    if not found:
        _refuse_ob2(next(root.iter(OB2_SVG_TAG), None) is not None)
    if len(found) > 1:
        raise BakingError("The image carries more than one credential.", code="image_malformed")
    verify = found[0].get("verify")
    return verify if verify is not None else "".join(found[0].itertext())


def _png_chunks(image: bytes) -> list[tuple[bytes, bytes]]:
    try:
        chunks = list(png.Reader(bytes=image).chunks())
    except (png.Error, ValueError, EOFError) as exc:
        raise BakingError(f"The PNG image is damaged: {exc}", code="image_malformed") from exc
    if not chunks or chunks[0][0] != b"IHDR":
        raise BakingError("The PNG image has no header.", code="image_malformed")
    return chunks


def _itxt_texts(chunks: list[tuple[bytes, bytes]], keyword: bytes) -> list[tuple[bool, bytes]]:
    """(compressed?, text) of each iTXt chunk with `keyword` (PNG 1.2 §11.3.4.5: keyword NUL,
    compression flag, method, language tag NUL, translated keyword NUL, text)."""
    found = []
    for kind, data in chunks:
        name, _, rest = data.partition(b"\0")
        if kind != b"iTXt" or name != keyword:
            continue
        if len(rest) < 2:
            raise BakingError("The image's iTXt chunk is truncated.", code="image_malformed")
        _language, _, rest_after = rest[2:].partition(b"\0")
        _translated, _, text = rest_after.partition(b"\0")
        found.append((rest[0] != 0, text))
    return found


def _svg_root(image: bytes) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(image, parser)
    except etree.XMLSyntaxError as exc:
        raise BakingError(f"The SVG is not valid XML: {exc}", code="image_malformed") from exc
    if root.tag != SVG:
        raise BakingError("The file is XML but not an SVG image.", code="image_malformed")
    return root


def _refuse_ob2(is_ob2: bool) -> None:
    if is_ob2:
        raise BakingError(
            "This image carries an Open Badges 2.0 assertion, not an Open Badges 3.0 credential.",
            code="image_ob2",
        )
    raise BakingError("The image carries no credential.", code="image_not_baked")


def _read_credential(text: str) -> BakedCredential:
    text = text.strip()
    if text.startswith("{"):
        try:
            credential = json.loads(text)
        except ValueError as exc:
            raise BakingError("The credential is not valid JSON.", code="image_malformed") from exc
        if isinstance(credential, dict):
            return credential
    elif _COMPACT_JWS.fullmatch(text):
        return text
    raise BakingError("The image carries no credential, but other text.", code="image_malformed")


def _text(credential: BakedCredential) -> str:
    if isinstance(credential, str):
        return _jws(credential)
    if not isinstance(credential, Mapping):
        raise TypeError("a credential is a JSON object or a compact JWS")
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def _jws(token: str) -> str:
    if not _COMPACT_JWS.fullmatch(token):
        raise ValueError("a VC-JWT credential is a compact JWS (three base64url parts)")
    return token
