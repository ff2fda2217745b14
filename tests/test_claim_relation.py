# ruff: noqa: E501 - one pair per line reads best
"""Claim relations on pairs written for these tests (not from the contrast set): a few per kind."""

from __future__ import annotations

import pytest

from sourcetrace import claim_relation, same_claim
from sourcetrace.matching.aliases import fold, same_entity
from sourcetrace.matching.quantities import conflicting_dates, conflicting_numbers, quantities

PAIRS = [
    # same: aliases, number forms, date forms
    ("same", "UK ministers will meet the strikers on Friday.", "British ministers will meet the strikers on Friday."),
    ("same", "Hezbollah claimed the drone attack on the depot.", "Hizbullah claimed the drone attack on the depot."),
    ("same", "The WHO said the vaccine was approved.", "The World Health Organization said the vaccine was approved."),
    ("same", "The bank cut its rate by half a point.", "The bank cut its rate by 50 basis points."),
    ("same", "The port handled three thousand containers.", "The port handled 3,000 containers."),
    ("same", "The ferry resumed sailing on 4 May.", "The ferry resumed sailing on May 4."),
    # contradicts: negation, refusal, antonym
    ("contradicts", "The harbour bridge will reopen in spring.", "The harbour bridge will not reopen in spring."),
    ("contradicts", "The board approved the takeover bid.", "The board refused to approve the takeover bid."),
    ("contradicts", "The regulator confirmed that the plant leaked.", "The regulator denied that the plant leaked."),
    ("contradicts", "Grain exports rose sharply last quarter.", "Grain exports fell sharply last quarter."),
    ("contradicts", "Inspectors said the water is safe to drink.", "Inspectors said the water is unsafe to drink."),
    # different: numbers, dates, places, roles
    ("different", "The mill will cut 300 jobs.", "The mill will cut 3,000 jobs."),
    ("different", "The referendum is set for 3 June.", "The referendum is set for 3 July."),
    ("different", "Floods displaced thousands of people in Kenya.", "Floods displaced thousands of people in Uganda."),
    ("different", "The dockers' union sued the port operator.", "The port operator sued the dockers' union."),
    # different: the same doer, another predicate (what matching words alone call the same claim)
    ("different", "The city council approved a new bus lane at its June session.", "The city council elected a new deputy mayor at its June session."),
    ("different", "Tarrow Mills announced record sales for the winter quarter.", "Tarrow Mills announced a hiring freeze for the winter quarter."),
    # different: roles through a passive and through `agreed to`
    ("different", "Mara Lind beat Petra Holm in the final round.", "Mara Lind was beaten by Petra Holm in the final round."),
    ("different", "Osprey Foods agreed to buy Lark Dairies for 90 million euros.", "Lark Dairies agreed to buy Osprey Foods for 90 million euros."),
    # different: another clock time; same: one time written two ways
    ("different", "The curfew in the old town ends at 6 a.m.", "The curfew in the old town ends at 6 p.m."),
    ("same", "The council vote starts at 2 p.m. on 9 March.", "The council vote starts at 14:00 on 9 March."),
    # different: two bodies that share only a common word of their names
    ("different", "Researchers at Brightmoor University mapped the glacier.", "Researchers at Ola University mapped the glacier."),
]


@pytest.mark.parametrize(("relation", "a", "b"), PAIRS)
def test_relation_of_written_pairs(relation: str, a: str, b: str) -> None:
    assert claim_relation([(a, b)]) == [relation]


def test_same_claim_is_relation_same() -> None:
    pairs = [(a, b) for _, a, b in PAIRS]
    assert same_claim(pairs) == [r == "same" for r in claim_relation(pairs)]


def test_relation_is_symmetric_on_polarity() -> None:
    a, b = "The mayor resigned on Monday.", "The mayor did not resign on Monday."
    assert claim_relation([(a, b), (b, a)]) == ["contradicts", "contradicts"]


def test_double_negation_supports() -> None:
    a = "The dam has developed cracks."
    b = "Engineers denied that the dam has not developed cracks."
    assert claim_relation([(a, b)]) == ["same"]


def test_halves_and_clock_times_are_read_as_one_figure_or_time() -> None:
    assert quantities("a budget of four and a half billion dollars").numbers == {4.5e9}
    assert quantities("inflation of three and a half per cent").numbers == {3.5}
    assert quantities("a two-and-a-half-kilometre wall").numbers == {2500.0}  # in metres, as `2.5 km`
    assert quantities("at noon").times == quantities("at 12:00").times == {720}
    assert quantities("at 3.40am").times == quantities("at 03:40").times == {220}
    assert quantities("at 9 p.m.").numbers == frozenset()  # a time, not the figure 9


def test_transliterated_names_still_meet_and_short_words_count() -> None:
    assert same_entity("Yusuf al-Khatib", "Youssef Al Khateeb")
    assert not same_entity("Brightmoor University", "Ola University")  # `l` must meet too


def test_quantities_normalise_forms() -> None:
    assert quantities("1.2 million voters").numbers == quantities("1,200,000 voters").numbers
    assert quantities("a quarter of a percentage point").numbers == quantities("25 basis points").numbers
    assert quantities("$3bn").numbers == quantities("3 billion dollars").numbers
    assert not conflicting_numbers(quantities("killed 15 and wounded 40"), quantities("killed 15"))
    assert conflicting_numbers(quantities("15 dead"), quantities("50 dead"))


def test_dates_compare_by_parts() -> None:
    assert not conflicting_dates(quantities("on 3 June 2025"), quantities("on June 3"))
    assert conflicting_dates(quantities("on 3 June 2025"), quantities("on 3 June 2024"))
    assert not quantities("it may rain").dates


def test_aliases() -> None:
    assert same_entity("Britain", "UK") and same_entity("Dutch", "Netherlands")
    assert same_entity("IAEA", "International Atomic Energy Agency")
    assert fold("Qadhafi") == fold("Gaddafi")
    assert not same_entity("Ghana", "Guinea")
    assert not same_entity("Indian", "Indiana")


def test_bad_pairs_raise_type_error() -> None:
    with pytest.raises(TypeError):
        claim_relation([("only one",)])  # type: ignore[list-item]


def test_relative_days_are_read_against_the_publication_date() -> None:
    from datetime import date

    from sourcetrace.matching.relation import explain_pairs

    sunday = "The ferry ran aground off Kelby Point on Sunday."
    first_march = "The ferry ran aground off Kelby Point on 1 March."
    later = "The ferry ran aground off Kelby Point on 22 February."
    monday = date(2026, 3, 2)  # the Sunday before is 1 March
    found = explain_pairs([(sunday, first_march), (sunday, later)], dated=[(monday, None), (monday, None)])
    assert [e.relation for e in found] == ["same", "different"]
    undated = explain_pairs([(sunday, later)])
    assert undated[0].relation == "same"  # without the date, "Sunday" cannot be placed


def test_durations_count_in_their_unit_and_seasons_are_dates() -> None:
    assert quantities("the works will take two years").numbers == quantities("a 24-month job").numbers
    assert conflicting_numbers(quantities("jailed for eight years"), quantities("jailed for eight months"))
    assert conflicting_dates(quantities("reopens in the spring"), quantities("reopens this fall"))
    assert not conflicting_dates(quantities("reopens in the autumn"), quantities("reopens this fall"))
    assert claim_relation([
        ("The arsonist was sentenced to eight years in prison.", "The arsonist was sentenced to eight months in prison."),
        ("The Dale library will reopen in the spring.", "The Dale library will reopen in the autumn."),
    ]) == ["different", "different"]


def test_one_figure_in_words_or_digits_is_the_same_claim() -> None:
    assert claim_relation([
        ("The new Hollins stadium will seat 45,000 spectators.",
         "The new Hollins stadium will seat forty-five thousand spectators."),
    ]) == ["same"]


def test_units_durations_quarters_and_date_forms_read_alike() -> None:
    assert quantities("a 3 km stretch").numbers == quantities("three kilometres of road").numbers
    assert quantities("a 5 MW plant").numbers == quantities("a five-megawatt plant").numbers
    assert quantities("in three hours and ten minutes").numbers == quantities("in 3h 10min").numbers
    assert quantities("by Q2 2025").dates == quantities("by the second quarter of 2025").dates
    assert conflicting_dates(quantities("sales fell in Q1 2024"), quantities("sales fell in Q3 2024"))
    assert quantities("3h10min").numbers == {190.0}
    assert not quantities("between 20 and 30 may die").dates
    assert quantities("shut from 3 to 7 May").dates == quantities("shut from May 3rd until May 7th").dates
    assert quantities("on 30/11/2024").dates == quantities("on 30 November 2024").dates
    assert not conflicting_dates(quantities("on 11/30/2024"), quantities("on November 30, 2024"))


def test_a_reworded_claim_with_the_same_figures_and_names_is_the_same_claim() -> None:
    assert claim_relation([
        ("The storm destroyed about 2,000 homes along the Tarn estuary last week.",
         "Roughly two thousand houses on the Tarn estuary were destroyed by the storm."),
        # The same figure about another place is still another fact.
        ("The storm destroyed about 2,000 homes along the Tarn estuary last week.",
         "Roughly two thousand houses in Velmor were destroyed by the storm."),
    ]) == ["same", "different"]
