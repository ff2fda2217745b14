"""Invented articles for the web tests (written for sourcetrace; any resemblance is accidental), and a
small corpus store built from them through the real `sourcetrace corpus ingest` command."""

from __future__ import annotations

import json
from pathlib import Path

#: Pasted into the analyse page: a dateline wire, a relayed chain, an unnamed official, a quotation.
ARTICLE = "\n\n".join([
    "Harbour bridge to shut for six weeks",
    "KELLERMAN (Meridian Wire) - The Kellerman harbour bridge will close for six weeks of repairs from "
    "April, city engineer Marta Oyelaran said on Monday.",
    '"The cables are corroded and we cannot wait another winter," Oyelaran told reporters at the city hall.',
    "According to the Valley Post, transport officer Ruben Achterberg told the council that inspectors had "
    "found cracks in two of the towers.",
    "A city official, who asked not to be named, said the repairs could cost as much as 40 million dollars.",
    "Shop owners along the waterfront said the closure would hurt trade during the spring market.",
])

#: Payloads that would run if any layer put article text into markup unescaped. Each sets a flag the
#: browser tests read back; none may ever be set.
XSS_ARTICLE = "\n\n".join([
    "Council vote <script>window.__pwned = 'script-title'</script> delayed",
    "The council will vote on the <img src=x onerror=\"window.__pwned='img'\"> harbour budget next month, "
    "mayor Ada Lindqvist said on Tuesday.",
    '"We need " onmouseover="window.__pwned=\'attr\'" x=" more time to read the '
    "<script>window.__pwned='script-body'</script> figures,\" Lindqvist told reporters.",
    "Opposition councillor Tomas Verhoeven said the delay was <svg onload=\"window.__pwned='svg'\"></svg> "
    "a mistake that would cost the city money.",
])

#: A small corpus: four outlets carrying one claim (with different sourcing), plus hostile metadata.
CORPUS_RECORDS = [
    {
        "title": "Harbour bridge to shut for repairs",
        "outlet": "The Harbour Courier",
        "published": "2024-03-04T08:00:00",
        "text": "The Kellerman harbour bridge will close for six weeks of repairs from April, city engineer "
        "Marta Oyelaran said on Monday. \"The cables are corroded and we cannot wait another winter,\" "
        "Oyelaran told reporters. Commuters will be sent over the old rail crossing, the transport office "
        "said.",
    },
    {
        "title": "Kellerman bridge closing",
        "outlet": "Northfield Daily",
        "published": "2024-03-04T12:30:00",
        "text": "The Kellerman harbour bridge will close for six weeks of repairs from April, according to "
        "city engineer Marta Oyelaran. Shop owners near the bridge said the closure would hurt trade. "
        "Anonymous sources said the works could last longer.",
    },
    {
        "title": "Bridge closure announced",
        "outlet": "Valley Post",
        "published": "2024-03-05T09:15:00",
        "text": "The Kellerman harbour bridge will close for six weeks of repairs from April, an official at "
        "the transport office said. The official, who asked not to be named, said the decision was made "
        "last week. Residents said they had not been told.",
    },
    {
        "title": "<script>window.__pwned='title'</script> Bridge row",
        "outlet": "<img src=x onerror=\"window.__pwned='outlet'\">Gazette",
        "published": "2024-03-06T10:00:00",
        "text": "The Kellerman harbour bridge will close for six weeks of repairs from April, councillor "
        "Ibrahim Saltzman said <b onmouseover=\"window.__pwned='claim'\">on Wednesday</b>. \"Nothing "
        "about the budget is decided,\" Saltzman said of the <script>window.__pwned='text'</script> plan.",
    },
]


def write_feed(folder: Path, records: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return feed


def ingest(feed: Path, db: Path) -> None:
    """Store the feed with the real ingest command (in this process, so the loaded model is reused)."""
    from typer.testing import CliRunner

    from sourcetrace.cli import app

    result = CliRunner().invoke(app, ["corpus", "ingest", str(feed), "--db", str(db)])
    assert result.exit_code == 0, result.output


def build_store(folder: Path, records: list[dict[str, str]] = CORPUS_RECORDS) -> Path:
    db = folder / "corpus.duckdb"
    ingest(write_feed(folder, records), db)
    return db
