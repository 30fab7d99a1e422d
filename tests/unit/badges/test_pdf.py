"""The PDF certificate, read back by poppler (pdfinfo, pdftotext, pdftoppm) and zbar (zbarimg):
one page, the learner, level, issuer, date and URL in its text, a page that is not blank, and a
QR code that a scanner reads as the credential's public URL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from lms_plugin.badges.pdf import Certificate, certificate_pdf, printable

URL = "https://isp.example.edu/credentials/0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa"
CRITERIA = (
    "Passed all six Level 1 module quizzes with a score of at least 80%; had the five module "
    "assignments (A1 to A5) graded as passed against their rubrics, with no criterion below "
    "Developing; and had the capstone implementation plan (C1) graded with no rubric criterion "
    "below Proficient, within at most two resubmissions."
)
CERTIFICATE = Certificate(
    learner_name="Zoë Παπαδοπούλου-Łukasiewicz",
    level=1,
    achievement_name="ISP Level 1 — Foundations of implementation support",
    issuer_name="Example University",
    issued_on=datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
    criteria=CRITERIA,
    credential_url=URL,
    credential_id="urn:uuid:0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa",
)


@pytest.fixture(scope="module", autouse=True)
def _poppler_and_zbar() -> Iterator[None]:
    missing = [t for t in ("pdfinfo", "pdftotext", "pdftoppm", "zbarimg") if not shutil.which(t)]
    assert not missing, f"{missing} missing: run scripts/browser (poppler-utils, zbar-tools)"
    yield


def _run(*command: str | Path, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def _text(pdf: bytes) -> str:
    return _run("pdftotext", "-layout", "-", "-", stdin=pdf)


def _page(pdf: bytes, tmp_path: Path, dpi: int = 150) -> Path:
    (tmp_path / "c.pdf").write_bytes(pdf)
    _run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", tmp_path / "c.pdf", tmp_path / "page")
    return tmp_path / "page.png"


def test_the_certificate_is_one_a4_landscape_page():
    info = _run("pdfinfo", "-", stdin=certificate_pdf(CERTIFICATE))
    assert "Pages:           1\n" in info
    assert "841.89 x 595.28 pts (A4)" in info
    assert "Title:           ISP Level 1 — Foundations of implementation support: Zoë" in info


def test_its_text_says_who_earned_what_from_whom_when_and_where_to_check():
    text = _text(certificate_pdf(CERTIFICATE))
    for expected in (
        "Zoë Παπαδοπούλου-Łukasiewicz",
        "ISP Level 1 — Foundations of implementation support",
        "Example University",
        "1 February 2026",
        URL,
        "urn:uuid:0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa",
        "Passed all six Level 1 module quizzes",
    ):
        assert expected in text, expected
    assert "Valid until" not in text
    expiring = replace(CERTIFICATE, expires_on=datetime(2029, 2, 1, tzinfo=UTC))
    assert "1 February 2029" in _text(certificate_pdf(expiring))


def test_the_rendered_page_is_not_blank_and_wears_the_level_colour(tmp_path: Path):
    with Image.open(_page(certificate_pdf(CERTIFICATE), tmp_path, dpi=50)) as page:
        colours = {colour: n for n, colour in page.convert("RGB").getcolors(10**6)}
    total = sum(colours.values())
    assert colours.get((255, 255, 255), 0) < total * 0.9  # ink on it
    assert colours.get((11, 110, 105), 0) > total * 0.02  # the Level 1 teal frame and badge


def test_the_qr_code_scans_to_the_public_page(tmp_path: Path):
    page = _page(certificate_pdf(CERTIFICATE), tmp_path)
    assert _run("zbarimg", "--quiet", "--raw", page).strip() == URL


def test_a_long_name_shrinks_onto_one_line():
    name = "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt-Featherstonehaugh de la Cruz"
    text = _text(certificate_pdf(replace(CERTIFICATE, learner_name=name)))
    assert name in text.splitlines()[_line_of(text, "Maximiliana")]


def test_long_criteria_are_cut_before_the_footer():
    long = replace(CERTIFICATE, criteria=" ".join([CRITERIA] * 6))
    text = _text(certificate_pdf(long))
    assert "…" in text
    assert _line_of(text, "…") < _line_of(text, "Issued by")
    assert "Pages:           1\n" in _run("pdfinfo", "-", stdin=certificate_pdf(long))


def test_the_same_certificate_gives_the_same_bytes():
    assert certificate_pdf(CERTIFICATE) == certificate_pdf(CERTIFICATE)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Zoë Łukasiewicz", True), ("Иван Петров", True), ("Νίκος", True), ("李小龍", False)],
)
def test_printable_says_whether_the_font_has_every_letter(name: str, expected: bool):
    assert printable(name) is expected


def test_level_2_wears_its_own_colour(tmp_path: Path):
    level_2 = replace(CERTIFICATE, level=2, achievement_name="ISP Level 2")
    with Image.open(_page(certificate_pdf(level_2), tmp_path, dpi=50)) as page:
        colours = {colour: n for n, colour in page.convert("RGB").getcolors(10**6)}
    assert colours.get((63, 43, 124), 0) > sum(colours.values()) * 0.02
    assert colours.get((11, 110, 105), 0) == 0


def _line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if fragment in line)


def test_the_app_loads_the_pdf_libraries_only_to_draw_a_certificate(tmp_path):
    """Every web, worker and CLI process makes the app, and few draw a certificate: fpdf2,
    fontTools and segno (18 MB a process) load with the first one drawn, not with the app."""
    script = (
        "import sys; from lms_plugin.web.app import create_app; create_app(); "
        "print(sorted(m for m in ('fpdf', 'fontTools', 'segno') if m in sys.modules))"
    )
    env = {**os.environ, "LMS_INSTANCE_DIR": str(tmp_path)}
    env = {k: v for k, v in env.items() if not k.startswith("LMS_") or k == "LMS_INSTANCE_DIR"}
    loaded = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]", loaded.stdout + loaded.stderr
