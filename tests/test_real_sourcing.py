"""Sourcing patterns seen on real articles (ISSUE 12), each on an invented text: one rule per test."""

from __future__ import annotations

import pytest

from sourcetrace.nlp.attribution.assertion import ACT, ASSERTS, NONE, classify


def claim_with(report, fragment):
    matches = [c for c in report.claims if fragment in c.text]
    assert matches, f"no claim containing {fragment!r}: {[c.text for c in report.claims]}"
    return matches[0]


def hops(claim):
    return [(link.name, str(link.type)) for link in claim.chain]


def _classes(analyzer, text: str) -> dict[str, str]:
    """Cue text -> class, for every attribution the extractors find (before the classes are applied)."""
    nlp = analyzer.nlp
    component = nlp.get_pipe("sourcetrace")
    with nlp.select_pipes(disable=["sourcetrace"]):
        doc = nlp(text)
    return {text[a.cue[0] : a.cue[1]]: classify(doc, a) for a in component.extract(doc)}


def test_speech_is_an_assertion_deeds_are_acts_and_raising_is_nothing(analyzer) -> None:
    classes = _classes(
        analyzer,
        "The mayor said that the bridge would reopen in May. The council voted for the budget on Monday. "
        "The new plant is expected to create 300 jobs.",
    )
    assert classes.get("said") == ASSERTS
    assert classes.get("voted", ACT) == ACT
    assert classes.get("is expected", NONE) == NONE


def test_agreeing_to_a_deed_is_an_act_agreeing_that_is_a_view(analyzer) -> None:
    assert _classes(analyzer, "Under the deal, Ostland agreed to put limits on its mines.")["agreed"] == ACT
    assert _classes(analyzer, "The envoy agreed that the talks had failed.")["agreed"] == ASSERTS


def test_an_act_leaves_its_sentence_to_the_author(analyze_text) -> None:
    r = analyze_text(
        "Talks on the dam\n\nThe minister welcomed his Uzbek counterpart in Tashkent on Monday. "
        "The two sides signed three agreements.",
        outlet="The Dale Herald",
    )
    claim = claim_with(r, "welcomed his Uzbek counterpart")
    assert hops(claim) == [("The Dale Herald", "outlet"), ("author", "author")]
    acts = [a for a in r.attributions if not a.asserts]
    assert all(c.attribution_id not in {a.id for a in acts} for c in r.claims)


def test_an_impersonal_modal_is_no_attribution(analyze_text) -> None:
    r = analyze_text(
        "Plant closure\n\nThe old coal plant is required to close by 2030 under the new law.",
        outlet="The Dale Herald",
    )
    claim = claim_with(r, "required to close")
    assert hops(claim) == [("The Dale Herald", "outlet"), ("author", "author")]


@pytest.mark.parametrize(
    ("text", "outlet"),
    [
        ("Talking to national TV, Ali Rezaei said the plan would work.", "national TV"),
        ("Speaking to IRNA, Ali Rezaei said the plan would work.", "IRNA"),
        ("Ali Rezaei said in an interview with IRNA on Monday that the plan would work.", "IRNA"),
        ("In an interview with Italian newspaper Il Corriere, Ali Rezaei said the plan would work.",
         "Il Corriere"),
    ],
)
def test_the_outlet_spoken_to_in_a_clause_around_the_cue_is_a_hop(analyze_text, text, outlet) -> None:
    # Guide, Hops 3: `speaking to <outlet>`, `in an interview with <outlet>`; carried to later quotes.
    r = analyze_text(f"Talks\n\n{text} \u201cWe hope the council will come to its senses,\u201d he said.",
                     outlet="Tehran Daily")
    expected = [("Tehran Daily", "outlet"), (outlet, "outlet"), ("Ali Rezaei", "named_person")]
    assert hops(claim_with(r, "plan would work")) == expected
    assert hops(claim_with(r, "come to its senses")) == expected


def test_the_outlet_that_reported_a_speakers_act_carries_to_their_later_words(analyze_text) -> None:
    # Reading 14: `he highlighted X, IRIB reported` says he reached the reader through IRIB.
    r = analyze_text(
        "Drugs\n\nMohsen Naziri, the head of the drug office, spoke in Vienna on Monday. While outlining "
        "the record, he highlighted the positions of Iran on drugs, IRIB reported. \u201cWe believe that "
        "the global community should support Iran,\u201d he said.",
        outlet="Tehran Daily",
    )
    expected = [("Tehran Daily", "outlet"), ("IRIB", "outlet"), ("Mohsen Naziri", "named_person")]
    assert hops(claim_with(r, "global community should support")) == expected


def test_an_outlet_stops_carrying_where_the_speaker_speaks_on_another_occasion(analyze_text) -> None:
    # Reading 1: the outlet a speaker told carries to their later words until another occasion.
    r = analyze_text(
        "Drugs\n\nTEHRAN - Seizures rose 15 percent this year, police chief Ali Momeni told ISNA. Most "
        "of the gangs were dismantled in the east, he said. On Sunday, Momeni said the border wall is "
        "almost finished.",
        outlet="Tehran Daily",
    )
    assert hops(claim_with(r, "dismantled in the east"))[1] == ("ISNA", "outlet")
    assert hops(claim_with(r, "border wall is almost finished")) == [
        ("Tehran Daily", "outlet"), ("Ali Momeni", "named_person")
    ]


def test_a_wire_credit_glued_to_the_first_sentence_is_a_hop_not_the_speaker(analyze_text) -> None:
    r = analyze_text("Port\n\n(AP)The ministry said the port would reopen on Monday.", outlet="Dale Post")
    assert [h[0] for h in hops(claim_with(r, "port would reopen"))] == ["Dale Post", "AP", "The ministry"]


def test_speaking_to_reporters_adds_no_hop(analyze_text) -> None:
    r = analyze_text("Talks\n\nSpeaking to reporters, Ali Rezaei said the plan works.", outlet="Dale Post")
    assert hops(claim_with(r, "plan works")) == [("Dale Post", "outlet"), ("Ali Rezaei", "named_person")]


def test_the_outlet_a_speaker_told_carries_to_their_later_statements(analyze_text) -> None:
    r = analyze_text(
        "Steel output to rise\n\n"
        "TEHRAN - Steel output will reach 20 million tons next year, Deputy Minister Jafar Talebi "
        "told IRNA on Monday. Most of the new capacity is in Isfahan province, he said. "
        "Exports will double by 2026, Talebi added.",
        outlet="Tehran Daily",
    )
    expected = [("Tehran Daily", "outlet"), ("IRNA", "outlet"), ("Jafar Talebi", "named_person")]
    assert hops(claim_with(r, "Steel output will reach")) == expected
    assert hops(claim_with(r, "new capacity is in Isfahan")) == expected
    assert hops(claim_with(r, "Exports will double")) == expected
    # The dateline names a place, not a source.
    assert all(s.name != "TEHRAN" for s in r.sources)


def test_a_described_speaker_named_in_the_next_sentence_is_that_person(analyze_text) -> None:
    r = analyze_text(
        "Clinic hours\n\n"
        "Rural clinics will open on Saturdays from June, a deputy head of the provincial health office "
        "told ISNA. Nurses will be hired for the weekend shifts, Leila Farahani said.",
        outlet="Tehran Daily",
    )
    first = claim_with(r, "open on Saturdays")
    assert hops(first)[-2:] == [("ISNA", "outlet"), ("Leila Farahani", "named_person")]


def test_surname_with_particle_and_role_description_resolve_to_the_full_name(analyze_text) -> None:
    r = analyze_text(
        "Oil deal\n\n"
        "Iraqi Oil Minister Nouri Jawad al-Hakim told reporters that exports would rise. "
        "Hakim said the new pipeline would open in March. The minister said prices would stay stable.",
        outlet="The Dale Herald",
    )
    for fragment in ("exports would rise", "new pipeline would open", "prices would stay stable"):
        assert hops(claim_with(r, fragment))[-1] == ("Nouri Jawad al-Hakim", "named_person"), fragment


def test_an_agency_the_ner_takes_for_a_person_is_an_outlet(analyze_text) -> None:
    r = analyze_text(
        "Quake\n\nAt least 400 houses were damaged, the provincial governor, Reza Pourmand, told Tasnim.",
        outlet="Tehran Daily",
    )
    chain = hops(claim_with(r, "400 houses were damaged"))
    assert ("Tasnim", "outlet") in chain and chain[-1] == ("Reza Pourmand", "named_person")


def test_transcript_lines_are_attributed_to_their_speaker(analyze_text) -> None:
    r = analyze_text(
        "Debate on the dam\n\n"
        "The exchange went on for ten minutes.\n\n"
        "Mara Quist: The dam was never inspected after the flood.\n\n"
        "Tomas Reyl: It was inspected twice, and both reports are public.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "never inspected"))[-1] == ("Mara Quist", "named_person")
    assert hops(claim_with(r, "inspected twice"))[-1] == ("Tomas Reyl", "named_person")


def test_site_furniture_and_questions_are_no_claims(analyze_text) -> None:
    r = analyze_text(
        "Harbour fees\n\n"
        "Harbour fees doubled last year. What will the council do next?\n\n"
        "Get your daily dose of Dale News by entering your email address below.\n\n"
        "The views expressed in this opinion article are solely those of their author.",
        outlet="The Dale Herald",
    )
    texts = [c.text for c in r.claims]
    assert any("fees doubled" in t for t in texts)
    assert not any("council do next" in t or "daily dose" in t or "views expressed" in t for t in texts)


def test_a_quote_continued_after_a_long_speech_tag_keeps_its_speaker(analyze_text) -> None:
    r = analyze_text(
        "Protest\n\n"
        "\u201cThese are not local people,\u201d a spokesman for the Orvale police officers' union said. "
        "\u201cThey came in on buses from out of state.\u201d",
        outlet="The Dale Herald",
    )
    chain = hops(claim_with(r, "came in on buses"))
    assert chain[-1][1] == "official_unnamed" and "spokesman" in chain[-1][0]


def test_a_count_credited_to_its_counter_and_a_name_is_no_statement(analyze_text) -> None:
    r = analyze_text(
        "Debate\n\nBy Tallyhouse's count, the senator interrupted her 27 times. "
        "The treaty, officially called the Arden Accord, was signed in 2015.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "interrupted her 27 times"))[-1][0] == "Tallyhouse"
    assert hops(claim_with(r, "was signed in 2015"))[-1] == ("author", "author")


def test_speech_wrapped_by_a_trailing_according_to_nests_under_the_agency(analyze_text) -> None:
    r = analyze_text(
        "Harbour dispute\n\nORVALA - Mirela Tosk, spokeswoman of the port authority, has rejected the report "
        "as untrue.\n\nTosk said the harbour fees were never raised, according to the Coastal Wire."
        '\n\n"These figures are invented," she added.\n\nThe transport minister Ilan Brauer said the '
        "dredging would start in May, according to the state news agency KORNA.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "harbour fees were never raised")) == [
        ("The Dale Herald", "outlet"), ("Coastal Wire", "outlet"), ("Mirela Tosk", "named_person"),
    ]
    # The speaker keeps her outlet (ADJUDICATION reading 1) and her full name from the dateline lead.
    assert hops(claim_with(r, "These figures are invented"))[1:] == [
        ("Coastal Wire", "outlet"), ("Mirela Tosk", "named_person"),
    ]
    # `the state news agency KORNA` is that agency, not the outlet named before it.
    assert hops(claim_with(r, "dredging would start in May"))[1:] == [
        ("KORNA", "outlet"), ("Ilan Brauer", "named_person"),
    ]


def test_a_named_speaker_who_saw_it_is_an_eyewitness_and_a_family_is_a_collective(analyze_text) -> None:
    r = analyze_text(
        "Convoy attack\n\nIlan Brauer, a teacher in the village, said he saw the trucks burning after the "
        "strike. The mayor, Tomas Reyl, said he saw no evidence of a second strike. The driver's family "
        "said he was only delivering flour.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "trucks burning"))[-1] == ("Ilan Brauer", "eyewitness")
    assert hops(claim_with(r, "no evidence of a second strike"))[-1] == ("Tomas Reyl", "named_person")
    assert hops(claim_with(r, "only delivering flour"))[-1][1] == "collective"


def test_an_embedded_tweet_is_its_signer_s(analyze_text) -> None:
    r = analyze_text(
        "Protest coverage\n\nProtests broke out in the city on Tuesday night.\n\n"
        "Here are some of the remarks.\n\n"
        "@daleherald The mayor has set this mood for looting \u2014 Jane Roe (@jroe55) September 21, 2016 "
        "@daleherald Police should have been ready for this \u2014 whfla (@whfla) September 21, 2016\n\n"
        "@daleherald The depot was closed all week pic.twitter.com/Ab12Cd\n\n"
        "\u2014 Harbour Watch (@hwatch) September 22, 2016",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "set this mood for looting"))[1:] == [("Jane Roe", "named_person")]
    assert hops(claim_with(r, "should have been ready"))[1:] == [("whfla", "named_person")]
    depot = claim_with(r, "depot was closed")
    assert depot.text == "The depot was closed all week" and hops(depot)[-1][0] == "Harbour Watch"
    assert hops(claim_with(r, "Protests broke out"))[1:] == [("author", "author")]


def test_a_closing_report_relays_the_whole_sentence(analyze_text) -> None:
    r = analyze_text(
        "Mining plan\n\nTEHRAN - Mirela Tosk, a director at the mining board, also said that investment must "
        "grow by 15 percent, KORNA news reported on Saturday.\n\nIlan Brauer said exports rose by 12 "
        "percent, the Vardo news agency reported.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "investment must grow"))[1:] == [
        ("KORNA news", "outlet"), ("Mirela Tosk", "named_person"),
    ]
    # A named agency is that agency, not the outlet named before it.
    assert hops(claim_with(r, "exports rose"))[1:] == [
        ("Vardo news agency", "outlet"), ("Ilan Brauer", "named_person"),
    ]


def test_a_person_s_own_words_are_that_person_s(analyze_text) -> None:
    r = analyze_text(
        "Canal hearing\n\nOtto Brandvik testified on Tuesday in the canal case.\n\n"
        "Brandvik approved the lock closures, according to his testimony.\n\n"
        "The harbour master was never warned, Brandvik's letter said.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "approved the lock"))[1:] == [("Otto Brandvik", "named_person")]
    assert hops(claim_with(r, "never warned"))[1:] == [("Otto Brandvik", "named_person")]


def test_a_fronted_participle_clause_is_not_the_speaker(analyze_text) -> None:
    r = analyze_text(
        "Dam report\n\nOn June 2, the council renewed support for the plan.\n\nBriefing the Security "
        "Council, Jeffery Moll, the Under-Secretary-General for Water Affairs, said: "
        '"The dam will hold all winter."',
    )
    assert hops(claim_with(r, "dam will hold"))[-1:] == [("Jeffery Moll", "named_person")]


def test_the_official_is_the_latest_office_holder_named(analyze_text) -> None:
    r = analyze_text(
        "Mining plan\n\nTEHRAN - The mining sector needs more investment, according to an official in the "
        "sector.\n\nExports will rise by 5 percent, Deputy Mining Minister Jafar Molavi told reporters in "
        "March.\n\nThe sector has all it needs to grow, the official highlighted.",
    )
    assert hops(claim_with(r, "all it needs"))[-1:] == [("Jafar Molavi", "named_person")]
    # Named before the description, an office holder is not who `the official` refers to.
    r = analyze_text(
        "Mining plan\n\nExports will rise by 5 percent, Deputy Mining Minister Jafar Molavi told reporters. "
        "The sector needs more investment, according to an official in the sector.\n\n"
        "The sector has all it needs to grow, the official highlighted.",
    )
    assert hops(claim_with(r, "all it needs"))[-1][1] == "official_unnamed"


def test_a_body_the_ner_takes_for_a_place_is_what_the_company_refers_to(analyze_text) -> None:
    r = analyze_text(
        "Candy row\n\nWhile many Vance supporters offered their support, the post provoked a backlash. "
        "Dorn Candy eventually chimed in to distance themselves from the message. \"Gumdrops are candy; "
        'voters are people," the company said in a statement.',
    )
    assert hops(claim_with(r, "Gumdrops are candy"))[-1:] == [("Dorn Candy", "named_organization")]


def test_an_inverted_tag_after_a_quote_names_its_speaker_even_parsed_as_an_object(analyze_text) -> None:
    r = analyze_text(
        "Book out\n\nDana Kyle wrote a book about the senator. But Kyle says that anger is not the only "
        'emotion the senator feels. "That tendency to control has always been part of her," warned Kyle.',
    )
    claim = claim_with(r, "tendency to control")
    assert hops(claim)[-1:] == [("Dana Kyle", "named_person")]
    # A capital `That` opens the quoted sentence: it is no complementiser to drop.
    assert claim.text.startswith("That tendency")



def test_a_speech_participle_the_tagger_took_for_a_noun_still_speaks(analyze_text) -> None:
    r = analyze_text(
        "Levy letter\n\nForeign Minister Ali Rezaei wrote to the council chief on Friday. Rezaei published "
        "the letter in a post on Friday night, writing, \u201cI urge the council to reject the levy on our "
        "farmers. And insist that it be lifted.\u201d",
        outlet="The Dale Herald",
    )
    for fragment in ("I urge the council", "insist that it be lifted"):
        assert hops(claim_with(r, fragment))[-1] == ("Ali Rezaei", "named_person")


def test_a_speaker_inside_a_closing_report_is_the_inner_hop(analyze_text) -> None:
    r = analyze_text(
        "Schools\n\nEducation Minister Reza Bat'haei met his counterpart in Moscow. Teaching Russian in our "
        "schools depends on teaching Farsi in theirs, Bat'haei tweeted in an answer to critics, Mehr "
        "reported on Friday.",
        outlet="The Dale Herald",
    )
    claim = claim_with(r, "Teaching Russian in our schools")
    assert hops(claim)[1:] == [("Mehr", "outlet"), ("Reza Bat'haei", "named_person")]


def test_an_outlet_that_quoted_a_speaker_is_the_hop_above_him(analyze_text) -> None:
    r = analyze_text(
        "Speakers\n\nCommittee chairman Pavel Nikonov spoke in Moscow on Monday. The number of Russian "
        "speakers has fallen by 50 million since 1991, TheDailyHerald quoted Nikonov as saying on August "
        "29. The Valley Post quoted Nikonov as saying that the plan would cost little.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "fallen by 50 million"))[1:] == [
        ("TheDailyHerald", "outlet"), ("Pavel Nikonov", "named_person")
    ]
    assert hops(claim_with(r, "the plan would cost little"))[1:] == [
        ("Valley Post", "outlet"), ("Pavel Nikonov", "named_person")
    ]


def test_a_no_break_space_inside_a_name_keeps_the_name_whole(analyze_text) -> None:
    r = analyze_text(
        "Tip\n\nLena\u00a0Ortiz served the former governor at the diner on Sunday. According to Lena, the "
        "governor left a $40 tip on a $21 bill.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "left a $40 tip"))[-1] == ("Lena Ortiz", "named_person")
    assert any("no-break" in line for line in r.document.repairs)


def test_a_poll_that_puts_a_candidate_ahead_is_the_source(analyze_text) -> None:
    r = analyze_text(
        "Race\n\nA new Harbor-Marist poll released Friday puts the mayor 7 percentage points ahead of her "
        "rival. The mayor opened a new bridge on Monday.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "puts the mayor"))[-1] == ("A new Harbor-Marist poll", "document")
    assert hops(claim_with(r, "opened a new bridge"))[-1] == ("author", "author")


def test_blaming_and_urging_someone_is_the_authors_report_of_the_act(analyze_text) -> None:
    r = analyze_text(
        "Dispute\n\nThe minister blamed the port authority for the delays on Monday. He urged the council to "
        "change course. He warned that the levy would fail.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "blamed the port authority"))[-1] == ("author", "author")
    assert hops(claim_with(r, "urged the council"))[-1] == ("author", "author")
    assert hops(claim_with(r, "the levy would fail"))[-1][1] != "author"


def test_an_outlet_citing_a_record_relays_it(analyze_text) -> None:
    r = analyze_text(
        "Exports\n\nTEHRAN - Iran exported 16.4 million tons of resin in nine months, Shana reported on "
        "Wednesday citing the data announced by the National Resin Company. The minister visited a plant "
        "in Tabriz, IRNA reported on Monday.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "exported 16.4 million"))[1:] == [
        ("Shana", "outlet"), ("the data announced by the National Resin Company", "document")
    ]


def test_an_official_given_by_role_is_the_person_the_next_sentence_names(analyze_text) -> None:
    r = analyze_text(
        "Visit\n\nTEHRAN \u2013 President Reza Tavakoli will soon visit Damascus to mark the anniversary, a "
        "senior official has said.\n\nLeyla Farahani, the deputy chief of staff, made the announcement on "
        "Twitter.\n\nThe port will open in May, Head of Ports Organization said. According to Amir Sabbaq, "
        "the works will cost $2 billion.",
        outlet="The Dale Herald",
    )
    assert hops(claim_with(r, "will soon visit Damascus"))[-1] == ("Leyla Farahani", "named_person")
    assert hops(claim_with(r, "The port will open in May"))[-1] == ("Amir Sabbaq", "named_person")


def test_a_judging_verb_with_a_clause_of_its_own_asserts(analyzer) -> None:
    classes = _classes(
        analyzer,
        "Democrats charged the governor had misled voters about the budget. The priest said a short "
        "prayer for the victims of the crash.",
    )
    assert classes.get("charged") == ASSERTS
    assert classes.get("said", ACT) == ACT


#: One rule each, on invented text: (text, a fragment of the claim, its innermost source).
INNERMOST_CASES = {
    "a stray double space after a speech verb does not split its sentence": (
        "Bridge\n\nThe report said  Ann Berg was right about the bridge.",
        "Ann Berg was right", ("The report", "document"),
    ),
    "agreeing with someone that something holds is a view": (
        "Taxes\n\nAnn Berg agreed with the mayor that taxes should rise.",
        "taxes should rise", ("Ann Berg", "named_person"),
    ),
    "a time something was reported at is no figure": (
        "Fire\n\nThe school burned down, Dale Radio reported. The blaze was reported at 6 a.m. on Sunday.",
        "The blaze was reported", ("author", "author"),
    ),
    "people surveyed by someone other than the poll speak for themselves": (
        "Road\n\nA Harbour-Quinn poll last month showed Ross ahead. The city council met on Monday. "
        "Residents surveyed by the council said the road was too noisy.",
        "road was too noisy", ("Residents surveyed by the council", "collective"),
    ),
    "`the statement` after another statement is not the first issuer's": (
        "Plan\n\nAccording to a statement by the Dale Foreign Ministry, the envoy will return. Later the "
        "Harbour Party issued a statement of its own. \u201cWe reject the plan,\u201d the statement said.",
        "We reject the plan", ("the statement", "named_organization"),
    ),
    "no official saying something makes no source": (
        "Bridge\n\nNo official said the bridge was unsafe.",
        "No official said", ("author", "author"),
    ),
    "an `it` opening a sentence is the body that was the subject of the sentence before": (
        "Talks\n\n\u201cThe proposals are no basis for a deal,\u201d the French foreign ministry said on "
        "Tuesday. Earlier, the German Foreign Office echoed a similar position. It said the proposals "
        "are \u201cnot a basis for a successful end to talks.\u201d",
        "successful end to talks", ("German Foreign Office", "named_organization"),
    ),
    "a ministry named by its nationality is that ministry": (
        "Talks\n\n\u201cThe proposals do not constitute a basis for any agreement,\u201d the French foreign "
        "ministry said on Tuesday.",
        "do not constitute a basis", ("French foreign ministry", "named_organization"),
    ),
    "a person named in the speaker's own words is not the `he` who says them": (
        "Book\n\nAuthor Tom Hale insisted that he interviewed the governor. \u201cI absolutely spoke to "
        "the governor,\u201d Hale said on NBC Friday morning as his book was being released.\n\n\u201cI "
        "have spent three hours with the governor over the course of the campaign and at the state house "
        "so my window into Paul Dorsey is pretty significant,\u201d he added.",
        "my window into Paul", ("Tom Hale", "named_person"),
    ),
    "news organizations are outlets, named without the aside that lists them": (
        "Debate\n\nSeveral other news organizations, including the Dale Post, said they would check the "
        "facts on air.",
        "check the facts on air", ("Several other news organizations", "outlet"),
    ),
    "`the statement` after a statement by a body is that body": (
        "Envoy\n\nThe envoy will return next week, according to a statement by the Ostland Foreign "
        "Ministry. \u201cThis comes in coordination with the Ministry of Trade of Velm,\u201d the "
        "statement added.",
        "in coordination with", ("Ostland Foreign Ministry", "named_organization"),
    ),
    "`the ministry` is the ministry that spoke last, not one it named": (
        "Envoy\n\nThe envoy will return next week, the Ostland Foreign Ministry said on Sunday. \u201cThis "
        "comes in coordination with the Ministry of Trade of Velm,\u201d it said. The ministry also "
        "confirmed that the embassy will reopen in May.",
        "embassy will reopen", ("Ostland Foreign Ministry", "named_organization"),
    ),
    "the legislation is a document": (
        "Law\n\nParliament passed a law last year. The legislation says that exports will resume once "
        "sanctions are lifted.",
        "exports will resume", ("The legislation", "document"),
    ),
    "a role in a place then the holder's name is the person": (
        "Trade\n\nEarlier in March, the Norwegian ambassador to Chile Anders Berg told reporters that "
        "trade could reach $5 billion.",
        "trade could reach", ("Anders Berg", "named_person"),
    ),
    "nobody saying something makes nobody a source": (
        "War\n\nNobody in the cabinet has said, \u201cWe cannot win this war.\u201d The minister said the "
        "war would end soon.",
        "Nobody in the cabinet", ("author", "author"),
    ),
    "a note from a bank is a document": (
        "Gold\n\n\u201cThe demand for gold is stronger than a year ago,\u201d says a new commodities note "
        "from the Harbour Bank.",
        "demand for gold is stronger", ("a new commodities note from the Harbour Bank", "document"),
    ),
    "the literature a campaign hands out is a document": (
        "Rally\n\nVolunteers handed out flyers at the rally. The literature says that every vote counts "
        "twice in the county.",
        "every vote counts", ("The literature", "document"),
    ),
    "a value reported with no reporter right after an outlet's report is that outlet's": (
        "Oil\n\nThe light crude price settled at $76.60 per barrel, Shana reported on Saturday. The "
        "average price was reported $66.91 since January.",
        "average price was reported", ("Shana", "outlet"),
    ),
    "`as reported` right after an outlet's report continues that outlet": (
        "Oil\n\nThe light crude price settled at $76.60 per barrel, Shana reported on Saturday. As "
        "reported, the heavy crude price also rose.",
        "heavy crude price also rose", ("Shana", "outlet"),
    ),
    "an event reported to have happened is the article's own report": (
        "Quake\n\nThe quake struck at noon, IRNA reported. More than 40 aftershocks have been reported.",
        "40 aftershocks", ("author", "author"),
    ),
    "a crosshead joined by two spaces is not part of the next sentence": (
        "Vaccine\n\nThe ministry approved the trial on Monday. The agency should approve it  Meanwhile, "
        "Ali Rezaei said that in total 40 vaccines are being developed.",
        "40 vaccines are being developed", ("Ali Rezaei", "named_person"),
    ),
    "a person named in what the last speaker said does not take the narrator's next `he`": (
        "Plant\n\nReza Moradi said the plant can restart in five days. Moradi added that the warning is "
        "based on data that President Ali Vaziri has. He also said, \u201cThe other side will regret "
        "breaking the deal.\u201d",
        "will regret breaking the deal", ("Reza Moradi", "named_person"),
    ),
    "`He said:` ending a paragraph tags the quotation in the next": (
        "Rally\n\nTom Hale brought this up at a rally in Tilby. He said:\n\n\u201cShe is against the "
        "plan. It would be very dangerous.\u201d\n\nEvery mayor benefits from the plan.",
        "very dangerous", ("Tom Hale", "named_person"),
    ),
    "the hearer a speaker told is not the next `he`": (
        "Debate\n\nTomas Berg on Monday was quiet about his running mate's plans. \u201cYou will see the "
        "same man tonight,\u201d the Ohio governor told WKBN's Paul Dorsey. He added: \u201cHe always "
        "speaks from the heart.\u201d",
        "always speaks from the heart", ("Tomas Berg", "named_person"),
    ),
    "a role before anyone spoke is the person last made a subject": (
        "Debate\n\nTomas Berg on Monday was quiet about his running mate's plans. \u201cYou will see the "
        "same man tonight,\u201d the Ohio governor told WKBN's Paul Dorsey.",
        "same man tonight", ("Tomas Berg", "named_person"),
    ),
    "a bare role is not the person last named": (
        "Court\n\nTom Hale was charged with arson on Friday. \u201cWe will seek the maximum sentence,\u201d "
        "the prosecutor said.",
        "maximum sentence", ("the prosecutor", "official_unnamed"),
    ),
    "a role is not a person the article gave another role": (
        "Debate\n\nSenator Tomas Berg on Monday was quiet about his plans. \u201cYou will see a change "
        "tonight,\u201d the governor said.",
        "see a change", ("the governor", "official_unnamed"),
    ),
    "a dateline credit glued to the first name is no part of it": (
        "Debate\n\n(WKBN)Tomas Berg on Monday was quiet about his plans, offering only a shrug. \u201cYou "
        "will see a change tonight,\u201d Berg said.",
        "see a change", ("Tomas Berg", "named_person"),
    ),
    "a name inside the last speaker's words does not take his next `he`": (
        "Languages\n\nEducation Minister Reza Bat'haei met Pavel Nikonov, the chairman of the committee, in "
        "Moscow. Nikonov for his part welcomed the idea, adding that Farsi is now taught in some "
        "universities. He said Russian schools should teach it too.",
        "Russian schools should teach it", ("Pavel Nikonov", "named_person"),
    ),
    "a person name the NER cut short is completed": (
        "Schools\n\nEducation Minister Reza Bat'haei met his counterpart in Moscow on Monday. The two "
        "schools will trade teachers next year, Bat'haei said.",
        "trade teachers", ("Reza Bat'haei", "named_person"),
    ),
    "what a plain speech verb reports at length is said": (
        "Ad\n\nThe league's chief adviser Chris Coxon said the ad \"underscores\" how Marsh's position "
        "creates \"one set of rules for her, and a different set for the rest of us.\"",
        "underscores", ("Chris Coxon", "named_person"),
    ),
    "`we'll see if` is no sighting": (
        "Reply\n\nForeign Minister Ali Rezaei replied on Twitter. \u201cWe\u2019ll see if the council is "
        "prepared to live up to the letter of the deal,\u201d he tweeted.",
        "live up to the letter", ("Ali Rezaei", "named_person"),
    ),
    "what a speaker could see makes an eyewitness": (
        "Fire\n\nThe warehouse burned for six hours on Sunday. \u201cI could see the flames from my kitchen "
        "window,\u201d said Paul Grant, who lives nearby.",
        "I could see the flames", ("Paul Grant", "eyewitness"),
    ),
    "an official given by role stays unnamed when nobody is named next": (
        "Visit\n\nTEHRAN \u2013 The president will visit Damascus in May, a senior official has said.\n\n"
        "The trip was planned last year.",
        "will visit Damascus", ("a senior official", "official_unnamed"),
    ),
    "a person named next who is no official does not take the official's words": (
        "Arrest\n\nThe driver fled the scene before dawn, a police spokesman said.\n\nPaul Grant, 34, was "
        "arrested at his home later that day.",
        "fled the scene", ("a police spokesman", "official_unnamed"),
    ),
    "a surname the tagger takes for a plural noun is the person named in full": (
        "Voters\n\nThe party cannot win on rural voters alone, according to GOP pollster Dale Ayres. "
        "\"That is the only way,\" Ayres told reporters.",
        "the only way", ("Dale Ayres", "named_person"),
    ),
    "the name before a role set off by commas speaks, though the parser made the role the subject": (
        "Troops\n\nTEHRAN - Reza Danaeefar, the former Iranian ambassador to Iraq, has said the troops must "
        "go home before the summer.",
        "go home before the summer", ("Reza Danaeefar", "named_person"),
    ),
    "a body's media office speaks for the body": (
        "Tankers\n\nThe navy had detained two tankers in the Gulf, the media office of the Harbour Guard "
        "Corps said on Friday.",
        "detained two tankers", ("Harbour Guard Corps", "named_organization"),
    ),
    "`based on` a record makes the record the source": (
        "Rain\n\nBased on the latest data released by the weather office, the province received 290 "
        "millimetres of rain this year.",
        "received 290 millimetres", ("the latest data", "document"),
    ),
    "`reportedly` rests the clause on reports": (
        "Letter\n\nThe council sent a sharp letter to the mill on Monday. The mayor himself is reportedly "
        "responsible for its tone.",
        "responsible for its tone", ("reports", "anonymous"),
    ),
    "a bare `as reported` rests the clause on reports": (
        "Trade\n\nThe new system sets the rate for importers. As reported, about 90 percent of the "
        "currency deals are done on the system.",
        "90 percent of the currency deals", ("reports", "anonymous"),
    ),
    "what figures are said to show, and `it also reveals` after it, is the record's": (
        "Rain\n\nThe province received 310 millimetres of rain this year. The numbers show a rise of 37 "
        "percent on last year. It also reveals a 12 percent rise on the long-term mean.",
        "12 percent rise", ("The numbers", "document"),
    ),
    "`according to` a policy or plan is no source": (
        "Talks\n\n\u201cAccording to the policies of our government, trade with our neighbours comes "
        "first,\u201d Ali Rostami said.",
        "trade with our neighbours", ("Ali Rostami", "named_person"),
    ),
    "a name inside the speaker's relative clause is not the speaker": (
        "Bridge\n\nThe bridge will reopen in May, said engineer Anna Kolbe. Kolbe, who once worked for "
        "Governor Tom Marsh, said the repairs cost $2 million.",
        "the repairs cost", ("Anna Kolbe", "named_person"),
    ),
    "`Sens.` does not end the sentence": (
        "Voters\n\nThe party needs new voters, according to GOP pollster Dale Myres. Myres, who worked with "
        "Sens. Ann Cole and Bo Diaz, warned that the party is working with a \"worn-out model.\"",
        "worn-out model", ("Dale Myres", "named_person"),
    ),
    "an infographic is a document": (
        "Jobs\n\nThe city lost 3,000 jobs last year, an infographic shared by the council claimed.",
        "lost 3,000 jobs", ("an infographic shared by the council", "document"),
    ),
    "a role serving a named person is not that person": (
        "Fires\n\nA spokesman for Governor Ann Hale said the fires were contained.",
        "the fires were contained", ("A spokesman for Governor Ann Hale", "official_unnamed"),
    ),
    "`as reported` inside the clause keeps its subject; `if reported` is no source": (
        "Prices\n\nPrices, as reported earlier, rose 5 percent in May. If reported, such cases go to "
        "the police.",
        "rose 5 percent", ("reports", "anonymous"),
    ),
    "`if reported` is no source": (
        "Cases\n\nIf reported, such cases are passed to the police.",
        "passed to the police", ("author", "author"),
    ),
        "`based on` after the clause gives a reason, not a source": (
        "Fired\n\nThe company fired the manager based on the audit.",
        "fired the manager", ("author", "author"),
    ),
    "a role, then the name, all one subject: the person speaks": (
        "Speech\n\nCommander of the Army Major General Hamid Rostami said on Monday that the border is "
        "secure.",
        "border is secure", ("Hamid Rostami", "named_person"),
    ),
    "an epithet refers back to the person last named": (
        "Pageant\n\nMaria Lopez, the former winner who Dale Marsh once mocked, was \u201cthe hardest "
        "contestant of all,\u201d the Denver billionaire said on Tuesday.",
        "the hardest contestant of all", ("Dale Marsh", "named_person"),
    ),
    "a title the name list also holds does not join a name": (
        "Jail\n\nSheriff Anne Hale and Paul Grant met at the jail on Monday. Grant talked about funding. "
        "She said the jail would stay open.",
        "the jail would stay open", ("Anne Hale", "named_person"),
    ),
    "what a poll has is the author's, not a finding": (
        "Race\n\nThe survey had 1,200 respondents in four counties. The mayor opened a bridge on Monday.",
        "1,200 respondents", ("author", "author"),
    ),
}


@pytest.mark.parametrize(
    ("text", "fragment", "innermost"), INNERMOST_CASES.values(), ids=INNERMOST_CASES.keys()
)
def test_innermost_source_by_rule(analyze_text, text: str, fragment: str, innermost: tuple[str, str]) -> None:
    r = analyze_text(text, outlet="The Dale Herald")
    assert hops(claim_with(r, fragment))[-1] == innermost



def test_an_outlet_the_ner_calls_a_person_stays_an_outlet_when_it_speaks_again(analyzer) -> None:
    # `From Politico:` tagged a person (as the NER did on a real article); `Politico speculates` later.
    from spacy.tokens import Span

    from sourcetrace.nlp.attribution.sources import SourceResolver

    text = "From Politico: the aide was shown an email. Politico speculates that it was about the ruling."
    with analyzer.nlp.select_pipes(disable=["sourcetrace"]):
        doc = analyzer.nlp(text)
    doc.ents = [Span(doc, 1, 2, label="PERSON")]
    second = text.rindex("Politico")
    entity = SourceResolver(doc).resolve((second, second + len("Politico")))
    assert (entity.name, str(entity.type)) == ("Politico", "outlet")



@pytest.mark.parametrize(
    ("line", "tag"),
    [("He said:", True), ("She went on to say:", True), ("The mayor added:", True), ("Holt replied:", True),
     ("She blamed the mayor, because of course:", False), ("Here is the list:", False),
     ("Key points:", False)],
)
def test_only_a_speech_tag_before_a_colon_joins_the_next_paragraphs_quotation(analyzer, line, tag) -> None:
    # `He said:` and a quotation as the next paragraph are one sentence; an aside before an excerpt is not.
    from sourcetrace.nlp.paragraphs import ends_with_speech_tag

    with analyzer.nlp.select_pipes(enable=["tok2vec", "tagger"]):  # the tags it runs with, no more
        doc = analyzer.nlp(line)
    assert ends_with_speech_tag(doc, doc[-1]) is tag


def test_plain_paragraphs_under_a_speech_tag_and_colon_are_the_speakers(analyze_text) -> None:
    # A reposted speech: no quotation marks, the tag's colon ends its paragraph.
    r = analyze_text(
        "Speech\n\nCandidate Tom Hale praised the victims at the convention. In his acceptance speech at "
        "the convention he said:\n\nOn Monday, we heard from three parents whose sons were killed by drunk "
        "drivers.\n\nThese families have no lobby to represent them.\n\nHere are the parents Hale "
        "mentioned, with pictures below.\n",
        outlet="Dale Post",
    )
    speaker = [("Dale Post", "outlet"), ("Tom Hale", "named_person")]
    assert hops(claim_with(r, "heard from three parents")) == speaker  # told by them: no eyewitness
    assert hops(claim_with(r, "no lobby to represent them")) == speaker
    # The author speaks again where the speaker is named.
    assert hops(claim_with(r, "Here are the parents"))[-1][1] == "author"


def test_a_column_printed_under_wrote_in_an_outlet_keeps_that_outlet_as_a_hop(analyze_text) -> None:
    r = analyze_text(
        "Telescopes\n\nInes Farkas, an astronomer, is worried about the cost of new telescopes. Farkas "
        "wrote in the Harbour Times as follows:\n\nEach new generation of \u201cflagship\u201d telescopes "
        "costs more than the last.\n\nA single telescope now takes a decade of the budget.\n",
        outlet="Dale Post",
    )
    expected = [("Dale Post", "outlet"), ("Harbour Times", "outlet"), ("Ines Farkas", "named_person")]
    assert hops(claim_with(r, "Each new generation")) == expected
    assert hops(claim_with(r, "decade of the budget")) == expected


def test_sentences_reporting_a_polls_results_are_the_polls(analyze_text) -> None:
    r = analyze_text(
        "Poll\n\nA new Harbour-Quinn poll released Friday puts Ann Ross 7 points ahead of Tom Dale among "
        "likely voters. That lead is smaller than the one she held in an earlier poll in August. Dale "
        "polled at 10 percent among young voters. Respondents preferred Ross on trade by a 52-42 margin. "
        "Fifty-seven percent of those reached said Ross has the experience to serve. The margin of error "
        "for all respondents was 2.7 points.",
        outlet="Dale Post",
    )
    for fragment in ("polled at 10 percent", "Respondents preferred Ross", "has the experience to serve"):
        assert hops(claim_with(r, fragment))[-1] == ("A new Harbour-Quinn poll", "document"), fragment
    # How the poll was made is the article's own report.
    assert hops(claim_with(r, "margin of error"))[-1][1] == "author"


def test_a_quoted_crosshead_joined_to_the_next_sentence_ends_at_its_closing_mark(analyzer) -> None:
    from sourcetrace.nlp.paragraphs import paragraph_boundaries

    doc = analyzer.nlp.make_doc(
        "The fight should go on.   \u2018Ostland lost a golden chance\u2019 The minister also said so."
    )
    paragraph_boundaries(doc)
    starts = [t.text for t in doc if t.is_sent_start]
    assert starts == ["The", "\u2018", "The"]  # the crosshead, then the sentence after its closing mark


def test_a_tag_with_content_of_its_own_opens_no_block(analyze_text) -> None:
    r = analyze_text(
        "Plan\n\nThe mayor said the plan has three parts:\n\nTaxes rise by 2 percent.\n\nIn other news, the "
        "Dale river flooded.\n",
        outlet="Dale Post",
    )
    assert hops(claim_with(r, "the plan has three parts"))[-1] == ("The mayor", "official_unnamed")
    assert hops(claim_with(r, "the Dale river flooded"))[-1][1] == "author"


def test_a_block_ends_where_someone_else_is_reported_or_the_speaker_named(analyze_text) -> None:
    r = analyze_text(
        "Talks\n\nIn a statement, the ministry said:\n\nThe talks with Velm failed.\n\nMeanwhile, the stock "
        "market in Dale fell, traders said.\n\nThe weather was mild.\n\nInes Farkas wrote in the Harbour "
        "Times as follows:\n\nThe port needs a new crane.\n\nFarkas's column drew 300 letters.\n",
        outlet="Dale Post",
    )
    assert hops(claim_with(r, "talks with Velm failed"))[-1] == ("the ministry", "named_organization")
    assert hops(claim_with(r, "The weather was mild"))[-1][1] == "author"
    assert hops(claim_with(r, "needs a new crane"))[-1] == ("Ines Farkas", "named_person")
    assert hops(claim_with(r, "column drew 300 letters"))[-1][1] == "author"
