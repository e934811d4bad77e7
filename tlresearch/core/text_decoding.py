"""Decoding the text files a lab hands over: exports, codebooks, overrides tables.

French Excel saves CSV in Windows-1252, Notepad may add a BOM or write UTF-16, a Mac
writes UTF-8: every text file the library reads goes through :func:`decode_text`, so
they all accept the same encodings and refuse the rest with the same clear line.
"""
from __future__ import annotations

import codecs
import re

from tlresearch.core.errors import ReadError

#: Control characters never found in survey text: their presence means a wrong decoding.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def decode_text(data: bytes, name: str, what: str = "CSV") -> tuple[str, str]:
    """Decode text bytes: a BOM's encoding, else UTF-8, else Windows-1252/Latin-1.

    Returns the text (without a byte-order mark) and the encoding used.

    Raises
    ------
    ReadError
        When the bytes are none of these (binary, UTF-16 without a BOM).
    """
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data:
        raise ReadError("the file holds NUL bytes: it is binary, or UTF-16 without a "
                        f"byte-order mark; save it again as {what} (UTF-8)",
                        file=name, rule="encoding")
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            candidates = _legacy_encodings(data)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding.startswith("utf") or not _CONTROL.search(text):
            return text, encoding
    raise ReadError("the bytes are neither UTF-8, UTF-16 nor Windows-1252/Latin-1 text; "
                    f"save the file again as {what} (UTF-8)", file=name, rule="encoding")


def _legacy_encodings(data: bytes) -> list[str]:
    """Single-byte encodings to try: charset-normalizer's pick (if any), then cp1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    guess = [best.encoding.replace("_", "-")] if best is not None else []
    return list(dict.fromkeys(guess + ["cp1252"]))
