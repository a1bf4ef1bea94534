"""The English catalog (locale/en): complete, compiled, used only when chosen.

The source strings are Thai, so Thai needs no catalog; English lives in
locale/en/LC_MESSAGES/django.po (`make makemessages`, then `make messages`).
"""

import ast
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `make makemessages` leaves out (Makefile), plus collected static files.
SKIPPED_DIRS = {".venv", "node_modules", "bench", "tests", "staticfiles", "static", "locale"}
# Known strings that makemessages cannot see (gettext inside an f-string
# expression). Remove an entry once the code is fixed and the .po has it.
KNOWN_UNEXTRACTED: set[str] = set()
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%|%[sdif]|\{\w*\}")


def unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def read_po(path: Path = PO) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (list), flags."""
    entries, entry, field = [], None, None

    def close():
        if entry and entry.get("msgid") is not None:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgstr["):
            index, text = re.match(r"msgstr\[(\d+)\] (.*)", line).groups()
            field = ("msgstr", int(index))
            entry["msgstr"][field[1]] = unquote(text)
        elif line.startswith("msgstr "):
            field = ("msgstr", 0)
            entry["msgstr"][0] = unquote(line[7:])
        elif line.startswith('"'):
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += unquote(line)
            else:
                entry[field[0]] += unquote(line)
        else:
            keyword, text = line.split(" ", 1)
            field = (keyword,)
            entry[keyword] = unquote(text)
    close()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


@pytest.fixture(scope="module")
def catalog() -> list[dict]:
    return read_po()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_every_msgid_has_a_reviewed_english_translation(catalog):
    assert len(catalog) > 800
    untranslated = [e["msgid"] for e in catalog if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in catalog if "fuzzy" in e["flags"]]
    assert not untranslated, f"translate in {PO.name}: {untranslated[:10]}"
    assert not fuzzy, f"check and clear #, fuzzy in {PO.name}: {fuzzy[:10]}"
    header = PO.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "#, fuzzy" not in header


def test_translations_keep_the_placeholders(catalog):
    broken = []
    for entry in catalog:
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for text in entry["msgstr"].values():
            found = sorted(PLACEHOLDER.findall(text))
            # a singular may say "one" instead of repeating the count
            if found != wanted and not (entry["msgid_plural"] and set(found) <= set(wanted)):
                broken.append((entry["msgid"], text))
    assert not broken


def test_the_compiled_catalog_answers_every_msgid(catalog, english):
    """`make messages` has run since the .po last changed (the .mo is gitignored)."""
    missing = []
    for entry in catalog:
        context, msgid, plural = entry["msgctxt"], entry["msgid"], entry["msgid_plural"]
        if plural:
            got = [translation.ngettext(msgid, plural, n) for n in (1, 2)]
            if context:
                got = [translation.npgettext(context, msgid, plural, n) for n in (1, 2)]
            wanted = [entry["msgstr"][0], entry["msgstr"][1]]
        else:
            got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            wanted = entry["msgstr"][0]
        if got != wanted:
            missing.append(msgid)
    assert not missing, f"run `make messages`; not compiled: {missing[:10]}"


def test_login_page_is_english_with_the_english_cookie(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text
    assert "Password" in response.text
    assert "เข้าสู่ระบบ" not in response.text


def test_home_page_is_english_with_the_english_cookie(client_for, agency):
    client = client_for(agency.officer1)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Log out" in response.text
    assert "My KPI plan" in response.text
    assert "ออกจากระบบ" not in response.text


def test_thai_stays_the_default_when_the_browser_asks_for_english(client, client_for, agency):
    login = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    home = client_for(agency.officer1).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert login["Content-Language"] == "th"
    assert "เข้าสู่ระบบ" in login.text
    assert "Log in" not in login.text
    assert '<html lang="th">' in home.text
    assert "ออกจากระบบ" in home.text
    assert "Log out" not in home.text


def source_files(*suffixes: str):
    for root, dirs, files in os.walk(settings.BASE_DIR):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(suffixes):
                yield Path(root) / name


TEMPLATE_MSGID = re.compile(
    r"""\{%\s*trans(?:late)?\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<context>.*?)(?P=cq))?"""
)
TEMPLATE_UNDERSCORE = re.compile(r"""\b_\((?P<q>["'])(?P<msgid>.*?)(?P=q)\)""")
PYTHON_MSGID = re.compile(
    r"""(?<![\w.])_\(\s*(?P<literal>(?P<q>["'])(?:\\.|(?!(?P=q)).)*(?P=q))\s*[,)]"""
)


def literal_msgids():
    """(where, context, msgid) of the literal strings makemessages should find."""
    for path in source_files(".html", ".txt"):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_MSGID.finditer(text):
            # makemessages doubles % in template strings
            yield path, match["context"], match["msgid"].replace("%", "%%")
        for match in TEMPLATE_UNDERSCORE.finditer(text):
            yield path, None, match["msgid"]
    for path in source_files(".py"):
        for match in PYTHON_MSGID.finditer(path.read_text(encoding="utf-8")):
            yield path, None, ast.literal_eval(match["literal"])


def test_every_literal_translatable_string_is_in_the_catalog(catalog):
    """A string added since the last `make makemessages` fails here."""
    known = {(e["msgctxt"], e["msgid"]) for e in catalog}
    found = list(literal_msgids())
    missing = sorted(
        {
            f"{path.relative_to(settings.BASE_DIR)}: {msgid}"
            for path, context, msgid in found
            if (context, msgid) not in known
            and (context, msgid.replace("%%", "%")) not in known
            and msgid not in KNOWN_UNEXTRACTED
        }
    )
    assert len(found) > 500
    assert not missing, "run `make makemessages` and translate:\n" + "\n".join(missing)
    now_extracted = KNOWN_UNEXTRACTED & {msgid for _context, msgid in known}
    assert not now_extracted, f"remove from KNOWN_UNEXTRACTED: {now_extracted}"
