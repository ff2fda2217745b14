"""Inputs in the wrong clothing: web pages on stdin or named .txt, several articles where one is
expected."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import sourcetrace
from sourcetrace.errors import InputError
from sourcetrace.ingest.readers import looks_like_html, read_stdin

PAGE = b"""<!DOCTYPE html>
<html><head><title>Tram vote delayed</title><meta property="og:site_name" content="The Landon Courier">
<script>var tracking = "do not read me";</script></head>
<body><nav><a href="/">Home</a></nav><article><h1>Tram vote delayed</h1>
<p>The city council postponed its vote on the Millbrook tram extension, a spokeswoman for the council
said on Tuesday, after engineers warned that the budget could rise by a third.</p>
<p>"We will not sign a blank cheque," councillor Priya Natarajan told reporters outside the chamber.</p>
</article></body></html>
"""


def test_html_is_recognised_and_plain_text_is_not() -> None:
    assert looks_like_html(PAGE)
    assert not looks_like_html(b"The council met on Tuesday. <3 the new tram.\n")


def test_html_on_stdin_goes_through_the_html_reader() -> None:
    document = read_stdin(stream=io.BytesIO(PAGE))
    assert "tracking" not in document.text and "<p>" not in document.text
    assert "blank cheque" in document.text and document.outlet == "The Landon Courier"


def test_html_saved_as_txt_goes_through_the_html_reader(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    path.write_bytes(PAGE)
    report = sourcetrace.analyze(path)
    assert "<" not in report.document.text
    assert any(s.name == "Priya Natarajan" for s in report.sources)


def test_analyze_refuses_a_path_with_several_articles(tmp_path: Path) -> None:
    rows = [{"text": "The council met on Tuesday and approved the tram budget."},
            {"text": "The library will stop charging late fees from June, officials said."}]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    with pytest.raises(InputError, match="analyze_many"):
        sourcetrace.analyze(path)
    folder = tmp_path / "news"
    folder.mkdir()
    for i, row in enumerate(rows):
        (folder / f"{i}.txt").write_text(row["text"], encoding="utf-8")
    with pytest.raises(InputError, match="holds 2 articles"):
        sourcetrace.analyze(folder)
