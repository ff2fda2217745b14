"""Ingest: turn files, directories, stdin and URLs into `Document`s.

`iter_documents` is the batch entry point: it yields a Document per article and an InputError per
bad input (whose `source` names the input), and always carries on with the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from sourcetrace.errors import InputError
from sourcetrace.ingest.decode import DEFAULT_MAX_BYTES
from sourcetrace.ingest.fetch import Fetcher, check_address, check_url, refusal_reason
from sourcetrace.ingest.lang import detect_language
from sourcetrace.ingest.readers import SUPPORTED_SUFFIXES, path_documents, read_path, read_stdin
from sourcetrace.ingest.text import document_from_text, parse_dateline, split_headline
from sourcetrace.schema import Document

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(spec: str) -> bool:
    return bool(_URL.match(spec))


def iter_documents(
    specs: Sequence[str], *, max_bytes: int = DEFAULT_MAX_BYTES, fetcher: Fetcher | None = None
) -> Iterator[Document | InputError]:
    """Documents from each spec in order: a file, a directory (recursive, sorted), a URL, or "-"
    for stdin. A bad input yields an InputError in its place and the rest still follow."""
    for spec in specs:
        if spec == "-":
            try:
                yield read_stdin(max_bytes=max_bytes)
            except InputError as exc:
                yield exc
        elif is_url(spec):
            if fetcher is None:
                fetcher = Fetcher(max_text_bytes=max_bytes)
            try:
                yield fetcher.fetch(spec)
            except InputError as exc:
                yield exc
        else:
            yield from path_documents(Path(spec), max_bytes=max_bytes)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "Fetcher",
    "check_address",
    "check_url",
    "detect_language",
    "document_from_text",
    "is_url",
    "iter_documents",
    "parse_dateline",
    "read_path",
    "read_stdin",
    "refusal_reason",
    "split_headline",
]
