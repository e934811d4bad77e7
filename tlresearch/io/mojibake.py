"""Undo UTF-8 text that went through a Windows-1252 (or Latin-1) reading, once or twice.

Shared by the header and cell cleaning of :mod:`tlresearch.io.raw_tables` and
:mod:`tlresearch.io.grid`: "é" saved as UTF-8 and reopened as cp1252 shows as "Ã©".
"""
from __future__ import annotations

import re
import unicodedata

#: Characters a UTF-8 continuation byte (0x80-0xBF) becomes when read as cp1252/latin-1.
_CONTINUATION = "".join(sorted({
    bytes([b]).decode(enc, errors="ignore") for b in range(0x80, 0xC0)
    for enc in ("cp1252", "latin-1")} - {""}))
_CONT = f"[{re.escape(_CONTINUATION)}]"

#: Telltale mojibake of French text: é→Ã©, nbsp→Â\xa0, œ→Å“, ’→â€™.
MOJIBAKE = re.compile(f"[ÃÂÅ]{_CONT}|â€")

#: One UTF-8 multi-byte sequence rendered as cp1252/latin-1 characters.
_UTF8_SEQUENCE = re.compile(
    f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")

def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 read as cp1252 (twice at most); True only if nothing suspect remains."""
    repaired = text
    for _ in range(2):
        repaired = _UTF8_SEQUENCE.sub(_decode_sequence, repaired)
        if not MOJIBAKE.search(repaired):
            break
    repaired = unicodedata.normalize("NFC", repaired)
    return repaired, repaired != text and not MOJIBAKE.search(repaired)


def _decode_sequence(match: re.Match) -> str:
    chars = match.group()
    for encoding in ("cp1252", "latin-1"):
        try:
            return chars.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return chars
