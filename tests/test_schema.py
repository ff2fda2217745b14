"""The JSON contract: the published schema is the model's, and real reports obey it and their offsets.

Articles are invented. The analyzer runs for real on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sourcetrace.schema import SCHEMA_VERSION, Report, SourceType, json_schema

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "docs" / "report.schema.json"
EXAMPLE_FILE = REPO / "docs" / "example-report.json"

ARTICLES: dict[str, dict[str, Any]] = {
    "wire-with-anonymous": {
        "text": (
            "Port authority weighs sale of northern docks\n\n"
            "HAVERFORD (AP) - The Haverford port authority is considering selling its northern docks to a "
            "private operator, two people familiar with the talks said on Thursday. The authority's chair, "
            "Miriam Oduya, told the Haverford Times that \"no decision has been taken\" and that any sale "
            "would need the approval of the city council. A union leader warned that 300 jobs could be at "
            "risk, according to a statement released by the dockworkers' union."
        ),
        "meta": {"outlet": "The Coastal Ledger", "published": "2024-02-15"},
    },
    "quotes-and-hedges": {
        "text": (
            "Heat wave likely to break records, forecasters say\n\n"
            "Temperatures may reach 41C in the valley this weekend, the regional weather service said. "
            "\"This is exceptional for early June,\" said Tomasz Wierzbicki, a forecaster at the service. "
            "\"People should avoid the midday sun,\" he added. Residents told reporters the so-called "
            "cooling centres had not opened yet. Hospitals reportedly cancelled routine surgery."
        ),
        "meta": {},
    },
    "no-attribution": {
        "text": "Road closed\n\nThe bridge on Elm Street is closed for repairs until Monday.",
        "meta": {"outlet": "Elmwood Weekly"},
    },
    "unicode-and-curly-quotes": {
        "text": (
            "Café owners protest new rules\n\n"
            "“We can’t survive another rent rise,” said Zoë Brennan-Müller, who runs a café on "
            "Łódź Street. City hall said the rules — first proposed in 2022 — would protect residents. 🚲"
        ),
        "meta": {"published": "2023-11-02"},
    },
}


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), "docs/report.schema.json is stale: run `make schema`"


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())
    assert json_schema()["$id"].endswith(f"report-{SCHEMA_VERSION}.json")


def test_schema_lists_every_source_type() -> None:
    enum = json_schema()["$defs"]["SourceType"]["enum"]
    assert sorted(enum) == sorted(t.value for t in SourceType)


def test_documented_example_obeys_the_contract() -> None:
    data = json.loads(EXAMPLE_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json_schema()).validate(data)
    report = Report.model_validate(data)
    text = report.document.text
    for where, expected, start, end in _spans(report):
        if start is not None and end is not None:
            assert text[start:end] == expected, f"docs/example-report.json {where}: stale, run `make example`"


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    import sourcetrace

    return {name: sourcetrace.analyze(a["text"], **a["meta"]) for name, a in ARTICLES.items()}


@pytest.mark.parametrize("name", list(ARTICLES))
def test_real_report_validates(reports: dict[str, Report], name: str) -> None:
    data = json.loads(reports[name].to_json())
    jsonschema.Draft202012Validator(json_schema()).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION
    # The JSON round-trips into the model unchanged.
    assert Report.model_validate(data).to_dict() == data


def _spans(report: Report) -> Iterator[tuple[str, str, int | None, int | None]]:
    """(where, expected text, start, end) for every offset-carrying span in a report."""
    for a in report.attributions:
        spans = [("cue", a.cue), ("source", a.source), ("content", a.content)]
        spans += [(f"content.parts[{i}]", part) for i, part in enumerate(a.content.parts)]
        spans += [(role, span) for role, span in (("addressee", a.addressee), ("time", a.time)) if span]
        for role, span in spans:
            yield f"attribution {a.id} {role}", span.text, span.start, span.end
    for c in report.claims:
        yield f"claim {c.id}", c.text, c.start, c.end
        for h in c.hedges:
            yield f"claim {c.id} hedge", h.text, h.start, h.end


@pytest.mark.parametrize("name", list(ARTICLES))
def test_every_offset_slices_the_document_text(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    text = report.document.text
    for where, expected, start, end in _spans(report):
        if start is None:
            assert end is None, f"{where}: end without start"
            continue
        assert end is not None and 0 <= start <= end <= len(text), f"{where}: bad offsets {start}:{end}"
        assert text[start:end] == expected, f"{where}: {text[start:end]!r} != {expected!r}"
    for source in report.sources:
        for start, end in source.mentions:
            assert 0 <= start < end <= len(text), f"source {source.id}: bad mention {start}:{end}"


@pytest.mark.parametrize("name", list(ARTICLES))
def test_references_resolve(reports: dict[str, Report], name: str) -> None:
    report = reports[name]
    source_ids = {s.id for s in report.sources}
    attribution_ids = {a.id for a in report.attributions}
    claim_ids = {c.id for c in report.claims}
    for a in report.attributions:
        assert a.parent is None or a.parent in attribution_ids
        assert a.source.source_id is None or a.source.source_id in source_ids
    for c in report.claims:
        assert c.chain, f"claim {c.id} has an empty chain"
        assert c.attribution_id is None or c.attribution_id in attribution_ids
        for link in c.chain:
            assert link.source_id in source_ids, f"claim {c.id}: chain names unknown source {link.source_id}"
            assert link.attribution_id is None or link.attribution_id in attribution_ids
    assert set(report.headline.matched_claim_ids) <= claim_ids
    assert report.provenance.input_sha256 == report.document.sha256()
    assert report.profile.claims == len(report.claims)
