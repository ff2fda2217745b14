"""Speaker resolution parts: person names, first-name gender, the entity index, the pronoun scorer."""

from __future__ import annotations

import pytest

from sourcetrace.nlp.resolution.gender import first_name_gender
from sourcetrace.nlp.resolution.mentions import OUTLET, PERSON, EntityIndex, is_outlet_name
from sourcetrace.nlp.resolution.person_names import parse_person_name, same_person_name, surname_key
from sourcetrace.nlp.resolution.pronouns import Candidate, PronounModel, packaged_model


def test_person_names_titles_particles_and_given_names() -> None:
    parsed = parse_person_name("Deputy Foreign Minister Seyed Abbas Araghchi")
    assert parsed.surname_key == "araghchi" and parsed.given == ("seyed", "abbas")
    assert parsed.titles == ("deputy", "foreign", "minister")
    assert surname_key("Nouri Jawad al-Hakim") == surname_key("Hakim") == surname_key("al-Hakim") == "hakim"
    assert same_person_name("J. Marsh", "Lena J. Marsh") is False  # given names disagree
    assert same_person_name("Lena Marsh", "Gov. Lena Marsh")
    assert not same_person_name("Mary Smith", "John Smith")
    # A compound name without its first word: `Javad Zarif` after `Mohammad Javad Zarif`.
    assert same_person_name("Reza Tavakoli", "Karim Reza Tavakoli")
    assert not same_person_name("Karim Tavakoli", "Karim Reza Tavakoli Nouri")


def test_a_platform_the_ner_tags_as_a_person_names_no_speaker(analyze_text) -> None:
    report = analyze_text(
        "Visit planned\n\nThe president will visit Oslo soon, a senior official said.\n\n"
        "Mirela Dovan, the deputy chief of staff, wrote it on Twitter.\n\nShe said the talks went well."
    )
    names = {link.name for claim in report.claims for link in claim.chain}
    assert "Twitter" not in names and "Mirela Dovan" in names


def test_first_name_gender_from_the_published_list() -> None:
    assert first_name_gender("Masoumeh") == "f"
    assert first_name_gender("Jafar") == "m"
    assert first_name_gender("Zorblax") is None  # not in the list
    assert first_name_gender(None) is None


@pytest.fixture(scope="module")
def nlp(analyzer):
    return analyzer.nlp


def _index(nlp, text: str) -> EntityIndex:
    with nlp.select_pipes(disable=["sourcetrace"]):
        doc = nlp(text)
    return EntityIndex(doc)


def test_index_clusters_surnames_given_names_and_roles(nlp) -> None:
    index = _index(
        nlp,
        "Foreign Minister Mohammad Javad Zarif met the envoy on Monday. Zarif said the talks went well. "
        "Mohammad Javad Zarif later left for Ankara.",
    )
    people = [c for c in index.clusters if c.kind == PERSON]
    assert len(people) == 1
    zarif = people[0]
    assert zarif.name == "Mohammad Javad Zarif" and len(zarif.mentions) == 3
    assert "minister" in zarif.role_heads and zarif.gender == "m"
    assert index.person_named("Zarif") is zarif
    assert index.role_holder("minister", len(index.doc.text)) is zarif


def test_index_links_defined_acronyms_and_types_outlets(nlp) -> None:
    index = _index(
        nlp,
        "The Iranian Students' News Agency (ISNA) reported the decision. Later ISNA said the vote was close. "
        "The World Steel Association published its figures.",
    )
    agency = index.organisation_named("ISNA")
    assert agency is not None and agency.kind == OUTLET
    assert index.organisation_named("Iranian Students' News Agency") is agency
    assert is_outlet_name("Tasnim") and is_outlet_name("KUNA")
    assert not is_outlet_name("World Steel Association")


def test_pronoun_scorer_prefers_the_subject_of_the_reporting_clause(nlp) -> None:
    model = packaged_model()
    assert isinstance(model, PronounModel) and 0 < model.threshold < 1
    with nlp.select_pipes(disable=["sourcetrace"]):
        doc = nlp("Karen Holm met Ruth Elling in Oslo. Holm said that she would sign the deal on Friday.")
    she = next(t.i for t in doc if t.lower_ == "she")
    holm = Candidate("holm", [(0, 2), (8, 9)], "f", heads=[1, 8])
    elling = Candidate("elling", [(3, 5)], "f", heads=[4])
    probs = model.probabilities(doc, she, [holm, elling])
    assert probs[0] > probs[1]


def test_pronoun_model_file_round_trips(tmp_path) -> None:
    model = PronounModel({"dir:b": 0.5, "role:subj": 1.25}, -0.3, 0.4, {"C": 1.0})
    model.save(tmp_path)
    again = PronounModel.load(tmp_path)
    assert again.weights == pytest.approx(model.weights) and again.bias == pytest.approx(-0.3)
    assert again.threshold == pytest.approx(0.4) and again.meta == {"C": 1.0}


def test_titles_that_the_first_name_list_also_holds_are_titles() -> None:
    parsed = parse_person_name("Sheriff Anne Hale")
    assert parsed.titles == ("sheriff",) and parsed.given == ("anne",)
    assert first_name_gender(parsed.first) == "f"
    assert parse_person_name("Dean Martin").given == ("dean",)  # a first name too often to be a title


def _repaired(nlp, text: str, ents: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The entities after the NER repair, when the NER gave `ents` (text, label; first occurrences):
    what the small NER does to unfamiliar names, set here so the repair alone is tested."""
    from spacy.tokens import Span

    from sourcetrace.nlp.resolution.ner_repair import complete_person_names

    with nlp.select_pipes(disable=["sourcetrace"]):
        doc = nlp(text)
    spans, start = [], 0
    for words, label in ents:
        at = text.index(words, start)
        span = doc.char_span(at, at + len(words), label=label)
        assert span is not None, words
        spans.append(Span(doc, span.start, span.end, label=label))
        start = at + len(words)
    doc.ents = spans
    complete_person_names(doc)
    return [(e.text, e.label_) for e in doc.ents]


def test_repair_completes_a_name_cut_after_its_middle_given_name(nlp) -> None:
    text = "President Seyyed Hamid Rostami urged members to cut tariffs. Rostami added that Tehran agrees."
    ents = _repaired(nlp, text, [("Seyyed Hamid", "PERSON"), ("Tehran", "GPE")])
    assert ("Seyyed Hamid Rostami", "PERSON") in ents
    # A middle name the list does not know: the next word joins when the article uses it alone, not the
    # middle name.
    text = "Oil Minister Bijan Namdar Kordeh spoke. Later, Kordeh said exports rose."
    assert ("Bijan Namdar Kordeh", "PERSON") in _repaired(nlp, text, [("Bijan Namdar", "PERSON")])
    # A name that ends in a surname does not take the next word: `Warren Buffett` + `Berkshire`.
    text = "Investor Warren Buffett Berkshire owns the railway, the filing shows."
    assert ("Warren Buffett", "PERSON") in _repaired(nlp, text, [("Warren Buffett", "PERSON")])


def test_repair_labels_an_unlabelled_full_name_and_its_surname_taken_for_a_body(nlp) -> None:
    text = (
        "TEHRAN - Mohsen Naziri Kord, Iran's envoy in Vienna, addressed the session. Later, Naziri Kord "
        "said the seizures grew. The Naziri Kord report was long."
    )
    ents = _repaired(nlp, text, [("Iran", "GPE"), ("Naziri Kord", "ORG"), ("Naziri Kord", "ORG")])
    assert ents[:3] == [("Mohsen Naziri Kord", "PERSON"), ("Iran", "GPE"), ("Naziri Kord", "PERSON")]
    # Where no speaker stands (a modifier), the label stays: it would only compete for the next `he`.
    assert ents[3] == ("Naziri Kord", "ORG")


def test_repair_makes_no_person_of_a_body_or_a_joined_place(nlp) -> None:
    text = "The Iran-China Joint Chamber said trade grew. Jordan Valley Authority staff and Maria Street met."
    ents = _repaired(nlp, text, [])
    assert not [e for e in ents if e[1] == "PERSON"]


def test_repair_drops_an_interjection_the_ner_took_into_a_name(nlp) -> None:
    text = "Sorry Maria, but I still disagree with what you said."
    ents = _repaired(nlp, text, [("Sorry Maria", "PERSON")])
    assert ents == [("Maria", "PERSON")]


def test_repair_keeps_a_korean_surname_and_a_company_named_before_its_founder(nlp) -> None:
    text = "Oh Se-hoon, the mayor of Seoul, said the line will open."
    assert _repaired(nlp, text, [("Oh Se-hoon", "PERSON")]) == [("Oh Se-hoon", "PERSON")]
    text = "Marlow said it would cut 300 jobs. The carmaker was founded by Henry Marlow in 1903."
    ents = _repaired(nlp, text, [("Marlow", "ORG"), ("Henry Marlow", "PERSON")])
    assert ents[0] == ("Marlow", "ORG")
