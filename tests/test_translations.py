"""Translations: every catalog complete and compiled, and Finnish and Swedish pages that show no English.

The catalogs are read with a small .po parser below (polib is not a dependency); the compiled .mo
files with the standard library's gettext, the way Django reads them.
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests import factories as f
from tests import factories_encounters as fe

LOCALE_DIRS = [settings.BASE_DIR / "locale", *sorted((settings.BASE_DIR / "kohtaamo").glob("*/locale"))]
TRANSLATED = ["fi", "sv"]  # English is the source language: its msgstr may stay empty


# --- Reading .po files ----------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"line {self.line}: {context}{self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the other (non-obsolete) entries of a catalog."""
    entries: list[Entry] = []
    entry, target = Entry(), None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if target is not None and target[0] != "comment":
                entries.append(entry)
                entry, target = Entry(), ("comment",)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            keyword, rest = None, line
        elif keyword in ("msgctxt", "msgid") and target is not None and target[0] in ("msgstr",):
            entries.append(entry)
            entry = Entry()
        if keyword == "msgctxt":
            entry.msgctxt, target = _unquote(rest), ("msgctxt",)
            entry.line = entry.line or number
        elif keyword == "msgid":
            entry.msgid, target = _unquote(rest), ("msgid",)
            entry.line = entry.line or number
        elif keyword == "msgid_plural":
            entry.msgid_plural, target = _unquote(rest), ("msgid_plural",)
        elif keyword and keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry.msgstr[index], target = _unquote(rest), ("msgstr", index)
        elif keyword is None and target is not None:
            value = _unquote(rest)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    entries.append(entry)
    [header] = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    return header, [e for e in entries if e is not header]


def catalogs(languages) -> list[tuple[str, Path]]:
    found = [
        (language, path)
        for directory in LOCALE_DIRS
        for language in languages
        for path in [directory / language / "LC_MESSAGES" / "django.po"]
        if path.exists()
    ]
    return found


def catalog_id(param) -> str:
    return str(param.relative_to(settings.BASE_DIR)) if isinstance(param, Path) else param


ALL_CATALOGS = catalogs(["fi", "sv", "en"])
TRANSLATED_CATALOGS = catalogs(TRANSLATED)


def test_the_project_has_catalogs_in_all_three_languages():
    assert {language for language, path in ALL_CATALOGS if path.parent.parent.parent == LOCALE_DIRS[0]} == {
        "fi",
        "sv",
        "en",
    }
    assert {code for code, _name in settings.LANGUAGES} == {"fi", "sv", "en"}


def test_the_po_reader_reads_contexts_plurals_and_continued_lines(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\n#, fuzzy, python-format\nmsgctxt "weekday"\nmsgid "Mon"\n'
        'msgstr "ma"\n\nmsgid "%(n)s site"\nmsgid_plural ""\n"%(n)s sites"\nmsgstr[0] "%(n)s \\"paikka\\""\n'
        'msgstr[1] ""\n\n#~ msgid "old"\n#~ msgstr "vanha"\n',
        encoding="utf-8",
    )
    header, (monday, sites) = read_po(po)
    assert header.msgstr[0] == "Language: fi\n"
    assert (monday.msgctxt, monday.msgid, monday.msgstr, monday.flags) == (
        "weekday",
        "Mon",
        {0: "ma"},
        {"fuzzy", "python-format"},
    )
    assert (sites.msgid_plural, sites.msgstr, sites.translated) == ("%(n)s sites", {0: '%(n)s "paikka"', 1: ""}, False)


@pytest.mark.parametrize("language,path", TRANSLATED_CATALOGS, ids=catalog_id)
def test_every_finnish_and_swedish_entry_is_translated_and_none_is_fuzzy(language, path):
    header, entries = read_po(path)
    assert f"Language: {language}\n" in header.msgstr[0]
    assert "nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert entries, f"{path} is empty"
    assert [str(e) for e in entries if not e.translated] == [], f"untranslated in {path}"
    assert [str(e) for e in entries if "fuzzy" in e.flags] == [], f"fuzzy in {path}"


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|\{\{ ?[a-z_]+ ?\}\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


@pytest.mark.parametrize("language,path", ALL_CATALOGS, ids=catalog_id)
def test_translations_keep_the_placeholders_of_the_source(language, path):
    _header, entries = read_po(path)
    wrong = []
    for entry in entries:
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid
            if text and placeholders(text) != placeholders(source):
                wrong.append(f"{entry}: {text!r}")
    assert wrong == []


@pytest.mark.parametrize("language,path", ALL_CATALOGS, ids=catalog_id)
def test_the_compiled_catalog_matches_its_po_file(language, path):
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make messages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _header, entries = read_po(path)
    expected_keys = set()
    for entry in (e for e in entries if e.translated and "fuzzy" not in e.flags):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural is None:
            expected_keys.add(key)
            got = compiled.pgettext(entry.msgctxt, entry.msgid) if entry.msgctxt else compiled.gettext(entry.msgid)
            assert got == entry.msgstr[0], f"{mo} is stale at {entry}: run make messages"
        else:
            expected_keys |= {(key, index) for index in entry.msgstr}
            for count, index in ((1, 0), (2, 1)):
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, count)
                assert got == entry.msgstr[index], f"{mo} is stale at {entry}: run make messages"
    assert set(compiled._catalog) - {""} == expected_keys, f"{mo} holds other messages than {path}"


GETTEXT_CALLS = {"_": 0, "gettext": 0, "gettext_lazy": 0, "ngettext": 0, "ngettext_lazy": 0, "pgettext": 1}
GETTEXT_CALLS |= {"pgettext_lazy": 1, "npgettext": 1, "npgettext_lazy": 1}
TEMPLATE_TRANSLATE = re.compile(r"""\{% *(?:translate|trans) +(?:"([^"]+)"|'([^']+)')""")


def source_strings() -> set[tuple[str, str]]:
    """(file, msgid) of every literal string the code and templates mark for translation."""
    found = set()
    for source in (settings.BASE_DIR / "kohtaamo").rglob("*.py"):
        if "migrations" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            position = GETTEXT_CALLS.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add((str(source.relative_to(settings.BASE_DIR)), argument.value))
    for template in (settings.BASE_DIR / "kohtaamo").rglob("*.html"):
        for double, single in TEMPLATE_TRANSLATE.findall(template.read_text(encoding="utf-8")):
            found.add((str(template.relative_to(settings.BASE_DIR)), double or single))
    return found


def test_every_string_marked_for_translation_is_in_a_catalog():
    """A string marked after the last `make messages` would show in English."""
    known = {e.msgid for _language, path in catalogs(["fi"]) for e in read_po(path)[1]}
    strings = source_strings()
    assert len(strings) > 300  # the scan finds them
    assert {(source, text) for source, text in strings if text not in known} == set(), "run make messages"


# --- Pages in Finnish and Swedish -----------------------------------------------------------------


def visible_text(page: str) -> str:
    """The text a user sees or hears: element text and the labels in aria-label, title and alt."""
    page = re.sub(r"(?s)<(script|style|code)\b.*?</\1>", " ", page)  # <code>: identifiers, not words
    labels = " ".join(re.findall(r'(?:aria-label|title|alt|placeholder)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def english_left(page: str, language: str) -> list[str]:
    """The catalogs' English source strings that show untranslated on a page in `language`.

    Parts marked as another language (`lang="en"`: the language switcher, a term's labels) don't count.
    """
    page = re.sub(rf'(?s)<(\w+)\b[^>]*\blang="(?!{language}")[^"]*"[^>]*>.*?</\1>', " ", page)
    text = " ".join(visible_text(page).split())
    with translation.override(language):
        found = []
        for _language, path in catalogs(["fi"]):
            for entry in read_po(path)[1]:
                source = entry.msgid
                if "%" in source or entry.msgid_plural or len(source) < 4:
                    continue
                translated = (
                    translation.pgettext(entry.msgctxt, source) if entry.msgctxt else translation.gettext(source)
                )
                if translated != source and re.search(rf"(?<![\w-]){re.escape(source)}(?![\w-])", text):
                    found.append(source)
    return found


@pytest.fixture
def listed_sites(db):
    hervanta = f.site(
        name="Hervanta L8",
        kind="community_centre",
        municipality=f.municipality(f.TAMPERE),
        languages=["fi", "sv"],
        accessibility="",
    )
    f.rule(hervanta, weekdays=(2, 4), starts="11:00", ends="13:00", activity="counselling")
    olkkari = f.site(name="Olkkari", kind="residents_lounge", municipality=f.municipality(f.RAISIO))
    f.rule(olkkari, weekdays=(1,), starts="09:00", ends="12:00")
    return {"hervanta": hervanta, "olkkari": olkkari}


def test_the_site_list_is_in_finnish_without_a_prefix(client, listed_sites):
    page = client.get("/sites/").text
    assert '<html lang="fi">' in page
    assert "<h1>Toimipisteet</h1>" in page
    assert "2 toimipistettä" in page
    assert "Yhteisökeskus · Tampere" in page and "Asukastupa · Raisio" in page
    assert "Hyvinvointialue" in page and "Toimipisteen tyyppi" in page and "Näytä" in page
    assert english_left(page, "fi") == []


def test_the_site_list_is_in_swedish_under_sv(client, listed_sites):
    page = client.get("/sv/sites/").text
    assert '<html lang="sv">' in page
    assert "<h1>Verksamhetsställen</h1>" in page
    assert "2 verksamhetsställen" in page
    # Municipality names come from the reference data, in Swedish (modeltranslation).
    assert "Samhällscentrum · Tammerfors" in page and "Invånarstuga · Reso" in page
    assert "Birkalands välfärdsområde" in page  # the county filter's choices
    assert "Välfärdsområde" in page and "Typ av verksamhetsställe" in page and "Visa" in page
    assert english_left(page, "sv") == []


def test_one_site_in_the_singular(client, listed_sites):
    listed_sites["olkkari"].delete()
    assert "1 toimipiste</" in client.get("/sites/").text.replace("\n", "").replace("  ", "")
    assert "1 verksamhetsställe" in client.get("/sv/sites/").text


def test_a_sites_page_in_swedish_names_days_places_and_languages_in_swedish(client, listed_sites):
    hervanta = listed_sites["hervanta"]
    page = client.get(f"/sv/sites/{hervanta.pk}/").text
    assert "Öppettider denna vecka" in page and "Ordinarie öppettider" in page
    assert "tis, tors 11:00–13:00" in page  # weekday abbreviations from the catalog
    assert "Rådgivning" in page  # the slot's activity
    assert re.search(r"(måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag) \d+\.\d+\.", page)  # Django's own catalog
    assert "Tammerfors · Birkalands välfärdsområde" in page
    assert "finska, svenska" in page  # the site's languages
    assert "Ännu ingen information om tillgänglighet." in page
    assert english_left(page, "sv") == []


def test_a_sites_page_in_finnish(client, listed_sites):
    page = client.get(f"/sites/{listed_sites['hervanta'].pk}/").text
    assert "Aukioloajat tällä viikolla" in page and "ti, to 11:00–13:00" in page and "Neuvonta" in page
    assert "Tampere · Pirkanmaan hyvinvointialue" in page and "suomi, ruotsi" in page
    assert re.search(r"(maanantai|tiistai|keskiviikko|torstai|perjantai|lauantai|sunnuntai) \d+\.\d+\.", page)
    assert english_left(page, "fi") == []


def test_the_language_switcher_names_each_language_in_itself(client, db):
    page = client.get("/sv/").text
    for code, name in (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")):
        assert re.search(rf'lang="{code}" hreflang="{code}"[^>]*>{name}</a>', page), name
    assert 'hreflang="sv" aria-current="true"' in page


@pytest.mark.parametrize(
    "prefix,language,texts",
    [
        ("", "fi", ["<h1>Kirjaudu sisään</h1>", "Käyttäjätunnus", "Salasana", "Siirry sisältöön"]),
        ("/sv", "sv", ["<h1>Logga in</h1>", "Användarnamn", "Lösenord", "Gå till innehållet"]),
    ],
)
def test_the_login_page_is_translated(client, db, prefix, language, texts):
    page = client.get(f"{prefix}/accounts/login/").text
    assert f'<html lang="{language}">' in page
    assert all(text in page for text in texts), texts
    assert english_left(page, language) == []


def test_a_refused_login_is_explained_in_swedish(client, alice):
    page = client.post("/sv/accounts/login/", {"username": "alice", "password": "wrong"}).text
    assert "Ange ett korrekt användarnamn och lösenord." in page  # Django's own Swedish catalog


def open_today(site):
    return f.exception(site, fe.today(), closed=False, starts="00:00", ends="00:00")


@pytest.mark.parametrize(
    "prefix,language,texts",
    [
        ("", "fi", ["Kävijät", "Kirjaa kohtaaminen", "Asuminen", "Viranomaisten sähköiset palvelut", "Toive alueelle"]),
        (
            "/sv",
            "sv",
            ["Besökare", "Registrera ett möte", "Boende", "Myndigheternas e-tjänster", "önskemål för området"],
        ),
    ],
)
def test_the_counsellor_screen_is_translated_with_its_seeded_terms(as_user, bob, tampere_site, prefix, language, texts):
    open_today(tampere_site)
    client = as_user(bob)
    response = client.get(f"{prefix}/counsellor/", follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(f"{prefix}/counsellor/sessions/")
    page = response.text
    assert f'<html lang="{language}">' in page
    assert all(text in page for text in texts), texts
    assert english_left(page, language) == []


def test_a_tap_is_confirmed_in_swedish(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    form = client.get(f"/sv/counsellor/sessions/{session.pk}/").text
    nonce = re.search(r'name="client_uuid" value="([^"]+)"', form).group(1)
    client.post(f"/sv/counsellor/sessions/{session.pk}/quick/", {"client_uuid": nonce, "topic": "housing"})
    page = client.get(f"/sv/counsellor/sessions/{session.pk}/").text
    assert "Sparat: Boende." in page
    assert "1 möte registrerat i detta pass" in page


def test_the_full_encounter_form_and_its_privacy_errors_are_in_swedish(as_user, bob, tampere_site):
    session = fe.session(tampere_site)
    client = as_user(bob)
    url = f"/sv/counsellor/sessions/{session.pk}/encounters/new/"
    page = client.get(url).text
    assert "Ärenden som besökaren fick hjälp med" in page and "Hänvisad vidare till" in page
    assert "FPA" in page  # a seeded referral term, in Swedish
    assert english_left(page, "sv") == []
    page = client.post(url, {"topics": ["benefits"], "note": "ring 040 123 4567"}).text
    assert "Ta bort telefonnumret." in page and "Rätta felen nedan." in page


@pytest.mark.parametrize("prefix,language", [("", "fi"), ("/sv", "sv")])
def test_the_staff_pages_are_translated(as_user, ada, tampere_site, prefix, language):
    client = as_user(ada)
    pages = ["/staff/sites/", "/staff/sites/new/", f"/staff/sites/{tampere_site.pk}/hours/", "/counsellor/terms/"]
    pages += ["/counsellor/terms/new/", "/counsellor/tokens/", "/counsellor/sessions/ad-hoc/"]
    for url in pages:
        response = client.get(prefix + url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.text
        assert english_left(response.text, language) == [], url


def test_swedish_dates_are_written_the_finnish_way(client, listed_sites):
    day = dt.date(2027, 3, 2)
    page = client.get("/sv/sites/", {"date": day.isoformat()}).text
    assert "öppet 2.3.2027" in page
    assert 'value="2027-03-02"' in page  # a date input needs the ISO date whatever the language


def test_short_dates_are_written_the_finnish_way_in_every_language():
    from django.utils import formats

    day = dt.date(2027, 3, 2)
    for language, long_date in (("fi", "2. maaliskuuta 2027"), ("sv", "2 mars 2027"), ("en", "2 March 2027")):
        with translation.override(language):
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "2.3.2027"
            assert formats.date_format(day) == long_date
            assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
    with translation.override("en"):
        assert formats.time_format(dt.time(15, 30)) == "15:30"


@pytest.mark.parametrize(
    "prefix,language,heading", [("", "fi", "Sivua ei löytynyt"), ("/sv", "sv", "Sidan hittades inte")]
)
def test_a_missing_page_says_so_in_the_users_language(client, db, prefix, language, heading):
    response = client.get(f"{prefix}/sites/999999/")
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.text and f"<h1>{heading}</h1>" in response.text


def test_a_forbidden_page_says_so_in_swedish(as_user, vera, db):
    response = as_user(vera).get("/sv/staff/sites/new/")
    assert response.status_code == 403
    assert "<h1>Ingen åtkomst</h1>" in response.text and english_left(response.text, "sv") == []


def test_the_error_page_needs_no_request_and_is_translated():
    from django.template.loader import get_template

    with translation.override("sv"):
        page = get_template("500.html").render()
    assert '<html lang="sv">' in page and "Något gick fel" in page
