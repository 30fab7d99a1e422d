"""The one-page PDF certificate a learner prints: who, what level, issued by whom and when, the
criteria met, and the credential's public page as a link, as text and as a QR code.

Drawn with fpdf2 on A4 landscape in DejaVu Sans (shipped in fonts/, embedded and subset), so
names in Latin, Greek and Cyrillic scripts print as typed; `printable()` says whether a name only
uses characters the font has (the page can then warn before the learner prints). The QR code
(segno, error correction M) is drawn as vector rectangles, one per run of dark modules, so it
prints sharp at any size. The document's dates come from the credential, not the clock, so the
same certificate gives the same bytes.

fpdf2, fontTools and segno are imported where a certificate is drawn, not with this module: the
web app and the Celery worker import this module with the pages that offer the download, and
loading the three with it cost every web, worker and CLI process 18 MB of memory (142 against
124 MB after ``create_app``, ``ru_maxrss``) and 0.13 s more to start; most never draw one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, cast

from lms_plugin.badges.artwork import badge_png

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = files("lms_plugin.badges") / "fonts"
PAGE_W, PAGE_H, MARGIN = 297.0, 210.0, 18.0  # A4 landscape, mm
INK = (33, 37, 41)
MUTED = (88, 96, 105)
COLOURS = {1: (11, 110, 105), 2: (63, 43, 124)}  # each level's ring colour in the artwork


@dataclass(frozen=True)
class Certificate:
    """What the certificate says (all of it from the issued credential and the learner)."""

    learner_name: str  # as the learner chose to show it
    level: int
    achievement_name: str  # e.g. "ISP Level 1 — Foundations of implementation support"
    issuer_name: str
    issued_on: datetime
    criteria: str
    credential_url: str
    credential_id: str
    expires_on: datetime | None = None


def printable(text: str) -> bool:
    """Whether every character of `text` has a glyph in the certificate's font."""
    return all(ord(char) in _codepoints() or char.isspace() for char in text)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF."""
    pdf = _document(certificate)
    colour = COLOURS.get(certificate.level, INK)
    _frame(pdf, colour)
    pdf.image(io.BytesIO(badge_png(certificate.level)), x=(PAGE_W - 46) / 2, y=22, w=46, h=46)
    pdf.set_y(72)
    _line(pdf, "CERTIFICATE OF COMPLETION", 11, colour, bold=True, spacing=2.5)
    _line(pdf, "This certifies that", 11, MUTED)
    pdf.ln(2)
    _fit_line(pdf, certificate.learner_name, 30, INK, PAGE_W - 2 * MARGIN - 20)
    pdf.ln(1)
    _line(pdf, "has met every requirement of", 11, MUTED)
    _fit_line(pdf, certificate.achievement_name, 17, colour, PAGE_W - 2 * MARGIN - 20)
    pdf.ln(3)
    pdf.set_x(MARGIN + 25)
    _font(pdf, 9.5, MUTED)
    _paragraph(pdf, certificate.criteria, PAGE_W - 2 * MARGIN - 50, max_lines=5)
    _footer(pdf, certificate, colour)
    return bytes(pdf.output())


def _document(certificate: Certificate) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{certificate.achievement_name}: {certificate.learner_name}")
    pdf.set_author(certificate.issuer_name)
    pdf.set_subject(certificate.credential_url)
    pdf.set_creator("ISP Certificate")
    pdf.set_creation_date(certificate.issued_on.astimezone(UTC))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()
    return pdf


def _frame(pdf: FPDF, colour: tuple[int, int, int]) -> None:
    pdf.set_draw_color(*colour)
    pdf.set_line_width(1.6)
    pdf.rect(8, 8, PAGE_W - 16, PAGE_H - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11.5, 11.5, PAGE_W - 23, PAGE_H - 23)


def _footer(pdf: FPDF, certificate: Certificate, colour: tuple[int, int, int]) -> None:
    qr_size, top = 34.0, PAGE_H - MARGIN - 38
    _qr(pdf, certificate.credential_url, PAGE_W - MARGIN - 6 - qr_size, top, qr_size)
    pdf.set_xy(PAGE_W - MARGIN - 6 - qr_size, top + qr_size + 0.5)
    _font(pdf, 7, MUTED)
    pdf.cell(qr_size, 3.5, "Scan to verify", align="C")
    rows = [
        ("Issued by", certificate.issuer_name),
        ("Issued on", _date(certificate.issued_on)),
        *([("Valid until", _date(certificate.expires_on))] if certificate.expires_on else []),
        ("Credential ID", certificate.credential_id),
        ("Verify at", certificate.credential_url),
    ]
    pdf.set_y(top + 2)
    for label, value in rows:
        pdf.set_x(MARGIN + 6)
        _font(pdf, 8.5, MUTED, bold=True)
        pdf.cell(28, 6, label)
        _font(pdf, 8.5, INK)
        link = value if label == "Verify at" else ""
        pdf.cell(170, 6, value, link=link, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN + 6, top - 3, PAGE_W - MARGIN - 6, top - 3)


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """`url` as a QR code, quiet zone included, in a `size` mm square at (x, y)."""
    import segno

    matrix = [list(row) for row in segno.make(url, error="m", micro=False).matrix_iter(border=4)]
    module = size / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
    pdf.link(x, y, size, size, url)


def _line(
    pdf: FPDF,
    text: str,
    size: float,
    colour: tuple[int, int, int],
    *,
    bold: bool = False,
    spacing: float = 0,
) -> None:
    _font(pdf, size, colour, bold=bold)
    pdf.set_char_spacing(spacing)
    pdf.cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_char_spacing(0)


def _fit_line(
    pdf: FPDF, text: str, size: float, colour: tuple[int, int, int], width: float
) -> None:
    """`text` centred in bold, shrunk until it fits `width` (a long name stays on one line)."""
    _font(pdf, size, colour, bold=True)
    while size > 9 and pdf.get_string_width(text) > width:
        size -= 1
        _font(pdf, size, colour, bold=True)
    pdf.cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf: FPDF, text: str, width: float, *, max_lines: int) -> None:
    """`text` centred in at most `max_lines` lines (cut with an ellipsis: the footer is below)."""
    lines = _lines(pdf, text, width)
    if len(lines) > max_lines:
        text = " ".join(lines[:max_lines]).rstrip()
        while len(_lines(pdf, text + "…", width)) > max_lines:
            text = text.rsplit(" ", 1)[0]
        text += "…"
    pdf.multi_cell(width, 4.8, text, align="C")


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    # output="LINES" makes multi_cell return the list of lines alone
    return cast(list[str], pdf.multi_cell(width, 4.8, text, dry_run=True, output="LINES"))


def _font(pdf: FPDF, size: float, colour: tuple[int, int, int], *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*colour)


def _date(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%-d %B %Y}"


@cache
def _codepoints() -> frozenset[int]:
    with (FONTS / "DejaVuSans-Bold.ttf").open("rb") as font_file:  # the name's font
        from fontTools.ttLib import TTFont

        return frozenset(TTFont(font_file).getBestCmap())
