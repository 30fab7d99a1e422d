"""The French catalog is complete and compiled: every sentence the code and templates mark has
a French translation (none empty, none fuzzy), and each committed .mo is what its .po compiles
to (a clean checkout runs from the committed .mo; scripts/i18n regenerates both)."""

from __future__ import annotations

import ast
import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "lms_plugin" / "translations"
LANGUAGES = ("fr",)
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "N_": None,
    "Nn_": (1, 2),
}


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def marked() -> set[str]:
    """The msgids the code and templates mark today (as scripts/i18n extract finds them)."""
    found = extract_from_dir(str(ROOT / "lms_plugin"), METHODS, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, *_ in found}


def test_every_marked_sentence_is_in_each_catalog():
    ids = marked()
    assert "Skip to content" in ids  # the extraction itself works
    for language in LANGUAGES:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(language) if m.id}
        assert ids - known == set(), f"run scripts/i18n and translate them ({language})"


def test_every_sentence_has_a_translation():
    for language in LANGUAGES:
        assert not catalog(language).fuzzy, f"{language}: the catalog is marked fuzzy"
        for message in catalog(language):
            if not message.id:
                continue
            strings = [message.string] if isinstance(message.string, str) else message.string
            assert all(s.strip() for s in strings), f"{language}: {message.id!r} is untranslated"
            assert not message.fuzzy, f"{language}: {message.id!r} is fuzzy"


def test_each_compiled_catalog_is_up_to_date():
    for language in LANGUAGES:
        compiled = io.BytesIO()
        write_mo(compiled, catalog(language))
        committed = (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").read_bytes()
        assert committed == compiled.getvalue(), "run scripts/i18n compile"


def calls_inside_f_strings(source: str) -> list[tuple[int, str]]:
    """(line, call) of each _, N_, ngettext... written inside an f-string of ``source``: babel's
    extractor reads an f-string as one token and never sees them, so they never reach the
    catalogue."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in KEYWORDS
                ):
                    found.append((call.lineno, ast.unparse(call)))
    return found


def test_no_sentence_is_marked_inside_an_f_string():
    sample = "a = f'<b>{_(\"at risk\")}</b>'\nb = _(\"none\")\nc = f'{escape(ngettext(x, y, n))}'\n"
    assert [line for line, _ in calls_inside_f_strings(sample)] == [1, 3]
    found = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in sorted((ROOT / "lms_plugin").rglob("*.py"))
        for line, call in calls_inside_f_strings(path.read_text(encoding="utf-8"))
    ]
    assert found == []
