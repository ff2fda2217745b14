"""Plain article text to a Document: headline, byline and dateline parsing.

The headline and byline lines are removed from the text (they are not article prose); the dateline
stays, because offsets must index the text analysed and the dateline is where the wire is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.ingest.lang import detect_language
from sourcetrace.ingest.repair import repair_text
from sourcetrace.schema import Document

_META_FIELDS = frozenset(Document.model_fields) - {"text"}

#: Ends a sentence: . ! ? : ; or an ellipsis, optionally followed by closing quotes or brackets.
_FINAL_PUNCT = re.compile(r"""[.!?:;…]["'’”»)\]]*$""")
_MAX_HEADLINE_CHARS = 250
_DASH = r"(?:--|[-–—])"
_WORD = r"[A-ZÀ-Þ0-9][\w.&/'’-]*"
_CONNECTOR = r"(?:of|the|and|de|for|&)"

#: `CITY (Agency) -`, `CITY, Country, March 3 (Agency) —`, or a bare `(Agency) -`.
_WIRE_DATELINE = re.compile(
    rf"^(?:(?P<place>[A-ZÀ-Þ][\w.&/'’-]*(?:,?\s+{_WORD}){{0,7}},?)\s*)?"
    rf"\((?P<agency>[A-Za-z][\w .&/'’-]{{0,40}})\)\s*{_DASH}\s*(?=\S)"
)
#: `(Wire)The ministry said ...`: a wire's credit in brackets glued to the first sentence, no place, no dash.
_CREDIT_DATELINE = re.compile(r"^\((?P<agency>[A-Z][\w .&/'’-]{0,40})\)[ \t]*(?=[A-Z\"“‘])")
#: `Daily Ledger – The mayor said...`: a short capitalised name, a spaced dash, then a sentence start.
_NAME_DATELINE = re.compile(
    rf"^(?P<name>[A-ZÀ-Þ][\w.&'’-]*(?:\s+(?:{_WORD}|{_CONNECTOR})){{0,5}})\s+{_DASH}\s+(?=[A-Z\"“‘'])"
)
_BYLINE = re.compile(
    rf"^By\s+(?P<name>[A-ZÀ-Þ][\w.'’-]*(?:\s+(?:{_WORD}|and|de|van|von|da|la|le)){{0,6}})"
    r"(?:,\s*[^\n]{1,60})?$"
)

#: Wire services; a bare `Reuters -` under another outlet's masthead names the wire, not the outlet.
KNOWN_WIRES = frozenset(
    w.casefold()
    for w in (
        "Reuters",
        "AP",
        "Associated Press",
        "The Associated Press",
        "AFP",
        "Agence France-Presse",
        "Bloomberg",
        "UPI",
        "dpa",
        "Xinhua",
        "EFE",
        "ANSA",
        "Kyodo",
        "PA",
        "PA Media",
        "TASS",
        "Anadolu",
        "Yonhap",
        "PTI",
        "ANI",
        "Bernama",
        "CP",
        "The Canadian Press",
        "AAP",
        "Interfax",
        "APA",
    )
)
#: All-caps names that are outlets; any other all-caps dateline word is a place (`WASHINGTON -`).
_OUTLET_ACRONYMS = frozenset(
    (
        "AP",
        "AFP",
        "UPI",
        "DPA",
        "EFE",
        "ANSA",
        "TASS",
        "PTI",
        "ANI",
        "PA",
        "AAP",
        "CP",
        "APA",
        "BBC",
        "CNN",
        "NPR",
        "PBS",
        "ABC",
        "CBS",
        "NBC",
        "RTE",
        "RNZ",
        "CBC",
        "SBS",
        "RFI",
        "DW",
        "NHK",
        "KBS",
    )
)


@dataclass(frozen=True)
class Dateline:
    outlet: str | None = None
    wire: str | None = None


def normalize_newlines(raw: str) -> str:
    return raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _has_final_punct(line: str) -> bool:
    return bool(_FINAL_PUNCT.search(line))


def split_headline(text: str) -> tuple[str | None, str]:
    """(headline, rest) when the first line is a headline, else (None, text stripped).

    A headline has no final punctuation and more text after it. A hard-wrapped paragraph also has
    an unpunctuated first line, so a line continued by a lowercase word, or ending in a comma or
    dash, or that is itself a dateline, is not taken for one.
    """
    text = text.strip()
    first, _, rest = text.partition("\n")
    first, rest = first.strip(), rest.strip()
    if not rest or len(first) > _MAX_HEADLINE_CHARS or not any(ch.isalpha() for ch in first):
        return None, text
    if _has_final_punct(first) or first.endswith((",", "-", "–", "—")):
        return None, text
    directly_next = text.partition("\n")[2].lstrip(" \t")
    if directly_next[:1].islower() or _WIRE_DATELINE.match(first):
        return None, text
    return first, rest


def _same_line(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def drop_title_line(text: str, title: str) -> str:
    """Remove a first line that repeats the title already known from metadata."""
    text = text.strip()
    first, _, rest = text.partition("\n")
    return rest.strip() if rest.strip() and _same_line(first, title) else text


def split_byline(text: str) -> tuple[str | None, str]:
    """(author, rest) when the text opens with a `By Jane Doe` line of its own."""
    first, _, rest = text.partition("\n")
    match = _BYLINE.match(first.strip())
    if match and rest.strip() and not _has_final_punct(match.group("name")):
        return match.group("name"), rest.strip()
    return None, text


def parse_dateline(text: str, *, outlet: str | None = None) -> Dateline:
    """The outlet and wire named by a dateline at the start of `text`.

    `outlet` is the publisher already known from metadata: a bare leading name then only counts when
    it is a wire service reposted under that masthead.
    """
    credit = _CREDIT_DATELINE.match(text)
    if credit:
        # `(CNN)Mike Pence said ...`: an outlet's own credit (no further hop) or a wire's.
        agency = credit.group("agency").strip()
        if outlet is None:
            return Dateline(outlet=agency)
        return Dateline() if _same_line(agency, outlet) else Dateline(wire=agency)
    match = _WIRE_DATELINE.match(text)
    if match:
        agency = match.group("agency").strip()
        if agency[0].isupper() or agency.casefold() in KNOWN_WIRES:
            return Dateline(wire=agency)
        return Dateline()
    match = _NAME_DATELINE.match(text)
    if not match:
        return Dateline()
    name = match.group("name")
    if re.search(rf"\s{_CONNECTOR}$", name):
        return Dateline()
    chained = _WIRE_DATELINE.match(text[match.end() :])
    if chained and name.upper() != name:
        # `The Harbour Courier – PORT ELLIS (Meridian Wire) – ...`: masthead, then a wire dateline.
        return Dateline(outlet=outlet or name, wire=chained.group("agency").strip())
    if name.upper() == name and name.replace(" ", "") not in _OUTLET_ACRONYMS:
        return Dateline()  # `WASHINGTON -`: a place, not a publisher
    if outlet is None:
        return Dateline(outlet=name)
    if name.casefold() in KNOWN_WIRES and not _same_line(name, outlet):
        return Dateline(wire=name)
    return Dateline()


def mark_paragraphs(text: str, paragraphs: list[tuple[int, int]]) -> str:
    """`text` with a line break in the white space between paragraphs whose bounds a source gives
    apart (BuzzFeed-Webis XML joins them with spaces). Lengths are kept, so offsets into the source
    text stay valid; the parser then starts a sentence at each paragraph, as a reader does."""
    chars = list(text)
    for (_, end), (start, _) in zip(paragraphs, paragraphs[1:], strict=False):
        gap = range(end, min(start, len(chars)))
        if gap and all(chars[i].isspace() for i in gap):
            for k, i in enumerate(gap):
                chars[i] = "\n" if k < 2 else " "
    return "".join(chars)


def document_from_text(raw: str, **meta: Any) -> Document:
    """Build a Document from article text, reading headline, byline and dateline from it.

    `meta` takes any Document field but `text` (title, outlet, wire, published, author, path, url,
    language, fetched_at, final_url); values given win over what the text suggests, None counts as
    not given. Raises InputError when there is no text.
    """
    unknown = set(meta) - _META_FIELDS
    if unknown:
        raise TypeError(f"unknown document field(s): {', '.join(sorted(unknown))}")
    fields = {k: v for k, v in meta.items() if v is not None}
    repaired, repairs = repair_text(normalize_newlines(raw))
    if repairs:
        fields["repairs"] = [*fields.get("repairs", []), *repairs]
    text = repaired.strip()
    if not text:
        raise InputError("input is empty", source=fields.get("path") or fields.get("url"))
    if "title" in fields:
        text = drop_title_line(text, fields["title"])
    else:
        title, text = split_headline(text)
        if title:
            fields["title"] = title
    author, text = split_byline(text)
    if author:
        fields.setdefault("author", author)
    dateline = parse_dateline(text, outlet=fields.get("outlet"))
    if dateline.outlet:
        fields.setdefault("outlet", dateline.outlet)
    if dateline.wire:
        fields.setdefault("wire", dateline.wire)
    if "language" not in fields:
        fields["language"] = detect_language(text)
    return Document(text=text, **fields)
