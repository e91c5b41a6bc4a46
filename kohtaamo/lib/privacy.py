"""The privacy guard: refuse free text that holds personal data before it is stored.

Encounters are anonymous by design, yet notes, wishes and place descriptions are free text.
`check_text()` finds what most often slips into such text — Finnish personal identity codes,
phone numbers, e-mail addresses, bank account numbers (IBAN) and street addresses with a
house number — and says what to remove. It is a guard rail, not a guarantee: names, for one,
cannot be told apart from ordinary words (see docs/privacy.md).

Pure string functions; forms use `PrivateTextField` or `reject_personal_data`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.fi import hetu as stdnum_hetu

HETU = "hetu"
PHONE = "phone"
EMAIL = "email"
IBAN = "iban"
STREET_ADDRESS = "street_address"

MESSAGES: dict[str, Promise] = {
    HETU: _("Remove the personal identity code (henkilötunnus). Nothing written here may identify a person."),
    PHONE: _("Remove the phone number. Nothing written here may identify a person."),
    EMAIL: _("Remove the e-mail address. Nothing written here may identify a person."),
    IBAN: _("Remove the bank account number (IBAN). Nothing written here may identify a person."),
    STREET_ADDRESS: _(
        "Remove the street address (a street name with a house number). Write the area instead, e.g. Hervanta."
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str  # machine-readable: hetu, phone, email, iban, street_address
    start: int
    end: int

    @property
    def message(self) -> Promise:
        return MESSAGES[self.code]


# Hyphens that phones and word processors put in place of "-".
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})

# ddmmyy, a century sign (+ 1800s; - Y X W V U 1900s; A B C D E F 2000s), nnn and a check character.
_HETU = re.compile(r"(?<![\w+-])(\d{6}) ?([-+ABCDEFUVWXY]) ?(\d{3}[0-9A-Y])(?!\w)", re.IGNORECASE)

# Domestic numbers: an area or operator prefix starting with 0, then the subscriber number in
# groups. The first group has three or more digits so that "klo 09-11 13-15" is not a phone.
_PHONE_DOMESTIC = re.compile(
    r"(?<![\w/+-])(?<!\d[.,:])"
    r"(?:\(0[1-9]\d{0,2}\)|0[1-9]\d{0,2})"
    r"(?:[ -]?\d{3,}(?:[ -]\d{2,}){0,3}|[ ]\d{2}[ ]\d{2}[ ]\d{2,3})"
    r"(?![\w]|[.,:]\d)"
)
# International: +358 40 123 4567, 00358 (0)9 123 4567, +46 70 123 45 67.
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ -]?\(0\))?(?:[ -]?\d{1,4}){2,6}(?![\w]|[.,]\d)")
# A number announced as one: "puh. 123 4567", "tel 1234567".
_PHONE_KEYWORD = re.compile(
    r"\b(?:puh(?:elin)?|puhelinnumero|gsm|tel(?:efon)?|phone|mobile|matkapuhelin|kännykkä)\b"
    r"[.:]?\s*(\+?\d[\d -]{4,}\d)",
    re.IGNORECASE,
)
_EMAIL = re.compile(
    r"[\w.%+-]+(?:@|\s?[\(\[]at[\)\]]\s?)[\w-]+(?:(?:\.|\s?[\(\[]dot[\)\]]\s?)[\w-]+)*(?:\.|\s?[\(\[]dot[\)\]]\s?)[a-z]{2,}\b",
    re.IGNORECASE,
)
# A country code, check digits and 11–30 more letters or digits, maybe in groups of four.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,30}", re.IGNORECASE)

# Finnish and Swedish street-name endings. The plain ones name a street whatever the case; the
# ambiguous ones also end ordinary words (mentori, jatkopolku), so they need a capital letter.
_PLAIN_SUFFIXES = "katu|tie|kuja|raitti|puistikko|bulevardi|esplanadi|gatan|vägen|gränd|stigen|allén"
_AMBIGUOUS_SUFFIXES = "polku|väylä|rinne|ranta|tori|aukio|torget|backen|kaari"
_STREET = re.compile(
    rf"(?<![\w-])(?P<word>(?:[^\W\d_][\w-]*?)?(?P<suffix>{_PLAIN_SUFFIXES}|{_AMBIGUOUS_SUFFIXES}))"
    r"\s+(?P<number>\d{1,3}(?:\s?[a-h])?)"
    r"(?!\d|[.,]\d|\s?(?:%|€|e\b|eur|euro|km\b|m\b|kpl|kertaa|krt|vuot|v\b|min|tunti|h\b|mk\b|st\b|kr\b))",
    re.IGNORECASE,
)
_NOT_STREETS = re.compile(
    r"(?:jatko|palvelu|hoito|asiakas|opinto|koulutus|ura|työ|kuntoutus)polku$|^polku$"
    r"|[aeiouyäö]ttori$|[hk]tori$|(?:men|tuu|tu|kan|moni|audi|kredi|debi|resep|kves)tori$"
    r"|^elämänkaari$",
    re.IGNORECASE,
)
_ENGLISH_STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]+\s+){1,3}"
    r"(?:(?:Street|Road|Avenue|Lane|Drive|Boulevard|Way|Court|Square|Terrace|Crescent|Gardens)\b|(?:St|Rd|Ave|Blvd)\b\.?)"
)


def _hetus(text: str) -> list[Finding]:
    found = []
    for match in _HETU.finditer(text):
        candidate = "".join(match.groups())
        if stdnum_hetu.is_valid(candidate, allow_temporary=True):
            found.append(Finding(HETU, match.start(), match.end()))
    return found


def _digits(value: str) -> int:
    return sum(char.isdigit() for char in value)


def _phones(text: str) -> list[Finding]:
    found = []
    for match in _PHONE_DOMESTIC.finditer(text):
        if 7 <= _digits(match.group()) <= 12:
            found.append(Finding(PHONE, match.start(), match.end()))
    for match in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= _digits(match.group()) <= 15:
            found.append(Finding(PHONE, match.start(), match.end()))
    for match in _PHONE_KEYWORD.finditer(text):
        if 6 <= _digits(match.group(1)) <= 15:
            found.append(Finding(PHONE, match.start(1), match.end(1)))
    return found


def _emails(text: str) -> list[Finding]:
    return [Finding(EMAIL, match.start(), match.end()) for match in _EMAIL.finditer(text)]


def _ibans(text: str) -> list[Finding]:
    """A candidate may run into the next word ("FI21 1234 5600 0007 85 ja"): try shorter ends."""
    found = []
    for match in _IBAN.finditer(text):
        candidate = match.group()
        for end in range(len(candidate), 14, -1):
            if candidate[end - 1].isalnum() and stdnum_iban.is_valid(candidate[:end]):
                found.append(Finding(IBAN, match.start(), match.start() + end))
                break
    return found


def _street_addresses(text: str) -> list[Finding]:
    found = []
    for match in _STREET.finditer(text):
        word, suffix = match.group("word"), match.group("suffix").lower()
        ambiguous = suffix in _AMBIGUOUS_SUFFIXES.split("|")
        named = word[0].isupper() or _preceded_by_capitalised_word(text, match.start())  # Pispalan valtaväylä
        if ambiguous and (not named or _NOT_STREETS.search(word)):
            continue
        if word.lower() == suffix and not _preceded_by_capitalised_word(text, match.start()):
            continue  # "på vägen 2 gånger" is on the way, "Gamla vägen 2" is an address
        found.append(Finding(STREET_ADDRESS, match.start(), match.end()))
    found += [Finding(STREET_ADDRESS, match.start(), match.end()) for match in _ENGLISH_STREET.finditer(text)]
    return found


def _preceded_by_capitalised_word(text: str, position: int) -> bool:
    words = text[:position].split()
    return bool(words) and words[-1].lstrip("([\"'«»")[:1].isupper()


_CHECKS = {
    HETU: _hetus,
    PHONE: _phones,
    EMAIL: _emails,
    IBAN: _ibans,
    STREET_ADDRESS: _street_addresses,
}


def check_text(text: str, *, skip: Collection[str] = ()) -> list[Finding]:
    """What in `text` looks like personal data, in order of position, overlaps resolved.

    `skip` names checks not to run: an outreach place may well be described by its street address.
    """
    if not text:
        return []
    normalised = text.translate(_DASHES)
    findings = [finding for code, check in _CHECKS.items() if code not in skip for finding in check(normalised)]
    # An identity code or an IBAN also looks like other things; keep the first, most specific finding.
    findings.sort(key=lambda f: (f.start, list(_CHECKS).index(f.code)))
    kept: list[Finding] = []
    for finding in findings:
        if not kept or finding.start >= kept[-1].end:
            kept.append(finding)
    return kept


def reject_personal_data(value: str, *, skip: Collection[str] = ()) -> None:
    """A form validator: one error per kind of personal data found, each with its code."""
    findings = check_text(value, skip=skip)
    codes = list(dict.fromkeys(finding.code for finding in findings))
    if codes:
        raise ValidationError([ValidationError(MESSAGES[code], code=code) for code in codes])


class PrivateTextField(forms.CharField):
    """A free-text field that refuses personal data (identity codes, phones, e-mails, IBANs, addresses)."""

    def __init__(self, *args, skip: Collection[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.validators.append(lambda value: reject_personal_data(value, skip=skip))
