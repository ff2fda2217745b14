"""The real articles of `../shared/data`, addressed by reference, with the exact field gold points into.

A gold file never holds article text: it names an article (`folder` and `key`), the field its offsets
index (`text`, `mainText`, `content`) and that field's sha256, so a changed copy of the data is caught
instead of silently mis-scored. The same references drive article selection, annotation packets and
scoring, and the reserved list of `../shared/ANNOTATION.md` is applied here once for all of them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

TEHRAN_TIMES = "tehran_times"
BUZZFEED = "buzzfeed_webis_2016"
FAKENEWS = "fakenewscorpus_sample"
FOLDERS = (TEHRAN_TIMES, BUZZFEED, FAKENEWS)
#: Short prefixes of article ids: `tt-57345`, `bf-0001`, `fn-17`.
PREFIXES = {TEHRAN_TIMES: "tt", BUZZFEED: "bf", FAKENEWS: "fn"}
RESERVED_FILE = "RESERVED.txt"

#: BuzzFeed-Webis names each outlet by a slug (`portal`); this is the name the outlet goes by.
BUZZFEED_OUTLETS = {
    "abc": "ABC News",
    "addicting-info": "Addicting Info",
    "cnn": "CNN",
    "eagle-rising": "Eagle Rising",
    "freedom-daily": "Freedom Daily",
    "occupy-democrats": "Occupy Democrats",
    "politico": "Politico",
    "right-wing-news": "Right Wing News",
    "the-other-98": "The Other 98%",
}


class SharedDataError(ValueError):
    """An article reference that the shared data does not hold, or a field whose hash changed."""


@dataclass(frozen=True, slots=True, order=True)
class ArticleRef:
    folder: str
    key: str

    @property
    def id(self) -> str:
        return f"{PREFIXES[self.folder]}-{self.key}"

    @classmethod
    def parse(cls, article_id: str) -> ArticleRef:
        prefix, _, key = article_id.partition("-")
        folder = next((f for f, p in PREFIXES.items() if p == prefix), None)
        if folder is None or not key:
            raise SharedDataError(f"not an article id: {article_id!r} (expected tt-, bf- or fn-<key>)")
        return cls(folder, key)

    @property
    def reserved_path(self) -> str:
        """How `RESERVED.txt` spells this article."""
        if self.folder == BUZZFEED:
            return f"{BUZZFEED}/articles/{self.key}.xml"
        if self.folder == FAKENEWS:
            return f"{FAKENEWS}/news_sample.csv#row={self.key}"
        return f"{TEHRAN_TIMES}/articles.jsonl#id={self.key}"


@dataclass(frozen=True, slots=True)
class SharedArticle:
    """One article: the raw field gold offsets index, and the metadata a corpus reader would give."""

    ref: ArticleRef
    field: str
    text: str
    title: str | None
    outlet: str | None
    url: str | None = None
    author: str | None = None
    #: Paragraph bounds in `text` where the source marks them (BuzzFeed-Webis XML, blank lines).
    paragraphs: tuple[tuple[int, int], ...] = field(default=())

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------ readers


@lru_cache(maxsize=4)
def _tehran_times(data: Path) -> dict[str, dict]:
    path = data / TEHRAN_TIMES / "articles.jsonl"
    with path.open(encoding="utf-8") as handle:
        rows = (json.loads(line) for line in handle if line.strip())
        return {str(row["id"]): row for row in rows}


@lru_cache(maxsize=4)
def _fakenews(data: Path) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with (data / FAKENEWS / "news_sample.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _blank_line_paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    bounds, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            left = start + len(line) - len(line.lstrip())
            bounds.append((left, start + len(line.rstrip())))
        start = end + 1
    return tuple(bounds)


def _buzzfeed(data: Path, key: str) -> SharedArticle:
    path = data / BUZZFEED / "articles" / f"{key}.xml"
    if not path.is_file():
        raise SharedDataError(f"no BuzzFeed-Webis article {key} ({path})")
    root = ET.parse(path).getroot()
    text = root.findtext("mainText") or ""
    paragraphs = []
    for node in root.iter("paragraph"):
        start, end = int(node.findtext("start") or 0), int(node.findtext("end") or 0)
        if end > start:
            paragraphs.append((start, end))
    portal = (root.findtext("portal") or "").strip()
    return SharedArticle(
        ArticleRef(BUZZFEED, key),
        "mainText",
        text,
        title=(root.findtext("title") or "").strip() or None,
        outlet=BUZZFEED_OUTLETS.get(portal, portal or None),
        url=(root.findtext("uri") or "").strip() or None,
        author=(root.findtext("author") or "").strip() or None,
        paragraphs=tuple(sorted(paragraphs)),
    )


def load_article(data: Path, ref: ArticleRef) -> SharedArticle:
    """The article `ref` points to. Raises SharedDataError when the data does not hold it."""
    data = Path(data).resolve()
    if ref.folder == TEHRAN_TIMES:
        row = _tehran_times(data).get(ref.key)
        if row is None:
            raise SharedDataError(f"no Tehran Times article with id {ref.key}")
        text = row["text"]
        return SharedArticle(
            ref, "text", text, title=row.get("title"), outlet=row.get("outlet"), url=row.get("url"),
            paragraphs=_blank_line_paragraphs(text),
        )
    if ref.folder == BUZZFEED:
        return _buzzfeed(data, ref.key)
    if ref.folder == FAKENEWS:
        rows = _fakenews(data)
        index = int(ref.key)
        if not 0 <= index < len(rows):
            raise SharedDataError(f"no fake-news sample row {ref.key}")
        row = rows[index]
        text = row["content"]
        return SharedArticle(
            ref, "content", text, title=row.get("title") or None, outlet=row.get("domain") or None,
            url=row.get("url") or None, author=row.get("authors") or None,
            paragraphs=_blank_line_paragraphs(text),
        )
    raise SharedDataError(f"unknown shared folder {ref.folder!r}")


def all_refs(data: Path, folder: str) -> list[ArticleRef]:
    """Every article of one folder, in the data's own order."""
    data = Path(data).resolve()
    if folder == TEHRAN_TIMES:
        return [ArticleRef(folder, key) for key in _tehran_times(data)]
    if folder == BUZZFEED:
        return [ArticleRef(folder, p.stem) for p in sorted((data / BUZZFEED / "articles").glob("*.xml"))]
    if folder == FAKENEWS:
        return [ArticleRef(folder, str(i)) for i in range(len(_fakenews(data)))]
    raise SharedDataError(f"unknown shared folder {folder!r}")


def iter_articles(data: Path, folder: str) -> Iterator[SharedArticle]:
    for ref in all_refs(data, folder):
        yield load_article(data, ref)


# ----------------------------------------------------------------------------------------- reserved


def reserved_paths(data: Path) -> frozenset[str]:
    """The reserved articles of `../shared/ANNOTATION.md`, as `RESERVED.txt` spells them."""
    path = Path(data) / RESERVED_FILE
    if not path.is_file():
        raise SharedDataError(f"{path} is missing: without it the reserved articles cannot be skipped")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_reserved(data: Path, ref: ArticleRef) -> bool:
    return ref.reserved_path in reserved_paths(data)


def is_reserved_buzzfeed_file(data: Path, path: Path) -> bool:
    """For readers that walk `articles/*.xml` themselves (benchmarks): is this file reserved?"""
    return f"{BUZZFEED}/articles/{Path(path).name}" in reserved_paths(data)
