"""Publication dates in the formats sites and people use, and a clear error for what is not a date."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sourcetrace.cli import app
from sourcetrace.errors import InputError
from sourcetrace.ingest import document_from_text
from sourcetrace.ingest.dates import iso_published, parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-02", "2026-03-02"),
        ("2026-03-02T09:15:00Z", "2026-03-02T09:15:00"),
        ("2026-03-02T11:15:00+02:00", "2026-03-02T09:15:00"),
        ("March 2, 2026", "2026-03-02"),
        ("2 Mar 2026", "2026-03-02"),
        ("Mon, 02 Mar 2026 09:15:00 +0000", "2026-03-02T09:15:00"),
        ("02.03.2026", "2026-03-02"),
        ("02/03/2026", "2026-03-02"),  # day first, as most outlets write it
        ("03/14/2026", "2026-03-14"),  # no 14th month: the US order is the only reading
    ],
)
def test_common_formats(value: str, expected: str) -> None:
    assert iso_published(value, strict=True) == expected


@pytest.mark.parametrize("value", ["banana", "2026", "Sunday", "31/31/2026", "3026-01-01"])
def test_not_a_date(value: str) -> None:
    assert parse_date(value) is None
    with pytest.raises(InputError, match="is not a date"):
        iso_published(value, strict=True)
    assert iso_published(value, strict=False) is None


def test_documents_store_iso_dates_and_keep_what_is_not_one() -> None:
    text = "Ferry Service Resumes\n\nThe island ferry resumed its winter timetable on Monday."
    assert document_from_text(text, published="2 March 2026").published == "2026-03-02"
    assert document_from_text(text, published="spring edition").published == "spring edition"


def test_cli_refuses_a_published_value_that_is_not_a_date(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    story.write_text("Ferry Service Resumes\n\nThe island ferry resumed its winter timetable on Monday.\n")
    result = CliRunner().invoke(app, ["analyze", str(story), "--published", "next tuesday-ish"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --published") and "is not a date" in lines[0]


def test_ordering_uses_non_iso_dates() -> None:
    from sourcetrace.corpus.rows import parse_published

    assert parse_published("3 March 2026") == datetime(2026, 3, 3)
    assert parse_published("Mon, 02 Mar 2026 23:30:00 -0500") == datetime(2026, 3, 3, 4, 30)
    assert parse_published("no date") is None


def test_metadata_overrides_are_validated_on_every_way_in(tmp_path: Path) -> None:
    """A file's metadata given to the library goes through the same date and surrogate rules."""
    import sourcetrace

    story = tmp_path / "story.txt"
    story.write_text("Ferry Service Resumes\n\nThe island ferry resumed its winter timetable on Monday.\n")
    report = sourcetrace.analyze(story, published="2 March 2026", title="Ferry \udcff Resumes")
    assert report.document.published == "2026-03-02"
    assert "\udcff" not in report.document.title and "\ufffd" in report.document.title
