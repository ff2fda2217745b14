"""Files, directories and stdin to Documents: .txt, .html/.htm, .json, .jsonl.

Readers yield an InputError in place of each bad input (a file, or one record of a JSON/JSONL file)
so that one bad record does not stop a batch; `read_path` is the strict variant that raises.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sourcetrace.errors import InputError
from sourcetrace.ingest.decode import (
    DEFAULT_MAX_BYTES,
    check_size,
    check_text,
    declared_html_charset,
    decode_bytes,
    over_limit,
)
from sourcetrace.ingest.text import document_from_text
from sourcetrace.schema import Document

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl")
STDIN_SOURCE = "<stdin>"
#: Record keys read from JSON/JSONL; other keys are ignored.
RECORD_FIELDS = ("title", "outlet", "published", "url", "author")
#: Fewer words extracted from a page than this means the page had no article in it.
MIN_ARTICLE_WORDS = 10

Item = Document | InputError


#: Markup that only a web page opens with or is full of: `curl ... | sourcetrace analyze -`, or a page
#: saved with a .txt name, goes through the HTML reader instead of being read as text.
_HTML_START = re.compile(
    rb"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml[^>]*>\s*<html)", re.I
)
_HTML_TAG = re.compile(
    rb"</?(?:p|div|span|a|br|script|style|meta|link|li|ul|h[1-6]|article|section|table)\b[^>]*>", re.I
)


def looks_like_html(data: bytes) -> bool:
    """A web page rather than text: it opens like one, or tags make up much of its start."""
    head = data[:8192]
    if _HTML_START.match(head):
        return True
    tags = _HTML_TAG.findall(head)
    return len(tags) >= 8 and sum(map(len, tags)) > 0.1 * len(head)


def txt_document(data: bytes, *, source: str | None, declared: str | None = None, **meta: Any) -> Document:
    """A text file or stdin; a web page in text clothing is read as the page it is."""
    if looks_like_html(data):
        return html_document(data, source=source, declared=declared, **meta)
    return document_from_text(decode_bytes(data, source=source, declared=declared), **meta)


def html_document(
    data: bytes, *, source: str | None, declared: str | None = None, base_url: str | None = None, **meta: Any
) -> Document:
    """Main text and metadata of an HTML page; the page's site name becomes the outlet."""
    import trafilatura  # slow to import; only HTML needs it

    html = decode_bytes(data, source=source, declared=declared or declared_html_charset(data))
    extracted = trafilatura.bare_extraction(
        html,
        url=base_url,
        with_metadata=True,
        include_comments=False,
        # Extensive search guesses dates from any number in the page; a wrong date is worse than none.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    text = (getattr(extracted, "text", None) or "").strip()
    # Trafilatura falls back to any text it finds (a menu, a cookie banner); that is not an article.
    if len(text.split()) < MIN_ARTICLE_WORDS:
        raise InputError("no article text found", source=source)
    page_meta = {
        "title": extracted.title,
        "outlet": extracted.sitename,
        "published": extracted.date,
        "author": extracted.author,
    }
    for key, value in page_meta.items():
        if value and meta.get(key) is None:
            meta[key] = value.strip()
    return document_from_text(text, **meta)


def record_document(record: Any, *, source: str, max_bytes: int, path: str) -> Document:
    """One JSON record: `text` plus optional title, outlet, published, url, author."""
    if not isinstance(record, dict):
        raise InputError("record is not a JSON object", source=source)
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError("record has no 'text' (a non-empty string is required)", source=source)
    check_size(len(text.encode("utf-8", "surrogatepass")), max_bytes, source=source)
    check_text(text, source)
    meta: dict[str, Any] = {"path": path}
    for key in RECORD_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"record field '{key}' must be a string", source=source)
        meta[key] = value or None
    return document_from_text(text, **meta)


def json_documents(data: bytes, *, source: str, max_bytes: int) -> Iterator[Item]:
    """A .json file holds one record or a list of records; each list item is labelled `file[i]`."""
    try:
        parsed = json.loads(decode_bytes(data, source=source))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise InputError(f"invalid JSON: {exc.msg} ({where})", source=source) from None
    if isinstance(parsed, dict):
        records = [(source, parsed)]
    elif isinstance(parsed, list) and parsed:
        records = [(f"{source}[{i}]", item) for i, item in enumerate(parsed)]
    else:
        raise InputError("JSON must be an object or a non-empty list of objects", source=source)
    for label, record in records:
        try:
            yield record_document(record, source=label, max_bytes=max_bytes, path=label)
        except InputError as exc:
            yield exc


def jsonl_records(stream: BinaryIO, *, source: str, max_bytes: int) -> Iterator[tuple[str, Any]]:
    """(`file:LINE`, the line's parsed JSON value or the InputError that stopped it) for each line that
    is not blank. A line over `max_bytes` is skipped unread, so a large file streams through."""
    for lineno, line in enumerate(_capped_lines(stream, max_bytes), start=1):
        label = f"{source}:{lineno}"
        if line is None:
            yield label, over_limit(max_bytes, source=label)
        elif line.strip():
            try:
                yield label, json.loads(decode_bytes(line, source=label))
            except json.JSONDecodeError as exc:
                yield label, InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", source=label)
            except InputError as exc:
                yield label, exc


def jsonl_documents(stream: BinaryIO, *, source: str, max_bytes: int) -> Iterator[Item]:
    """One record per line, labelled `file:LINE`. The size cap applies per record, so a large
    corpus streams through without being read whole."""
    seen = False
    for label, record in jsonl_records(stream, source=source, max_bytes=max_bytes):
        seen = True
        if isinstance(record, InputError):
            yield record
            continue
        try:
            yield record_document(record, source=label, max_bytes=max_bytes, path=label)
        except InputError as exc:
            yield exc
    if not seen:
        yield InputError("input is empty", source=source)


def _capped_lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of at most max_bytes; None stands for a longer line, which is skipped unread."""
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield None
        else:
            yield line


def read_capped(stream: BinaryIO, max_bytes: int, *, source: str) -> bytes:
    data = stream.read(max_bytes + 1)
    check_size(len(data), max_bytes, source=source)
    return data


def file_documents(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents (or InputErrors) from one regular file, by its extension."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kind = f"'{suffix}'" if suffix else "(no extension)"
        yield InputError(
            f"unsupported file type {kind}; expected one of {', '.join(SUPPORTED_SUFFIXES)}", source=source
        )
        return
    try:
        with path.open("rb") as stream:
            if suffix == ".jsonl":
                yield from jsonl_documents(stream, source=source, max_bytes=max_bytes)
                return
            check_size(os.fstat(stream.fileno()).st_size, max_bytes, source=source)
            data = read_capped(stream, max_bytes, source=source)
        if suffix == ".json":
            yield from json_documents(data, source=source, max_bytes=max_bytes)
        elif suffix == ".txt":
            yield txt_document(data, source=source, path=source)
        else:
            yield html_document(data, source=source, path=source)
    except InputError as exc:
        yield exc
    except OSError as exc:
        yield InputError(f"cannot read file: {exc.strerror or exc}", source=source)


def directory_files(root: Path) -> list[Path]:
    """Supported files under root, recursively, in sorted path order; hidden entries are skipped."""
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(
            Path(folder, name)
            for name in filenames
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES
        )
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def path_documents(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Item]:
    """Documents (or InputErrors) from a file or a directory tree."""
    if path.is_dir():
        files = directory_files(path)
        if not files:
            yield InputError(
                f"no supported files ({', '.join(SUPPORTED_SUFFIXES)}) in directory", source=str(path)
            )
        for file in files:
            yield from file_documents(file, max_bytes=max_bytes)
    elif path.exists():
        yield from file_documents(path, max_bytes=max_bytes)
    else:
        yield InputError("no such file or directory", source=str(path))


def read_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Document]:
    """All documents in a file or directory; raises the first InputError (strict, unlike iter_documents)."""
    documents = []
    for item in path_documents(Path(path), max_bytes=max_bytes):
        if isinstance(item, InputError):
            raise item
        documents.append(item)
    return documents


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES, stream: BinaryIO | None = None) -> Document:
    """Standard input, read as bytes: a web page goes through the HTML reader, anything else is text."""
    data = read_capped(stream or sys.stdin.buffer, max_bytes, source=STDIN_SOURCE)
    return txt_document(data, source=STDIN_SOURCE)
