"""Bytes to text: size cap, binary detection, UTF-8 first, legacy encodings when the evidence is clear."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from sourcetrace.errors import InputError

DEFAULT_MAX_BYTES = 5_000_000

# Byte-order marks decide the encoding outright; UTF-16/32 text legitimately contains NUL bytes.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Share of non-ASCII bytes below which an undecodable text is taken to be a Latin-script legacy file.
_LATIN_MAX_HIGH_SHARE = 0.15
#: Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.02
_MAX_CHAOS = 0.1
#: C0/C1 control characters other than whitespace, DEL, and the replacement character.
_NON_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def human_size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def over_limit(max_bytes: int, *, source: str | None) -> InputError:
    limit = human_size(max_bytes)
    return InputError(f"input is over the size limit of {limit} (raise max_bytes to allow it)", source=source)


def check_size(n: int, max_bytes: int, *, source: str | None) -> None:
    if n > max_bytes:
        raise over_limit(max_bytes, source=source)


def declared_html_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag, when it is one Python knows."""
    match = _DECLARED_CHARSET.search(data[:4096])
    return _known_codec(match.group(1).decode("ascii")) if match else None


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


def _legacy_alias(name: str | None) -> str | None:
    # As browsers do (WHATWG Encoding): a latin-1 label means cp1252, which it extends.
    return "cp1252" if name in ("iso8859-1", "ascii") else name


def decode_bytes(data: bytes, *, source: str | None, declared: str | None = None) -> str:
    """Decode input bytes to text or raise one readable InputError.

    Order: byte-order mark, a declared charset (HTTP header or HTML meta), strict UTF-8, then a
    legacy guess. charset-normalizer is unreliable on short mostly-ASCII text (it calls English
    cp1252 'cp1250' or 'cp437'), so a mostly-ASCII file that decodes as cp1252 is read as cp1252, the
    legacy encoding of nearly all Western news text; other files go to charset-normalizer and are
    accepted only when its best guess is clean.
    """
    if not data.strip():
        raise InputError("input is empty", source=source)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return check_text(_strict(data, encoding, source), source)
    if b"\x00" in data:
        raise InputError("input looks binary (contains NUL bytes), not text", source=source)
    # Valid UTF-8 beats a declared charset: servers often declare latin-1 for UTF-8 pages, while
    # legacy text is almost never valid UTF-8 by accident.
    for encoding in ("utf-8", _legacy_alias(_known_codec(declared))):
        if encoding:
            try:
                return check_text(data.decode(encoding), source)
            except UnicodeDecodeError:
                continue
    return check_text(_guess_legacy(data, source), source)


def _strict(data: bytes, encoding: str, source: str | None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"input is not valid {encoding} despite its byte-order mark", source=source) from exc


def _guess_legacy(data: bytes, source: str | None) -> str:
    high_share = sum(b >= 0x80 for b in data) / len(data)
    if high_share <= _LATIN_MAX_HIGH_SHARE:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise InputError(
            "input is not valid UTF-8 and its encoding could not be detected; convert it to UTF-8",
            source=source,
        )
    return str(best)


def check_text(text: str, source: str | None) -> str:
    """Reject decoded text that is mostly control characters: a binary file that happened to decode.

    Text that was decoded twice upstream (mojibake) is full of C1 control characters too; it is judged
    as it reads once repaired (`ingest.repair`, applied when the Document is made), not refused."""
    if not text.strip():
        raise InputError("input is empty", source=source)
    bad = len(_NON_TEXT.findall(text))
    if bad / len(text) > _MAX_CONTROL_SHARE:
        from sourcetrace.ingest.repair import repair_text

        bad = len(_NON_TEXT.findall(repair_text(text)[0]))
    if bad / len(text) > _MAX_CONTROL_SHARE:
        raise InputError("input looks binary (mostly non-text characters), not text", source=source)
    return text
