"""Finding personal information in text, and masking it.

Detectors are strict on purpose: a mainland ID must pass the GB 11643 check digit, a bank
card the Luhn check, a mobile must be a whole ``1[3-9]`` run of 11 digits. Dates, amounts,
case figures and hotlines (110, 96110, 12345…) are left alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from publisher.i18n import N_, _

HOTLINES = {"110", "119", "120", "122", "12345", "96110", "12110", "12389", "12337"}

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3})([\dXx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?\(?(1[3-9]\d)\)?[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?(0\d{2,3})[\s-](\d{7,8})(?!\d)"
                       r"|(?<!\d)\((0\d{2,3})\)\s?(\d{7,8})(?!\d)")
_CARD = re.compile(r"(?<![\d])(\d{4}(?:[\s-]?\d{4}){3}(?:[\s-]?\d{1,3})?)(?!\d)")
_PLATE = re.compile(
    r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])([A-HJ-NP-Z])[·\s]?"
    r"([A-HJ-NP-Z0-9]{6}|[A-HJ-NP-Z0-9]{5}|[A-HJ-NP-Z0-9]{4}[学警挂领港澳试超])(?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Lenient forms, for text already normalised by :mod:`publisher.safety.published`: a plate in
# lower case or with a space after the province, a landline without a separator, an e-mail
# whose user part is written in Chinese (张三@163.com).
_PLATE_LENIENT = re.compile(
    r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])[\s·・-]?([A-HJ-NP-Za-hj-np-z])[\s·・-]?"
    r"([A-HJ-NP-Za-hj-np-z0-9]{6}|[A-HJ-NP-Za-hj-np-z0-9]{5}|[A-HJ-NP-Za-hj-np-z0-9]{4}[学警挂领港澳试超])"
    r"(?![A-Za-z0-9])")
_LANDLINE_BARE = re.compile(r"(?<![\d+])(?:0(?:10|2\d)[2-9]\d{7}|0[3-9]\d{2}[2-9]\d{6,7})(?!\d)")
_EMAIL_CJK = re.compile(r"(?<![A-Za-z0-9._%+-])(?![到至向给为是往发])[\u4e00-\u9fff]{1,3}"
                        r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class Finding:
    kind: str
    """``id``, ``mobile``, ``landline``, ``card``, ``plate`` or ``email``."""
    start: int
    end: int
    text: str

    @property
    def description(self) -> str:
        """What it is, in the reader's language (an ID number, 身份证号…)."""
        return _(DESCRIPTIONS[self.kind])


DESCRIPTIONS = {"id": N_("an ID number"), "mobile": N_("a mobile phone number"),
                "landline": N_("a landline number"), "card": N_("a bank card number"),
                "plate": N_("a licence plate"), "email": N_("an e-mail address")}
"""Marked for the catalog; translated where shown (:attr:`Finding.description`)."""


def id_check_digit(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def _valid_date(text: str) -> bool:
    try:
        day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return 1900 <= day.year <= dt.date.today().year


def luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def find(text: str, lenient: bool = False) -> list[Finding]:
    """Every piece of personal information in ``text``, left to right, without overlaps.

    ``lenient`` also accepts the looser forms that normalised published text shows (lower-case
    or spaced plates, landlines without a separator, e-mail users written in Chinese)."""
    found: list[Finding] = []

    def add(kind: str, match: re.Match) -> None:
        found.append(Finding(kind, match.start(), match.end(), match.group()))

    for m in _ID18.finditer(text):
        body = m.group(1) + m.group(2) + m.group(3)
        if _valid_date(m.group(2)) and id_check_digit(body) == m.group(4).upper():
            add("id", m)
    for m in _ID15.finditer(text):
        if _valid_date("19" + m.group(2)) and m.group(1)[0] in "1234568":
            add("id", m)
    for m in _MOBILE.finditer(text):
        add("mobile", m)
    for m in _LANDLINE.finditer(text):
        add("landline", m)
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if 16 <= len(digits) <= 19 and luhn(digits):
            found.append(Finding("card", m.start(1), m.end(1), m.group(1)))
    for m in (_PLATE_LENIENT if lenient else _PLATE).finditer(text):
        add("plate", m)
    for m in _EMAIL.finditer(text):
        add("email", m)
    if lenient:
        for m in _LANDLINE_BARE.finditer(text):
            add("landline", m)
        for m in _EMAIL_CJK.finditer(text):
            add("email", m)
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue  # an ID that also passes Luhn is reported once, as the longer/earlier find
        if finding.text.strip() in HOTLINES:
            continue
        kept.append(finding)
    return kept


def mask(finding: Finding, id_mode: str = "keep") -> str:
    """The masked form: 138****5678, 340404********123X (or [身份证号已隐去]), 皖D***45, ****1234."""
    text = finding.text
    if finding.kind == "mobile":
        digits = re.sub(r"\D", "", text)[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    if finding.kind == "landline":
        digits = re.sub(r"\D", "", text)
        return f"{digits[:4]}****{digits[-2:]}" if len(digits) > 8 else "****"
    if finding.kind == "id":
        if id_mode == "drop":
            return "[身份证号已隐去]"
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    if finding.kind == "card":
        digits = re.sub(r"\D", "", text)
        return f"****{digits[-4:]}"
    if finding.kind == "plate":
        compact = re.sub(r"[·\s]", "", text).upper()
        return f"{compact[:2]}***{compact[-2:]}"
    if finding.kind == "email":
        user, _at, domain = text.partition("@")
        return f"{user[:1]}***@{domain}"
    return "***"

