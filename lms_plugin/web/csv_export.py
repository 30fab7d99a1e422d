"""CSV downloads streamed as they are read from the database (memory stays flat for any
cohort), named after the course and the day, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from flask import Response, stream_with_context

from lms_plugin.web.downloads import attachment

ROWS_PER_CHUNK = 200
# Cells a spreadsheet would run as a formula (OWASP "CSV Injection"): names come from the LMS,
# typed by anyone, so such cells are prefixed with a quote and shown as text.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+|\s+')


def safe_cell(value: object) -> object:
    """A value as a spreadsheet shows it, never as a formula (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def filename(course: str | None, what: str, day: date) -> str:
    """``<course>-<what>-<YYYY-MM-DD>.csv``, the course title kept readable (Unicode too:
    ``downloads.attachment`` carries it as ``filename*``), characters no file system takes
    replaced."""
    name = _UNSAFE_NAME.sub("-", (course or "course").strip()).strip("-.")[:80] or "course"
    return f"{name}-{what}-{day.isoformat()}.csv"


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], name: str) -> Response:
    """A streamed ``text/csv`` attachment. It starts with a UTF-8 byte order mark, so Excel
    reads accented names right (it assumes the local code page otherwise)."""

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        for n, row in enumerate(rows, start=1):
            writer.writerow([safe_cell(v) for v in row])
            if n % ROWS_PER_CHUNK == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["Cache-Control"] = "no-store"  # learners' data
    return response
