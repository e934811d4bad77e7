"""Free text on public pages: anything that looks like a phone number or an e-mail is masked.

The quality page lists what respondents typed where the vocabulary did not recognise it
(job titles, « Autre » answers, place and commune names of unlocated places). People
type anything in a free-text cell, their own phone number included: « +33 6 00 00 00 00 »
as a job title reached the page as « 33 6 00 ». Contacts belong to ``data/restricted``
only, so such text is replaced by :data:`MASKED` before it is counted or shown.

Examples
--------
>>> mask_contact_text("Chargée de communication")
'Chargée de communication'
>>> mask_contact_text("+33 6 00 00 00 00")
'[coordonnées masquées]'
>>> mask_contact_text("Écrire à marie.dupont (at) exemple.fr")
'[coordonnées masquées]'
"""
from __future__ import annotations

import re

#: What a masked cell shows (one row of a count when several are masked).
MASKED = "[coordonnées masquées]"

#: Nine digits or more in one run, whatever separates them (« 06 12 34 56 78 »,
#: « 0033.6.00.00 », « 33 6 00 00 00 00 » once folded); years « 2010-2015 » or a postcode are shorter.
_PHONE = re.compile(r"(?:\+|\b)\d(?:[\s.\-/()]*\d){8,}")
#: An e-mail address, also written out (« nom (at) site.fr », « nom arobase site fr »).
_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\barobase\b)\s*[\w-]+(?:\s*\.\s*|\s+)"
                    r"[a-z]{2,}\b", re.IGNORECASE)


def looks_like_contact(text: object) -> bool:
    """Whether ``text`` holds something that reads as a phone number or an e-mail."""
    return isinstance(text, str) and bool(_PHONE.search(text) or _EMAIL.search(text))


def mask_contact_text(text: object) -> object:
    """``text``, or :data:`MASKED` when it looks like a phone number or an e-mail."""
    return MASKED if looks_like_contact(text) else text


__all__ = ["MASKED", "looks_like_contact", "mask_contact_text"]
