"""Which outlet is this, and how reliable do public rating sets say it is?

`OutletTable` resolves a URL, a bare domain, a site name, a dateline such as `LONDON (Reuters) -` or
an outlet named inside a chain (`according to Russian state broadcaster RT`) to one `OutletRecord`:
its domain, names, a 0..1 reliability score, a reliable/mixed/unreliable label and which of the four
rating sets agree. The table is built offline by `sourcetrace.training.outlets` from the shared rating
sets plus the hand-written `data/outlet_aliases.tsv`; DATA_CARD.md documents how scores are combined.

Matching favours precision: a false match would pin an outlet's rating on a person. In strict mode
(the default) a name only matches capitalised text, except names an outlet itself writes in lower case
(`dpa`); one-word names learnt from the data and bare domain stems (`DailyKos` -> dailykos.com) only
match when they cannot read as a surname or a common noun (CamelCase, digits, short all-caps).
`strict=False` is for a user typing a name at the command line.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tldextract

from sourcetrace.errors import InputError, ModelError

FORMAT = "sourcetrace-outlets/1"
_MEMO_SIZE = 4096
DEFAULT_TABLE = "outlets.json.gz"

#: The four rating sets, in the order they are listed everywhere.
RATING_SETS = ("lin2023", "burdisso2024", "baly_mbfc", "opensources")

#: Tier names of the name index, most trusted first.
NAME_TIERS = ("alias", "name", "domain_name")

#: Hosts whose subdomains and paths belong to users, not to the host: a blog on blogspot.com is not
#: rated by blogspot.com's rating, so lookups never fall back from them to the parent.
PLATFORM_HOSTS = frozenset(
    """
    blogspot.com wordpress.com medium.com substack.com tumblr.com github.io wixsite.com weebly.com
    livejournal.com typepad.com blogger.com angelfire.com tripod.com squarespace.com google.com
    sites.google.com facebook.com twitter.com x.com youtube.com instagram.com tiktok.com reddit.com
    t.me telegram.me rumble.com bitchute.com go.com amazonaws.com herokuapp.com netlify.app
    vercel.app pages.dev appspot.com ning.com over-blog.com jimdo.com wix.com
    """.split()
)

#: Public suffixes (`co.uk`, `com.au`, `gov.ir`) from the Public Suffix List snapshot tldextract ships:
#: no download (`suffix_list_urls=()`), no cache files; ICANN suffixes only, so `blogspot.com` stays a
#: host whose users' blogs `PLATFORM_HOSTS` keeps apart.
_PUBLIC_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

#: First path segments that only name a section of the outlet's own site (`rt.com/news`).
GENERIC_SEGMENTS = frozenset(
    "news home index en english main_page sections section blog blogs t2 category tag topics politics".split()
)

#: Host prefixes that serve the same outlet (`www.`, `m.`, `amp.`).
_HOST_PREFIX = re.compile(r"^(?:www\d*|m|mobile|amp)\.(?=[^.]+\.)")

_URLISH = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^\s/@]+@)?[\w-]+(?:\.[\w-]+)*\.[a-z][a-z0-9-]+\.?(?::\d+)?(?:[/?#]\S*)?$",
    re.IGNORECASE,
)
_VALID_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$|^\d{1,3}(?:\.\d{1,3}){3}$")

#: Words that name what kind of outlet follows or precedes a name: `state broadcaster RT`,
#: `Reuters news agency`. Dropping them never drops part of a name that the table knows.
DESCRIPTOR_WORDS = frozenset(
    """
    agency broadcaster network channel outlet newspaper daily tabloid wire newswire service station
    website site magazine paper media television tv radio portal weekly blog broadsheet publication
    state-run state-owned state-controlled state-backed state-funded state-affiliated pro-government
    pro-kremlin government-run government-controlled official news
    """.split()
)

_PREFIX = re.compile(
    r"^(?:according\s+to|reported\s+by|courtesy\s+of|citing|via|from|per|by|told|source|credit|photo|"
    r"image|copyright|©)(?:\s*[:\-–—]\s*|\s+)",
    re.IGNORECASE,
)
_EDGE_JUNK = "\"'“”‘’«»[]{}<>*_ \t\n"
_TRAILING = re.compile(r"[\s\-–—:;,.!]+$")
#: A possessive ending (`the agency's`), dropped from names before they are compared.
POSSESSIVE = re.compile(r"['’]s$")
_PAREN = re.compile(r"\(([^()]{1,80})\)")
_SITE_SEPARATOR = re.compile(r"\s+[|\-–—]\s+|\s*[|·•»]\s*|\s+::\s+|[:,]\s+")


# --------------------------------------------------------------------------- normalisation


def name_key(text: str) -> str:
    """The matching key of an outlet name: case, accents, punctuation and `&` do not matter."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("&", " and ")
    # Dots and apostrophes vanish so `L.A. Times` meets `LA Times` and `People's` meets `Peoples`.
    folded = re.sub(r"[.'’`]", "", folded)
    folded = re.sub(r"[\W_]+", " ", folded)
    return " ".join(folded.split())


def _strip_host(host: str) -> str:
    host = host.strip().strip(".").lower()
    while True:
        shorter = _HOST_PREFIX.sub("", host)
        if shorter == host:
            return host
        host = shorter


def split_url(text: str) -> tuple[str, str | None] | None:
    """(host, first path segment) of a URL or bare domain, lower-cased, without `www.`/`m.`.

    The segment is None when it only names a section of the site (`/news`, `/en`) or a file.
    """
    raw = text.strip()
    if not raw or any(c.isspace() for c in raw):
        return None
    raw = re.sub(r"^[a-z][a-z0-9+.-]*://", "", raw, flags=re.IGNORECASE)
    cut = re.search(r"[/?#]", raw)
    authority, rest = (raw[: cut.start()], raw[cut.start() :]) if cut else (raw, "")
    host = _strip_host(authority.rsplit("@", 1)[-1].split(":", 1)[0])
    if not _VALID_HOST.match(host):
        return None
    segment = re.split(r"[/?#]", rest[1:], maxsplit=1)[0].lower() if rest.startswith("/") else ""
    if not segment or "." in segment or segment in GENERIC_SEGMENTS:
        return host, None
    return host, segment


def domain_key(text: str) -> str | None:
    """The table key of a URL or domain: `host` or `host/segment` (`theguardian.com/observer`)."""
    parts = split_url(text)
    if parts is None:
        return None
    host, segment = parts
    return f"{host}/{segment}" if segment else host


def host_of(url: str) -> str | None:
    """The host of a URL or bare domain as every lookup keys it: lower case, without `www.`/`m.`."""
    parts = split_url(url)
    return parts[0] if parts is not None else None


@cache
def registrable(host: str) -> tuple[str, str] | None:
    """(stem, public suffix) when `host` is a registrable domain itself (`bbc.co.uk` -> bbc, co.uk)."""
    parts = _PUBLIC_SUFFIXES(host)
    if parts.subdomain or not parts.domain or not parts.suffix:
        return None
    return parts.domain, parts.suffix


def _parents(host: str) -> Iterable[str]:
    """`a.b.example.co.uk` -> `b.example.co.uk`, `example.co.uk`; never a bare public suffix."""
    if registrable(host) is not None:
        return
    labels = host.split(".")
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        yield parent
        if registrable(parent) is not None:
            return


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class OutletRecord:
    """One outlet. `score` is 0 (unreliable) .. 1 (reliable), None when no set rates it."""

    domain: str
    name: str
    aliases: tuple[str, ...] = ()
    score: float | None = None
    label: str | None = None
    labels: tuple[str, ...] = ()
    rating_sources: tuple[str, ...] = ()
    agreeing: tuple[str, ...] = ()
    ratings: Mapping[str, float] = field(default_factory=dict)

    def __hash__(self) -> int:
        # `ratings` is a dict; the domain alone identifies a record.
        return hash(self.domain)

    @property
    def rated(self) -> bool:
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "name": self.name,
            "aliases": list(self.aliases),
            "score": self.score,
            "label": self.label,
            "labels": list(self.labels),
            "rating_sources": list(self.rating_sources),
            "agreeing": list(self.agreeing),
            "ratings": dict(self.ratings),
        }


@dataclass(frozen=True, slots=True)
class OutletMatch:
    """How a query was resolved: `via` is domain | parent_domain | alias | name | domain_name."""

    record: OutletRecord
    via: str
    key: str


def verdict(score: float, thresholds: tuple[float, float]) -> str:
    low, high = thresholds
    if score >= high:
        return "reliable"
    return "mixed" if score >= low else "unreliable"


# --------------------------------------------------------------------------- table


class OutletTable:
    """The built outlet table with its domain and name indexes; see `load` and `lookup`."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        if payload.get("format") != FORMAT:
            raise ValueError(f"not an outlet table (format {payload.get('format')!r}, expected {FORMAT!r})")
        self.meta: dict[str, Any] = {k: v for k, v in payload.items() if k not in ("records", "names")}
        fields_ = payload["fields"]
        self._rows: dict[str, list[Any]] = {row[0]: row for row in payload["records"]}
        self._col = {name: i for i, name in enumerate(fields_)}
        self._names: list[dict[str, str]] = [payload["names"][tier] for tier in NAME_TIERS]
        self._lowercase = frozenset(payload["names"].get("lowercase", ()))
        self._cache: dict[str, OutletRecord] = {}
        self._memo: dict[tuple[str, bool], OutletMatch | None] = {}
        # Hosts that only occur with a path (`c-span.org/wj`): a bare-host query may use that entry.
        by_host: dict[str, list[str]] = {}
        for key in self._rows:
            if "/" in key:
                by_host.setdefault(key.split("/", 1)[0], []).append(key)
        self._only_path = {
            h: keys[0] for h, keys in by_host.items() if len(keys) == 1 and h not in self._rows
        }

    # ---- loading

    @classmethod
    def load(cls, path: str | Path | None = None) -> OutletTable:
        """The table at `path` (a .json or .json.gz written by `sourcetrace.training.outlets`); default:
        the packaged one."""
        if path is None:
            return _default_table()
        return cls._read(Path(path), user_path=True)

    @classmethod
    def _read(cls, path: Path, *, user_path: bool) -> OutletTable:
        try:
            raw = path.read_bytes()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            return cls(json.loads(raw))
        except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
            if user_path:
                raise InputError(f"cannot read outlet table: {exc}", source=str(path)) from exc
            raise ModelError(
                f"packaged outlet table {path} is missing or corrupt ({exc}); rebuild it with "
                "`make models` (python -m sourcetrace.training.outlets --data ../shared/data/outlets)"
            ) from exc

    # ---- access

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, domain: object) -> bool:
        return isinstance(domain, str) and domain in self._rows

    def __iter__(self) -> Iterator[OutletRecord]:
        for key in self._rows:
            yield self._record(key)

    @property
    def thresholds(self) -> tuple[float, float]:
        low, high = self.meta["thresholds"]
        return float(low), float(high)

    def get(self, domain: str) -> OutletRecord | None:
        """The record stored under exactly this key (`bbc.co.uk`, `theguardian.com/observer`)."""
        return self._record(domain) if domain in self._rows else None

    def _record(self, key: str) -> OutletRecord:
        record = self._cache.get(key)
        if record is None:
            row, col = self._rows[key], self._col
            ratings = row[col["ratings"]]
            record = OutletRecord(
                domain=row[col["domain"]],
                name=row[col["name"]],
                aliases=tuple(row[col["aliases"]]),
                score=row[col["score"]],
                label=row[col["label"]],
                labels=tuple(row[col["labels"]]),
                rating_sources=tuple(s for s in RATING_SETS if s in ratings),
                agreeing=tuple(row[col["agreeing"]]),
                ratings={s: ratings[s] for s in RATING_SETS if s in ratings},
            )
            self._cache[key] = record
        return record

    # ---- lookup

    def lookup(self, query: str | None, *, strict: bool = True) -> OutletRecord | None:
        """The outlet a URL, domain, site name, dateline or outlet name refers to, or None.

        `strict=False` (for a user typing a name at the command line) also lets names learnt from the
        data match lower-case text and any bare domain stem (`breitbart`).
        """
        found = self.match(query, strict=strict)
        return found.record if found else None

    def first(self, *queries: str | None, strict: bool = True) -> OutletRecord | None:
        """The first of several clues that resolves: e.g. `first(doc.final_url, doc.url, doc.outlet)`."""
        for query in queries:
            record = self.lookup(query, strict=strict)
            if record is not None:
                return record
        return None

    def match(self, query: str | None, *, strict: bool = True) -> OutletMatch | None:
        """Like `lookup`, but says how the query matched."""
        if not query or not query.strip():
            return None
        # Articles name the same few outlets over and over; remember recent answers.
        memo_key = (query, strict)
        if memo_key in self._memo:
            return self._memo[memo_key]
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        found = self._memo[memo_key] = self._match(query, strict=strict)
        return found

    def _match(self, query: str, *, strict: bool) -> OutletMatch | None:
        text = unicodedata.normalize("NFKC", query).strip()
        if _URLISH.match(text):
            found = self._match_domain(text)
            if found is not None:
                return found
        for candidate, derived in _name_candidates(text):
            found = self._match_name(candidate, strict=strict, derived=derived)
            if found is not None:
                return found
        return None

    def _match_domain(self, text: str) -> OutletMatch | None:
        parts = split_url(text)
        if parts is None:
            return None
        host, segment = parts
        if segment and f"{host}/{segment}" in self._rows:
            return OutletMatch(self._record(f"{host}/{segment}"), "domain", f"{host}/{segment}")
        if host in PLATFORM_HOSTS and segment:
            # A user's page on a platform is not the platform speaking.
            return None
        if host in self._rows:
            return OutletMatch(self._record(host), "domain", host)
        if host in self._only_path and host not in PLATFORM_HOSTS:
            return OutletMatch(self._record(self._only_path[host]), "domain", self._only_path[host])
        for parent in _parents(host):
            if parent in PLATFORM_HOSTS:
                return None
            if parent in self._rows:
                return OutletMatch(self._record(parent), "parent_domain", parent)
        return None

    def _match_name(self, candidate: str, *, strict: bool, derived: bool) -> OutletMatch | None:
        key = name_key(candidate)
        if not key:
            return None
        keys = [key]
        tokens = key.split()
        if tokens[0] == "the" and len(tokens) > 1:
            keys.append(" ".join(tokens[1:]))
        elif len(tokens) > 1:
            # `New York Times` finds `The New York Times`; a lone `Hill` never finds `The Hill`.
            keys.append("the " + key)
        capitalised = any(c.isupper() for c in candidate)
        if strict and not capitalised and key not in self._lowercase:
            # Running text capitalises outlet names; `a guardian` or `people` is not an outlet.
            # Only names the outlet itself writes in lower case (`dpa`) are exempt.
            return None
        # One word (after `The`) learnt from the data must not read as a surname or common noun:
        # `Dawn`, `Metro` or `The Constitution` are better missed than pinned on a person or a law.
        bare = candidate.split(maxsplit=1)[1] if tokens[0] == "the" and len(tokens) > 1 else candidate
        one_word = len(name_key(bare).split()) == 1
        for tier, index in zip(NAME_TIERS, self._names, strict=True):
            # A bare acronym is an organisation's initials far more often than a domain's stem
            # (`EPA` is not epa.news), so acronyms only match names someone wrote down.
            if tier != "alias" and strict and one_word and not _stem_like(bare, acronyms=tier == "name"):
                continue
            if tier == "domain_name" and derived:
                continue
            for k in keys:
                domain = index.get(k)
                if domain is not None:
                    return OutletMatch(self._record(domain), tier, k)
        return None


def _stem_like(text: str, *, acronyms: bool = True) -> bool:
    """Whether one word reads as a coined name rather than a surname or a common noun: `HuffPost`,
    `News24`, `WND`. Length proves nothing (`Constitution`), so a plain capitalised word never does;
    all-caps words longer than three letters are dateline places (`VIENNA`)."""
    word = text.strip()
    if not word or any(c.isspace() for c in word):
        return False
    if word.isupper():
        return acronyms and 2 <= len(word) <= 3
    return any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)


def _clean(text: str) -> str:
    text = text.strip(_EDGE_JUNK)
    while True:
        shorter = _PREFIX.sub("", text, count=1).strip(_EDGE_JUNK)
        if shorter == text:
            break
        text = shorter
    text = _TRAILING.sub("", text)
    text = POSSESSIVE.sub("", text)
    return text.strip(_EDGE_JUNK)


def _name_candidates(text: str) -> Iterable[tuple[str, bool]]:
    """Readings of `text` to try in order; `derived` marks those that dropped descriptor words."""
    seen: set[str] = set()

    def fresh(candidate: str) -> bool:
        if not candidate or candidate in seen:
            return False
        seen.add(candidate)
        return True

    core = _clean(text)
    if fresh(core):
        yield core, False
    # Datelines: `LONDON, May 2 (Reuters) -`, `Reuters (UK)`.
    for inner in _PAREN.findall(text):
        inner = _clean(inner)
        if fresh(inner):
            yield inner, False
    without_parens = _clean(_PAREN.sub(" ", text))
    if fresh(without_parens):
        yield without_parens, False
    # Site names and bylines: `Politics | The Guardian`, `BBC News - Home`, `Jane Roe, Reuters`.
    parts = [_clean(p) for p in _SITE_SEPARATOR.split(core)]
    if len(parts) > 1:
        for part in parts:
            if fresh(part):
                yield part, False
    # Descriptors: `Reuters news agency`, `the Qatar-based network Al Jazeera`.
    tokens = core.split()
    tail = list(tokens)
    while len(tail) > 1 and tail[-1].casefold() in DESCRIPTOR_WORDS:
        tail.pop()
        candidate = " ".join(tail)
        if fresh(candidate):
            yield candidate, True
    for i in range(len(tokens) - 2, -1, -1):
        if tokens[i].casefold() in DESCRIPTOR_WORDS:
            candidate = " ".join(tokens[i + 1 :])
            if fresh(candidate):
                yield candidate, True
            break


@cache
def _default_table() -> OutletTable:
    ref = resources.files("sourcetrace") / "data" / DEFAULT_TABLE
    return OutletTable._read(Path(str(ref)), user_path=False)


def default_table() -> OutletTable:
    """The packaged table, loaded once per process."""
    return _default_table()


def lookup(query: str | None, *, strict: bool = True) -> OutletRecord | None:
    """`default_table().lookup(query)`."""
    return _default_table().lookup(query, strict=strict)


# --------------------------------------------------------------------------- display

_LABEL_STYLES = {"reliable": "bold green", "mixed": "bold yellow", "unreliable": "bold red"}


def describe(record: OutletRecord, table: OutletTable | None = None) -> Any:
    """A rich renderable for `sourcetrace outlet NAME`: score, label, every set's rating, tags, names."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = table or _default_table()
    sets: Mapping[str, Mapping[str, Any]] = table.meta.get("sets", {})
    thresholds = table.thresholds
    head = Text()
    head.append(record.name, style="bold")
    head.append(f"  {record.domain}", style="cyan")
    summary = Text()
    if record.score is None:
        summary.append("not rated by any of the rating sets", style="dim")
    else:
        summary.append(f"score {record.score:.2f}  ", style="bold")
        summary.append(record.label or "", style=_LABEL_STYLES.get(record.label or "", ""))
        summary.append(
            f"  ({len(record.agreeing)} of {len(record.rating_sources)} rating sets agree)", style="dim"
        )
    parts: list[Any] = [head, summary]
    if record.ratings:
        grid = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        grid.add_column("rating set")
        grid.add_column("score", justify="right")
        grid.add_column("says")
        grid.add_column("agrees", justify="center")
        for set_id in record.rating_sources:
            score = record.ratings[set_id]
            says = verdict(score, thresholds)
            grid.add_row(
                str(sets.get(set_id, {}).get("title", set_id)),
                f"{score:.2f}",
                Text(says, style=_LABEL_STYLES.get(says, "")),
                "✓" if set_id in record.agreeing else "✗",
            )
        parts.append(grid)
    if record.labels:
        parts.append(Text("labels: " + ", ".join(record.labels), style="dim"))
    if record.aliases:
        parts.append(Text("also known as: " + ", ".join(record.aliases), style="dim"))
    return Panel(Group(*parts), title="outlet", title_align="left", expand=False)
