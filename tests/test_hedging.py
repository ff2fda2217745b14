"""Hedges, boosters, factives, scare quotes and per-claim certainty.

Every sentence and article here is invented.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sourcetrace.nlp.hedging import LEXICON_FILE, find_hedges, find_scare_quotes, read_lexicon
from sourcetrace.report.summary import headline_check
from sourcetrace.schema import (
    BOOSTING_KINDS,
    HEDGING_KINDS,
    KINDS,
    ChainLink,
    Claim,
    Hedge,
    Report,
    certainty,
)

CARD = LEXICON_FILE.parent / "LEXICON_CARD.md"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(h.text, h.kind) for h in find_hedges(text)]


def texts_of(text: str, kind: str) -> list[str]:
    return [h.text for h in find_hedges(text) if h.kind == kind]


# ------------------------------------------------------------------------------------- lexicon file


def test_lexicon_entries_are_well_formed_and_cited() -> None:
    entries = read_lexicon()
    assert len(entries) > 100
    card = CARD.read_text(encoding="utf-8")
    for entry in entries:
        assert entry.kind in KINDS - {"scare_quote"}, entry
        # Every source key is defined in the lexicon card with its full citation.
        assert f"`{entry.source}`" in card, f"{entry.source} not cited in {CARD.name}"
    # One kind per surface form: a form listed twice under different kinds would be ambiguous.
    seen: dict[str, str] = {}
    for entry in entries:
        for form in entry.forms:
            assert seen.setdefault(form, entry.kind) == entry.kind, form


def test_every_lexicon_form_is_found_in_a_sentence() -> None:
    """Each form is matched as written (multi-word forms and inflections included), with its kind."""
    for entry in read_lexicon():
        for form in entry.forms:
            sentence = f"Officials in Varnholt {form} the reservoir levels."
            found = [(h.text.lower(), h.kind) for h in find_hedges(sentence)]
            assert (form, entry.kind) in found, (form, found)


def test_malformed_lexicon_rows_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "hedges.tsv"
    bad.write_text("entry\tkind\tforms\tsource\nmaybe\tvague\tmaybe\thyland2005\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        read_lexicon(bad)
    bad.write_text("term\tkind\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_lexicon(bad)


# ------------------------------------------------------------------------------ kinds and context


def test_hedges_boosters_and_multi_word_terms() -> None:
    found = kinds("In my opinion the levy may well be clearly too high, and it seems the council knows it.")
    assert ("In my opinion", "hedge") in found
    assert ("may", "hedge") in found
    assert ("clearly", "booster") in found
    assert ("it seems", "hedge") in found
    # 'it seems' is one marker, not 'it seems' plus 'seems'.
    assert [t for t, _ in found].count("seems") == 0


def test_inflections_and_line_breaks_inside_phrases() -> None:
    assert texts_of("The audit suggests waste. An earlier audit suggested fraud.", "hedge") == [
        "suggests",
        "suggested",
    ]
    assert texts_of("The figures, of\ncourse, were revised.", "booster") == ["of\ncourse"]
    assert texts_of("Undeniably the river has risen; it is true that the banks held.", "booster") == [
        "Undeniably",
        "it is true",
    ]


def test_factive_and_assertive_verbs() -> None:
    text = (
        "The ledger revealed the losses. "
        "The treasurer insisted the accounts were sound and knew that they were not."
    )
    found = kinds(text)
    assert ("revealed", "factive") in found
    assert ("knew that", "factive") in found
    assert ("insisted", "assertive") in found


def test_may_the_month_and_the_name_are_not_hedges() -> None:
    assert texts_of("The ferry may resume in May, and tickets go on sale on May 3.", "hedge") == ["may"]
    assert texts_of("Talks began in early May. Councillor Rosa May chaired them.", "hedge") == []
    assert texts_of("May 12 was the deadline.", "hedge") == []
    # At the start of a sentence the modal is still a hedge.
    assert texts_of("May the markets recover? Prices may fall.", "hedge") == ["May", "may"]


def test_nouns_that_look_like_modals_are_skipped() -> None:
    assert texts_of("The region's military might has grown.", "hedge") == []
    assert texts_of("A good map is a must for hikers.", "booster") == []
    assert texts_of("Crews must clear the road by noon.", "booster") == ["must"]


def test_could_not_is_inability_and_would_not_comment_is_a_refusal() -> None:
    assert texts_of("Rescuers could not reach the village.", "hedge") == []
    assert texts_of("Rescuers could reach the village by Friday.", "hedge") == ["could"]
    assert texts_of("The company would not comment on the layoffs.", "conditional") == []
    assert texts_of("A spokesman wouldn\u2019t say how many staff left.", "conditional") == []
    assert texts_of("The merger would cost 400 jobs.", "conditional") == ["would"]


def test_would_in_reported_speech_is_not_a_conditional() -> None:
    assert texts_of("The mayor said the tunnel would reopen on Monday.", "conditional") == []
    # A stated condition keeps both markers.
    found = texts_of("The mayor said the tunnel would reopen if the inspection passed.", "conditional")
    assert found == ["would", "if"]


def test_if_in_indirect_questions_is_not_a_condition() -> None:
    assert texts_of("Residents asked if the clinic would stay open.", "conditional") == []
    assert texts_of("Few, if any, buses ran.", "conditional") == []
    assert texts_of("If the levee fails, the lower town floods.", "conditional") == ["If"]


def test_admitted_to_hospital_is_not_a_concession() -> None:
    assert texts_of("Two climbers were admitted to hospital with frostbite.", "assertive") == []
    assert texts_of("The contractor admitted the welds were faulty.", "assertive") == ["admitted"]


def test_words_inside_longer_words_or_compounds_do_not_match() -> None:
    assert find_hedges("The Mayfield bridge and the would-be buyers of Ifley farm.") == []
    assert texts_of("The so-called reform passed.", "so_called") == ["so-called"]


def test_offsets_slice_the_text_and_respect_the_window() -> None:
    text = "Prices rose. Officials say rents may rise further, perhaps by 8 percent."
    start = text.index("Officials")
    hedges = find_hedges(text, start, len(text))
    assert [h.text for h in hedges] == ["may", "perhaps"]
    for h in hedges:
        assert text[h.start : h.end] == h.text
    # Outside the window nothing is reported.
    assert find_hedges(text, 0, start) == []


# ------------------------------------------------------------------------------------ scare quotes


def test_scare_quotes_are_short_unattributed_quoted_phrases() -> None:
    text = 'The "temporary" tax has lasted nine years; the so-called \u201cexperts\u201d were not identified.'
    quotes = [h.text for h in find_scare_quotes(text, 0, len(text))]
    assert quotes == ['"temporary"', "\u201cexperts\u201d"]


@pytest.mark.parametrize(
    "text",
    [
        'The minister called the plan "deeply flawed" on Tuesday.',  # partial quote of speech
        '"We will rebuild," the mayor said.',  # speech ends with punctuation inside the quotes
        'The choir sang "Silent Night" at the vigil.',  # a title
        'The word "resilience" appears eleven times in the budget.',  # a mention of a word
        'Critics say the agency "has failed every family that asked it for help" this year.',  # too long
    ],
)
def test_quoted_speech_titles_and_mentions_are_not_scare_quotes(text: str) -> None:
    assert find_scare_quotes(text, 0, len(text)) == []


def test_scare_quotes_in_single_curly_quotes() -> None:
    text = "The \u2018voluntary\u2019 levy is collected from every stall holder."
    assert [h.kind for h in find_hedges(text)] == ["scare_quote"]


# ----------------------------------------------------------------------------------------- certainty


def _h(kind: str) -> Hedge:
    return Hedge(text="x", start=0, end=1, kind=kind)


@pytest.mark.parametrize(
    ("hedge_kinds", "expected"),
    [
        ([], "neutral"),
        (["assertive"], "neutral"),
        (["hedge"], "hedged"),
        (["reporting", "conditional"], "hedged"),
        (["scare_quote"], "hedged"),
        (["booster"], "boosted"),
        (["factive", "assertive"], "boosted"),
        (["hedge", "booster"], "mixed"),
    ],
)
def test_certainty_summary(hedge_kinds: list[str], expected: str) -> None:
    assert certainty([_h(k) for k in hedge_kinds]) == expected


def test_kind_groups_do_not_overlap() -> None:
    assert not HEDGING_KINDS & BOOSTING_KINDS
    assert HEDGING_KINDS | BOOSTING_KINDS | {"assertive"} == KINDS


def test_claim_certainty_is_derived_unless_given() -> None:
    chain: list = []
    claim = Claim(id="c1", text="t", start=0, end=1, chain=chain, hedges=[_h("booster")])
    assert claim.certainty == "boosted"
    kept = Claim.model_validate(claim.model_dump() | {"certainty": "neutral"})
    assert kept.certainty == "neutral"


def test_headline_check_ignores_boosters() -> None:
    """A claim that is only boosted is not 'hedged' by the body: the headline does not overstate it."""
    text = "The harbour fees clearly doubled last year."
    claim = Claim(id="c1", text=text, start=0, end=len(text), chain=[], hedges=find_hedges(text))
    assert claim.certainty == "boosted"
    check = headline_check("Harbour fees doubled last year", [claim])
    assert check.matched_claim_ids == ["c1"] and not check.overstated

    hedged_text = "The harbour fees may have doubled last year."
    hedged = Claim(
        id="c2", text=hedged_text, start=0, end=len(hedged_text), chain=[], hedges=find_hedges(hedged_text)
    )
    check = headline_check("Harbour fees doubled last year", [hedged])
    assert check.overstated and "may" in (check.note or "")
    assert check.reasons == ["hedged_in_body"]


# ---------------------------------------------------------------------------------- whole analysis

ARTICLE = (
    "Tunnel to stay shut for months\n\n"
    "KELDBY - The Keldby road tunnel will undeniably stay closed until the autumn, the transport "
    "department said on Monday. Engineers found cracks that may have been caused by the "
    "so-called \u201cquick fix\u201d carried out in 2019. "
    "The contractor had reportedly ignored two warnings from inspectors. "
    "The department revealed that repairs will cost 12 million crowns."
)


@pytest.fixture(scope="module")
def report(analyze_text) -> Report:
    return analyze_text(ARTICLE, outlet="Keldby Courier")


def _claim_with(report: Report, fragment: str) -> Claim:
    for claim in report.claims:
        if fragment in claim.text:
            return claim
    raise AssertionError(f"no claim contains {fragment!r}: {[c.text for c in report.claims]}")


def test_analysis_attaches_markers_and_certainty_to_claims(report: Report) -> None:
    boosted = _claim_with(report, "stay closed until the autumn")
    assert ("undeniably", "booster") in [(h.text, h.kind) for h in boosted.hedges]
    assert boosted.certainty == "boosted"

    cracks = _claim_with(report, "cracks that may have been caused")
    found = {(h.text, h.kind) for h in cracks.hedges}
    assert {("may", "hedge"), ("so-called", "so_called"), ("\u201cquick fix\u201d", "scare_quote")} <= found
    assert cracks.certainty == "hedged"

    assert _claim_with(report, "warnings from inspectors").certainty == "hedged"
    assert _claim_with(report, "repairs will cost").certainty == "boosted"  # 'revealed' in the cue
    text = report.document.text
    for claim in report.claims:
        for h in claim.hedges:
            assert text[h.start : h.end] == h.text


def test_certainty_survives_the_json_round_trip(report: Report) -> None:
    data = json.loads(report.to_json())
    assert {c["certainty"] for c in data["claims"]} <= {"hedged", "boosted", "mixed", "neutral"}
    assert Report.model_validate(data).to_dict() == data


def test_lexicon_card_lists_what_was_left_out() -> None:
    card = CARD.read_text(encoding="utf-8")
    # The decisions the card documents must stay true of the lexicon.
    for word in ("should", "about", "will"):
        assert re.search(rf"`{word}`", card), word
        assert all(word not in e.forms for e in read_lexicon()), word


def _link(source_id: str, name: str, kind: str) -> ChainLink:
    return ChainLink(source_id=source_id, name=name, type=kind)


def _claim(text: str, chain: list[ChainLink]) -> Claim:
    return Claim(id="c1", text=text, start=0, end=len(text), chain=chain, hedges=find_hedges(text))


PUBLISHER = _link("publisher", "The Dale Herald", "outlet")


def test_headline_rule_unnamed_source_long_chain_and_hedge() -> None:
    """The guide's three reasons, each alone, and a named on-record source that is none of them."""
    text = "The ferry service will end in March."
    unnamed = headline_check("Ferry service to end in March", [
        _claim(text, [PUBLISHER, _link("s1", "a council official", "official_unnamed")])])
    assert unnamed.overstated and unnamed.reasons == ["unnamed_source"]
    long_chain = headline_check("Ferry service to end in March", [_claim(text, [
        PUBLISHER, _link("wire", "Meridian Wire", "outlet"), _link("s1", "Valley TV", "outlet"),
        _link("s2", "Rosa Imrie", "named_person")])])
    assert long_chain.overstated and long_chain.reasons == ["long_chain"]
    on_record = headline_check("Ferry service to end in March", [
        _claim(text, [PUBLISHER, _link("s2", "Rosa Imrie", "named_person")])])
    assert on_record.states_as_fact and not on_record.overstated and on_record.reasons == []


def test_headline_with_a_cue_or_a_speaker_label_is_not_stated_as_fact() -> None:
    text = "The ferry service will end in March."
    chain = [PUBLISHER, _link("s1", "a council official", "official_unnamed")]
    for title in ("Ferry service to end in March, official says", "Council: ferry service to end in March",
                  "Ferry service to end in March?"):
        check = headline_check(title, [_claim(text, chain)])
        assert not check.states_as_fact and not check.overstated, title
    labelled = headline_check("BREAKING: Ferry service to end in March", [_claim(text, chain)])
    assert labelled.states_as_fact and labelled.overstated


def test_headline_words_meet_the_body_s_by_stem_not_by_prefix() -> None:
    chain = [PUBLISHER, _link("s1", "a council official", "official_unnamed")]
    # `closes` ~ `closing`: the headline restates the claim.
    restated = headline_check("Ferry closes berths", [_claim("The ferry is closing its berths.", chain)])
    assert restated.overstated
    # `ministry` is not `minister` (a six-letter cut made both `minist`).
    other = headline_check("Ministry hires staff", [_claim("The minister hires new staff.", chain)])
    assert other.similarity is not None and other.similarity < 1
