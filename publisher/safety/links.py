"""Personal information in a link a person typed (``publisher posted --url``): a link is recorded in
the ledger and printed in ``history`` and every work report, so a phone or ID number carried in
its query (``?tel=13812345678``) would leak into documents handed up.

The link is read as written and percent-decoded (``%31%33%38…``, ``name=%E5%BC%A0%E4%B8%89``),
through the same detectors as story text, and for Chinese in it the name check.
"""

from __future__ import annotations

import re
import urllib.parse

from publisher.i18n import _
from publisher.safety import names, pii

_DIGITS_ONLY = re.compile(r"\d+")


def personal_information(url: str) -> list[str]:
    """What the link holds that identifies a person, each once, as shown to people (“a mobile phone
    number”, “what may be a person's name (张三)”); empty when nothing."""
    found: list[str] = []
    decoded = urllib.parse.unquote_plus(url, errors="replace")
    for text in dict.fromkeys((url, decoded)):
        for finding in pii.find(text):
            # Douyin, Weibo and Kuaishou post ids are bare runs of 16–19 digits; one in ten passes
            # the Luhn check. A card number typed into a link would be refused by nothing else, but
            # refusing a real post's link one time in ten would teach people to ignore the check.
            if finding.kind == "card" and _DIGITS_ONLY.fullmatch(finding.text):
                continue
            if finding.description not in found:
                found.append(finding.description)
    for finding in names.find_undeclared(decoded, ()):
        shown = _("what may be a person's name ({name})").format(name=finding.name)
        if shown not in found:
            found.append(shown)
    return found
