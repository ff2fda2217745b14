"""Credits in the text that make another outlet a hop of a claim's chain (guide, Hops 1 and 5).

- **Whole-article credits**: a repost or syndication line (`The post ... appeared first on X`,
  `originally published at X`, `Reposted with permission from X`, `Read the rest of the story at X`,
  `Credit to X`, `Delivered by X`, `This article has been contributed by X`, `Source: X` or a source
  URL) or a lone agency credit closing the
  article (`(IRNA)`). Several nest: the one printed last wraps the others (a site reposting a blog that
  credits a third outlet prints its own `Source:` last), so it comes first in the chain.
- **Excerpts**: `From X:`, `X has more:` or `X has excerpted part of the book:` puts X into every claim
  after it.
- **Paragraph credits**: `(courtesy of X)`, `(via X)` cover their paragraph.

A credit's own words are no claim. Two credits naming one outlet (`Credit to Infowars` and a link to
infowars.com) are one hop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sourcetrace.nlp.attribution.lexicon import OUTLET_WORDS
from sourcetrace.nlp.attribution.outlet_names import looks_like_outlet, outlet_key
from sourcetrace.outlets.table import split_url

#: One word of a name: a dot inside it (`Breitbart.com`), or ending an abbreviation or initials (`St.`,
#: `Dr.`, `J.D.`), but not a sentence's full stop (`contributed by Ridge Plan. Visit ...`).
_ABBREVIATION = r"(?:St|Dr|Mr|Mrs|Ms|Jr|Sr|Prof|Gen|Gov|Sen|Rep|Lt|Col|Ft|Mt|Inc|Co|Corp|Ltd)\."
_INITIALS = r"(?:[A-Z]\.){1,3}(?![\w&])"


def _name_word(slash: bool) -> str:
    """One word of a name; later words may hold a slash (`News/Talk`), the first may not."""
    chars = r"\w&'\u2019" + ("/" if slash else "") + "-"
    first = "A-Z0-9" + ("/" if slash else "")
    return rf"(?:{_ABBREVIATION}|{_INITIALS}|[{first}][{chars}]*(?:\.[{chars}]+)*)"


#: A name of up to six words.
_NAME = rf"(?:the\s+)?({_name_word(False)}(?: (?:{_name_word(True)}|of|and|&|/)){{0,5}})"
_URL = r"((?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s)]*)?)"
_TARGET = rf"(?:{_URL}|{_NAME})"
_OUTLET_WORD = "(?:" + "|".join(sorted(OUTLET_WORDS)) + ")"
#: Sentence or line start: where a credit line begins (BuzzFeed-style text keeps no line breaks).
_START = r"(?:^|(?<=[.!?\u2026\u201d\"')\]])\s+|\n)[ \t]*"

#: `The Valley courier has excerpted part of the book:` (an outlet word may be lower-cased in the text): a
#: sentence of the article's own that sets off the excerpt after it.
_EXCERPTED_BY = (
    rf"{_START}(?:The |the )?([A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*){{0,3}}(?: {_OUTLET_WORD})?)\s+"
    rf"(?:has|have) excerpted\b[^:\n]{{0,80}}:[ \t]*(?=\n)"
)

_DOCUMENT_PATTERNS = (
    rf"(?:The post .{{0,300}}?\s)?appeared first on\s+{_TARGET}",
    rf"(?:was |were )?(?:originally (?:published|posted|appeared)|first published)\s+"
    rf"(?:at|on|in|by)\s+{_TARGET}",
    rf"{_START}(?:Reposted|Republished|Reprinted|Syndicated|Shared)(?: [Ww]ith [Pp]ermission)?\s+"
    rf"(?:[Ff]rom|[Bb]y)\s+{_TARGET}",
    rf"{_START}Read (?:the rest|more)(?: of (?:the|this) (?:story|article|post))?\s+(?:at|on)\s+"
    rf"(?:[A-Z][\w.'\u2019-]*(?:\s[A-Z][\w.'\u2019-]*)?['\u2019]s\s+(?:blog|site|website)\s+)?{_TARGET}",
    rf"{_START}(?:Credit|Credits|Hat tip|H/T) to\s+{_TARGET}",
    rf"{_START}(?:This (?:article|post|story|piece) (?:has been|was|is) )?"
    rf"(?:[Dd]elivered|[Cc]ontributed|[Pp]rovided|[Ss]upplied) by\s+{_TARGET}",
    rf"{_START}\(?Source:\s*{_TARGET}",
)
_EXCERPT_PATTERNS = (
    rf"{_START}(?:Excerpted |Reprinted |Reposted )?[Ff]rom\s+{_NAME}\s*:",
    # `There's more from the Times report, and none of it reflects well on them:` before the excerpt.
    rf"{_START}(?:There[’']s |Here[’']s )?(?:more|this|an excerpt) from (?:the )?{_NAME}(?:['’]s)?"
    rf"(?: report| article| story| piece)?[^:\n]{{0,80}}:[ \t]*(?=\n)",
    rf"{_START}{_NAME}\s+has more\s*:",
    _EXCERPTED_BY,
    rf"{_START}[Aa]s\s+{_NAME}\s+(?:reports|reported|writes|wrote|explains)\s*:",
    # `As Elsevier reports (via Google Translate),` closing its line: the block below is the report.
    rf"{_START}[Aa]s\s+{_NAME}\s+(?:reports|reported|writes|wrote|explains|notes|noted)"
    rf"(?:\s*\([^)\n]{{0,60}}\))?\s*[,:][ \t]*(?=\n)",
)
_PARAGRAPH_PATTERN = re.compile(r"\((?:[Cc]ourtesy of|[Vv]ia|[Ff]rom)\s+" + _NAME + r"\)")
#: `... he said. (IRNA)` closing the article: the agency that supplied it.
_CLOSING_AGENCY = re.compile(r"\(\s*([A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+){0,3})\s*\)\s*$")
#: A bare URL on the article's last lines: where the text was taken from.
_TRAILING_URL = re.compile(r"(?m)^[ \t]*" + _URL + r"[ \t]*$")


@dataclass(frozen=True, slots=True)
class Credit:
    """A credit in the text: its outlet covers every claim in [scope_start, scope_end)."""

    name: str
    span: tuple[int, int]
    line: tuple[int, int]  # the whole credit phrase, which is no claim of its own
    scope_start: int
    scope_end: int
    #: Nesting order among credits covering one claim: lower is nearer the publisher.
    rank: int = 0


def _credit_name(match: re.Match[str]) -> tuple[str, int, int] | None:
    """The name (or the host of the URL) a credit pattern caught, with its offsets."""
    for group in range(1, (match.re.groups or 0) + 1):
        value = match.group(group)
        if not value:
            continue
        start = match.start(group)
        value = re.sub(r"(?:\s+(?:of|and|&|/))+$", "", value.rstrip(".,;:)"))
        parts = split_url(value) if "." in value else None
        if parts is not None and (value.startswith("http") or "/" in value or value.count(".") >= 1
                                  and value.split(".")[-1].isalpha() and value.islower()):
            host = parts[0]
            at = value.lower().find(host)
            return host, start + max(at, 0), start + max(at, 0) + len(host)
        return value, start, start + len(value)
    return None


def _looks_like_outlet(name: str) -> bool:
    return looks_like_outlet(name) or (name.isupper() and 2 <= len(name) <= 6)


def find_credits(text: str) -> list[Credit]:
    credits: list[Credit] = []
    end = len(text)
    for pattern in _DOCUMENT_PATTERNS:
        for match in re.finditer(pattern, text):
            found = _credit_name(match)
            if found is not None:
                name, s, e = found
                line = (match.start() + len(match.group(0)) - len(match.group(0).lstrip()), match.end())
                credits.append(Credit(name, (s, e), line, 0, end, rank=-match.start()))
    tail = text.rstrip()
    closing = _CLOSING_AGENCY.search(tail)
    if closing and _looks_like_outlet(closing.group(1)):
        name = closing.group(1)
        credits.append(Credit(name, closing.span(1), closing.span(), 0, end, rank=-closing.start()))
    last_lines = text[max(0, len(tail) - 600) :]
    offset = max(0, len(tail) - 600)
    for match in _TRAILING_URL.finditer(last_lines):
        host = split_url(match.group(1))
        if host is not None and text[offset + match.end() :].strip() == "" or _only_urls_after(
            text, offset + match.end()
        ):
            s = offset + match.start(1)
            credits.append(Credit(host[0] if host else match.group(1), (s, s + len(match.group(1))),
                                  (s, offset + match.end(1)), 0, end, rank=-s))
    for k, pattern in enumerate(_EXCERPT_PATTERNS):
        for match in re.finditer(pattern, text):
            name = match.group(1).rstrip(".,")
            span = (match.start(1), match.start(1) + len(name))
            scope_end = _excerpt_end(text, name, match.end())
            if k == _BLOCK_EXCERPT:
                scope_end = min(scope_end, _paragraph_end(text, match.end()))
            # `X has excerpted part of the book:` is a sentence of the article's own, still a claim.
            line = (match.start(1), match.end())
            if pattern == _EXCERPTED_BY:
                line = (match.end() - 1, match.end())
            credits.append(Credit(name, span, line, match.end(), scope_end, rank=match.start()))
    for match in _PARAGRAPH_PATTERN.finditer(text):
        name = match.group(1).rstrip(".,")
        span = (match.start(1), match.start(1) + len(name))
        start = text.rfind("\n\n", 0, match.start()) + 1
        stop = text.find("\n\n", match.end())
        stop = stop if stop >= 0 else end
        if not text[start:stop].strip().removeprefix(match.group(0)).strip():
            start, stop = 0, end  # a credit standing alone covers the whole article
        credits.append(Credit(name, span, match.span(), start, stop, rank=1_000_000 + match.start()))
    return _one_per_outlet(credits)


#: The excerpt pattern whose excerpt is the one block set off after it (`There's more from the Times:`).
_BLOCK_EXCERPT = 1


def _paragraph_end(text: str, start: int) -> int:
    """The end of the first paragraph after `start` (the block an introducing colon sets off)."""
    body = len(text) - len(text[start:].lstrip())
    stop = re.search(r"\n\s*\n", text[body:])
    return body + stop.start() if stop else len(text)


def _excerpt_end(text: str, name: str, start: int) -> int:
    """Where an excerpt ends: at the sentence that names its outlet again (`Politico notes that ...`),
    which is the reposting site's own voice; else at the end of the article."""
    again = re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text[start:])
    if again is None:
        return len(text)
    at = start + again.start()
    boundary = max(text.rfind(". ", start, at), text.rfind("\n", start, at), text.rfind("? ", start, at))
    return boundary + 1 if boundary >= start else at


def _only_urls_after(text: str, offset: int) -> bool:
    rest = text[offset:].strip()
    return all(_TRAILING_URL.match(line) or not line.strip() or line.strip().startswith("Source:")
               for line in rest.splitlines())


def _one_per_outlet(credits: list[Credit]) -> list[Credit]:
    """One credit per outlet, the outermost kept; the others still mark their lines as no claim."""
    kept: dict[str, Credit] = {}
    names: dict[str, str] = {}
    for credit in sorted(credits, key=lambda c: c.rank):
        key = outlet_key(credit.name)
        if key and key not in kept:
            kept[key] = credit
        # The outlet's own spelling (`Infowars`) reads better than the host a link gave (`infowars.com`).
        if key and (key not in names or (names[key].islower() and not credit.name.islower())):
            names[key] = credit.name
    extra = [c for c in credits if c not in kept.values()]
    kept = {k: replace(c, name=names[k]) for k, c in kept.items()}
    return sorted(kept.values(), key=lambda c: c.rank) + [_silent(c) for c in extra]


def _silent(credit: Credit) -> Credit:
    """A repeated credit: its line is no claim, but it adds no hop (an empty scope)."""
    return Credit(credit.name, credit.span, credit.line, 0, 0, credit.rank)
