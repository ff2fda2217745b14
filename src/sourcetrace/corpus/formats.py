"""Corpus readers: turn each SOURCE of `corpus ingest` into a stream of Documents.

A reader is a function `reader(path, options) -> Iterable[Document | InputError]`. It yields an
InputError (whose `source` names the record) in place of each bad record and carries on, so one
corrupt article never stops a run. Built-in readers:

- `files`: a directory or single file of .txt/.html/.json/.jsonl (the `sourcetrace analyze` readers);
- `table`: JSONL, CSV or Parquet with a column mapping (`--text-col`, `--title-col`, ...);
- `warc`: WARC/WARC.gz archives; HTML response records go through the same HTML extractor;
- `buzzfeed`: the BuzzFeed-Webis Fake News Corpus 2016 XML (`articles/NNNN.xml`), the worked
  example of a custom format.

Users add their own with `--reader module:function`, `register_reader(name, fn)`, or an installed
package's entry point in the group `sourcetrace.corpus_readers` (name = function).
"""

from __future__ import annotations

import csv
import importlib
import itertools
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from sourcetrace.errors import InputError
from sourcetrace.ingest.decode import DEFAULT_MAX_BYTES, check_size, check_text
from sourcetrace.ingest.readers import directory_files, html_document, jsonl_records, path_documents
from sourcetrace.ingest.text import document_from_text, mark_paragraphs
from sourcetrace.schema import Document

Item = Document | InputError
Reader = Callable[[Path, "ReaderOptions"], Iterable[Item]]

ENTRY_POINT_GROUP = "sourcetrace.corpus_readers"
TABLE_SUFFIXES = (".jsonl", ".ndjson", ".csv", ".parquet", ".pq")
#: JSONL records read to learn the columns a feed uses.
JSONL_SCHEMA_LINES = 1000
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
WARC_RECORD_TYPES = frozenset(
    {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation",
     "arc_header"}
)
#: Field -> default column names tried in order when the user names none.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "title": ("title",),
    "outlet": ("outlet",),
    "published": ("published", "date"),
    "url": ("url",),
}


class ReaderError(Exception):
    """A set-up mistake (unknown reader, missing column): the whole run stops with exit 2."""


@dataclass(frozen=True, slots=True)
class ReaderOptions:
    """What a reader may need beyond the path: the user's column mapping and the size cap."""

    #: Field (text, title, outlet, published, url) -> column name the user gave.
    columns: dict[str, str] = field(default_factory=dict)
    max_bytes: int = DEFAULT_MAX_BYTES


# --- files: directories of .txt/.html (the existing ingest readers) ---------------------------------


def files_reader(path: Path, options: ReaderOptions) -> Iterator[Item]:
    yield from path_documents(path, max_bytes=options.max_bytes)


# --- table: JSONL / CSV / Parquet with a column mapping ---------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Resolved column per Document field for one table; `text` is always present."""

    text: str
    others: dict[str, str]

    def document(self, row: dict[str, Any], locator: str, max_bytes: int) -> Document:
        text = row.get(self.text)
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"no text in column '{self.text}'", source=locator)
        check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes, source=locator)
        check_text(text, locator)
        meta = {name: _as_str(row.get(column)) for name, column in self.others.items()}
        return document_from_text(text, path=locator, **meta)


def _as_str(value: Any) -> str | None:
    # Parquet and JSON give dates and numbers typed; the Document keeps what the source said, as text.
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    text = str(value).strip()
    return text or None


def resolve_columns(available: Iterable[str], options: ReaderOptions, source: str) -> ColumnMap:
    """Map fields to the table's columns; a column the user named but the table lacks is an error."""
    present = list(available)
    chosen: dict[str, str] = {}
    for name, defaults in DEFAULT_COLUMNS.items():
        wanted = options.columns.get(name)
        if wanted is not None:
            if wanted not in present:
                listed = ", ".join(present) or "none"
                raise ReaderError(f"{source}: no column '{wanted}' (--{_flag(name)}); columns: {listed}")
            chosen[name] = wanted
            continue
        found = next((c for c in defaults if c in present), None)
        if found is not None:
            chosen[name] = found
        elif name == "text":
            raise ReaderError(
                f"{source}: no 'text' column; name the article text column with --text-col "
                f"(columns: {', '.join(present) or 'none'})"
            )
    text = chosen.pop("text")
    return ColumnMap(text=text, others=chosen)


def _flag(name: str) -> str:
    return "date-col" if name == "published" else f"{name}-col"


def table_columns(path: Path) -> list[str]:
    """Column names of a JSONL/CSV/Parquet file (JSONL: the keys of its first JSON objects, in order
    of first appearance; records often leave optional fields out, so the first record alone is not
    enough)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as stream:
            return next(csv.reader(stream), [])
    keys: dict[str, None] = {}
    with path.open("rb") as stream:
        records = jsonl_records(stream, source=str(path), max_bytes=DEFAULT_MAX_BYTES)
        for _, record in itertools.islice(records, JSONL_SCHEMA_LINES):
            if isinstance(record, dict):
                keys.update(dict.fromkeys(record))
    return list(keys)


def check_table(path: Path, options: ReaderOptions) -> ColumnMap:
    try:
        columns = table_columns(path)
    except (OSError, ValueError) as exc:
        raise ReaderError(f"{path}: cannot read the table ({exc})") from None
    return resolve_columns(columns, options, str(path))


def table_reader(path: Path, options: ReaderOptions) -> Iterator[Item]:
    mapping = check_table(path, options)
    suffix = path.suffix.lower()
    rows = _parquet_rows(path) if suffix in (".parquet", ".pq") else (
        _csv_rows(path) if suffix == ".csv" else _jsonl_rows(path, options.max_bytes)
    )
    for locator, row in rows:
        if isinstance(row, InputError):
            yield row
            continue
        try:
            yield mapping.document(row, locator, options.max_bytes)
        except InputError as exc:
            yield exc


RowItem = tuple[str, dict[str, Any] | InputError]


def _jsonl_rows(path: Path, max_bytes: int) -> Iterator[RowItem]:
    with path.open("rb") as stream:
        for locator, record in jsonl_records(stream, source=str(path), max_bytes=max_bytes):
            if not isinstance(record, dict | InputError):
                record = InputError("record is not a JSON object", source=locator)
            yield locator, record


def _csv_rows(path: Path) -> Iterator[RowItem]:
    csv.field_size_limit(sys.maxsize)  # article bodies exceed csv's 128 KiB default
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as stream:
        # Data rows are numbered from 1; a quoted body may span lines, so line numbers would mislead.
        for index, row in enumerate(csv.DictReader(stream), start=1):
            yield f"{path}#row{index}", row


def _parquet_rows(path: Path) -> Iterator[RowItem]:
    import pyarrow.parquet as pq

    index = 0
    # Row-group batches: memory stays at one batch whatever the file's size.
    for batch in pq.ParquetFile(path).iter_batches(batch_size=512):
        for row in batch.to_pylist():
            index += 1
            yield f"{path}#row{index}", row


# --- warc: web archives ------------------------------------------------------------------------------


def warc_reader(path: Path, options: ReaderOptions) -> Iterator[Item]:
    """HTML response records of a WARC file; other records (requests, images, metadata) are skipped."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    number = 0
    try:
        with path.open("rb") as stream:
            head = stream.read(5)
            stream.seek(0)
            # warcio falls back to the line-based ARC format for anything else, reading garbage as
            # records; a .warc file must start like one (plain or gzip).
            warc_named = path.name.lower().endswith((".warc", ".warc.gz"))
            if warc_named and head[:2] != b"\x1f\x8b" and head != b"WARC/":
                yield InputError("not a WARC file (no WARC/ or gzip header)", source=str(path))
                return
            # Records are numbered by position: warcio's get_record_offset() would consume the
            # payload before we read it.
            for number, record in enumerate(ArchiveIterator(stream), start=1):
                if record.rec_type not in WARC_RECORD_TYPES:
                    # warcio reads almost any bytes as some record; a type-less one means garbage,
                    # and nothing after it in the file can be trusted.
                    yield InputError(f"malformed WARC record {number}", source=str(path))
                    return
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if "html" not in content_type.lower():
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                locator = f"{path}#record{number}"
                try:
                    data = record.content_stream().read(options.max_bytes + 1)
                    if len(data) > options.max_bytes:
                        raise InputError("record is over the size limit", source=locator)
                    yield html_document(
                        data, source=locator, declared=_charset(content_type), base_url=url, url=url,
                        path=locator,
                    )
                except InputError as exc:
                    yield exc
                except Exception as exc:  # noqa: BLE001 - a malformed page must not end the archive
                    yield InputError(f"cannot read record: {type(exc).__name__}: {exc}", source=locator)
    except ArchiveLoadFailed as exc:
        detail = (str(exc).strip() or "corrupt")[:120]
        yield InputError(f"not a readable WARC archive ({detail})", source=str(path))
        return
    except (OSError, EOFError) as exc:
        yield InputError(f"cannot read archive: {exc}", source=str(path))
        return
    if number == 0:
        yield InputError("no WARC records found (not a WARC file?)", source=str(path))
    elif _truncated(path):
        # warcio stops quietly where a cut-off archive ends: say so, or the lost records vanish.
        yield InputError(
            f"archive is truncated: it ends mid-record after {number} records; whatever followed is lost",
            source=str(path),
        )


def _truncated(path: Path) -> bool:
    """True when a WARC file ends mid-record: a gzip member without its end, or plain records
    without the blank line that closes every record."""
    with path.open("rb") as stream:
        if stream.read(2) != b"\x1f\x8b":
            stream.seek(max(0, path.stat().st_size - 4))
            return stream.read() != b"\r\n\r\n"
        stream.seek(0)
        member = zlib.decompressobj(wbits=31)
        fed = False
        while chunk := stream.read(1 << 20):
            while chunk:
                member.decompress(chunk)
                fed = True
                if not member.eof:
                    break
                chunk = member.unused_data
                member, fed = zlib.decompressobj(wbits=31), False
        return fed and not member.eof


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


# --- buzzfeed: BuzzFeed-Webis Fake News Corpus 2016 -------------------------------------------------


@dataclass(frozen=True, slots=True)
class BuzzfeedArticle:
    """One corpus article, with the metadata the corpus gives (there is no per-article date)."""

    name: str
    title: str | None
    text: str
    portal: str | None
    author: str | None
    url: str | None


def parse_buzzfeed_file(path: Path) -> BuzzfeedArticle | None:
    """One `articles/NNNN.xml`; None when it has no main text. Raises ET.ParseError when corrupt."""
    root = ET.parse(path).getroot()
    raw = root.findtext("mainText") or ""
    bounds = sorted(
        (int(p.findtext("start") or 0), int(p.findtext("end") or 0)) for p in root.iter("paragraph")
    )
    text = mark_paragraphs(raw, bounds).strip()
    if not text:
        return None

    def field_text(tag: str) -> str | None:
        return (root.findtext(tag) or "").strip() or None

    return BuzzfeedArticle(
        name=path.name,
        title=field_text("title"),
        text=text,
        portal=field_text("portal"),
        author=field_text("author"),
        url=field_text("uri"),
    )


def buzzfeed_files(directory: Path) -> list[Path]:
    return sorted((directory / "articles").glob("*.xml"))


def read_buzzfeed(directory: Path, limit: int | None = None) -> Iterator[BuzzfeedArticle]:
    """Articles from `directory/articles/*.xml` in file order, skipping those without main text."""
    count = 0
    for path in buzzfeed_files(directory):
        if limit is not None and count >= limit:
            return
        article = parse_buzzfeed_file(path)
        if article is None:
            continue
        count += 1
        yield article


def buzzfeed_reader(path: Path, options: ReaderOptions) -> Iterator[Item]:
    files = buzzfeed_files(path)
    if not files:
        yield InputError("no articles/*.xml (not a BuzzFeed-Webis corpus folder)", source=str(path))
    for file in files:
        locator = str(file)
        try:
            article = parse_buzzfeed_file(file)
        except (ET.ParseError, OSError) as exc:
            yield InputError(f"cannot parse article XML: {exc}", source=locator)
            continue
        if article is None:
            yield InputError("article has no mainText", source=locator)
            continue
        try:
            yield document_from_text(
                article.text, title=article.title, outlet=article.portal, author=article.author,
                url=article.url, path=locator,
            )
        except InputError as exc:
            yield exc


def is_buzzfeed_dir(path: Path) -> bool:
    return path.is_dir() and any((path / "articles").glob("*.xml"))


# --- registry ---------------------------------------------------------------------------------------

_READERS: dict[str, Reader] = {
    "files": files_reader,
    "table": table_reader,
    "warc": warc_reader,
    "buzzfeed": buzzfeed_reader,
}


def register_reader(name: str, reader: Reader) -> None:
    """Make `reader` available as `--reader NAME`."""
    _READERS[name] = reader


def reader_names() -> list[str]:
    return sorted(_READERS)


def resolve_reader(spec: str) -> Reader:
    """A registered name, an entry point in `sourcetrace.corpus_readers`, or `module:function`."""
    if spec in _READERS:
        return _READERS[spec]

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == spec:
            return _checked(entry.load(), spec)
    module_name, colon, attr = spec.partition(":")
    if not colon or not module_name or not attr:
        raise ReaderError(
            f"unknown reader '{spec}': use one of {', '.join(reader_names())}, an installed "
            f"'{ENTRY_POINT_GROUP}' entry point, or module:function"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ReaderError(f"reader '{spec}': cannot import module '{module_name}' ({exc})") from None
    target = getattr(module, attr, None)
    if target is None:
        raise ReaderError(f"reader '{spec}': module '{module_name}' has no '{attr}'")
    return _checked(target, spec)


def _checked(target: Any, spec: str) -> Reader:
    if not callable(target):
        raise ReaderError(f"reader '{spec}' is not callable")
    return target  # type: ignore[no-any-return]


def detect_reader(path: Path) -> str:
    """The built-in reader for a path, by what it is: BuzzFeed folder, table, WARC, else files."""
    name = path.name.lower()
    if path.is_dir():
        return "buzzfeed" if is_buzzfeed_dir(path) else "files"
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if path.suffix.lower() in TABLE_SUFFIXES:
        return "table"
    return "files"


def estimate_count(path: Path, reader: str) -> int | None:
    """How many records a source holds, cheaply, for the progress bar's ETA; None when unknown."""
    try:
        if reader == "buzzfeed":
            return len(buzzfeed_files(path))
        if reader == "files":
            if path.is_dir():
                files = directory_files(path)
                if any(f.suffix.lower() in (".json", ".jsonl") for f in files):
                    return None  # one file may hold many records
                return len(files)
            return 1 if path.suffix.lower() not in (".json", ".jsonl") else None
        if reader == "table":
            suffix = path.suffix.lower()
            if suffix in (".parquet", ".pq"):
                import pyarrow.parquet as pq

                return int(pq.ParquetFile(path).metadata.num_rows)
            if suffix == ".csv":
                return None  # quoted bodies span lines: a line count would mislead
            with path.open("rb") as stream:
                return sum(1 for line in stream if line.strip())
    except (OSError, ValueError):
        return None
    return None
