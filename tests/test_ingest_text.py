"""Headline, byline and dateline parsing, metadata precedence, and the language guess."""

from __future__ import annotations

import pytest

from sourcetrace.errors import InputError
from sourcetrace.ingest import detect_language, document_from_text, split_headline
from sourcetrace.ingest.lang import language_warning

BODY = (
    "The Marlow county council voted on Tuesday to close two branch libraries, officials said. "
    "Residents who packed the chamber called the decision short-sighted."
)


# --- headline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, title",
    [
        (f"Council votes to close two libraries\n\n{BODY}", "Council votes to close two libraries"),
        # No blank line: more text directly after still makes the first line a headline.
        (f"Council votes to close two libraries\n{BODY}", "Council votes to close two libraries"),
        # A closing quote without punctuation before it is still an unpunctuated headline.
        (f'Mayor calls library cuts "a disgrace"\n\n{BODY}', 'Mayor calls library cuts "a disgrace"'),
        (f"   Libraries to close   \n\n\n{BODY}\n", "Libraries to close"),
    ],
)
def test_headline_is_moved_to_title(raw: str, title: str) -> None:
    doc = document_from_text(raw)
    assert doc.title == title
    assert doc.text == BODY


@pytest.mark.parametrize(
    "raw",
    [
        f"The council voted on Tuesday.\n\n{BODY}",  # ends with a full stop
        f"Will the libraries close?\n\n{BODY}",
        f"Officials said this:\n\n{BODY}",
        f'The mayor said "enough."\n\n{BODY}',  # punctuation inside a closing quote
        f"The mayor said “enough!”\n\n{BODY}",
        "Council votes to close two libraries",  # nothing after it: it is the text
        # A hard-wrapped paragraph: the first line continues in lowercase.
        "The Marlow county council voted on Tuesday to close\ntwo branch libraries, officials said.",
        "The council, which met on Tuesday,\nvoted to close two libraries.",
        # A dateline on its own line is not a headline.
        f"WASHINGTON (Reuters) -\n{BODY}",
    ],
)
def test_not_a_headline(raw: str) -> None:
    doc = document_from_text(raw)
    assert doc.title is None
    assert doc.text == raw.strip()


def test_split_headline_returns_rest() -> None:
    assert split_headline(f"Libraries to close\n\n{BODY}") == ("Libraries to close", BODY)
    assert split_headline(BODY) == (None, BODY)


def test_title_from_metadata_drops_a_repeated_first_line_only() -> None:
    doc = document_from_text(f"Libraries to close\n\n{BODY}", title="Libraries  to close")
    assert doc.title == "Libraries  to close"
    assert doc.text == BODY
    # A different first line stays: metadata gave the title, the line is article text.
    other = document_from_text(f"Libraries to close\n\n{BODY}", title="Cuts approved")
    assert other.title == "Cuts approved"
    assert other.text.startswith("Libraries to close\n")


def test_byline_sets_author_and_leaves_the_text() -> None:
    doc = document_from_text(f"Libraries to close\n\nBy Priya Nandakumar, Staff Reporter\n\n{BODY}")
    assert doc.author == "Priya Nandakumar"
    assert doc.text == BODY


def test_sentence_starting_with_by_is_not_a_byline() -> None:
    raw = "By Tuesday evening, the council had voted to close two libraries.\nResidents were angry."
    doc = document_from_text(raw)
    assert doc.author is None
    assert doc.text == raw


# --- dateline -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opening, outlet, wire",
    [
        ("WASHINGTON (Reuters) - ", None, "Reuters"),
        ("WASHINGTON (Reuters) – ", None, "Reuters"),
        ("LONDON, England (AP) — ", None, "AP"),
        ("NEW YORK, March 3 (Reuters) - ", None, "Reuters"),
        ("Port Ellis, Wessex (Agence France-Presse) -- ", None, "Agence France-Presse"),
        ("BERLIN (dpa) - ", None, "dpa"),
        ("(Reuters) - ", None, "Reuters"),
        ("Daily Ledger – ", "Daily Ledger", None),
        ("Daily Ledger - ", "Daily Ledger", None),
        ("The Marlow Gazette — ", "The Marlow Gazette", None),
        ("Reuters - ", "Reuters", None),
        ("BBC - ", "BBC", None),
        # A credit glued to the first sentence, no place, no dash: with no masthead known, the outlet.
        ("(Meridian Wire)", "Meridian Wire", None),
        # All-caps place names without an agency name no publisher.
        ("WASHINGTON - ", None, None),
        ("LONDON, England — ", None, None),
    ],
)
def test_dateline_names_outlet_or_wire_and_stays_in_text(
    opening: str, outlet: str | None, wire: str | None
) -> None:
    doc = document_from_text(opening + BODY)
    assert (doc.outlet, doc.wire) == (outlet, wire)
    assert doc.text == opening + BODY  # offsets index the text analysed, dateline included


@pytest.mark.parametrize(
    "raw",
    [
        "Police - who arrived late - said the road was closed.",  # no sentence after the dash
        "Anti-government protesters marched on Tuesday.",  # a hyphen, not a spaced dash
        "The mayor of the city - and her deputy - declined to comment.",
    ],
)
def test_no_dateline(raw: str) -> None:
    doc = document_from_text(raw)
    assert (doc.outlet, doc.wire) == (None, None)


def test_metadata_outlet_wins_over_bare_name() -> None:
    doc = document_from_text("Daily Ledger – " + BODY, outlet="Marlow Evening Post")
    assert (doc.outlet, doc.wire) == ("Marlow Evening Post", None)


def test_bare_wire_name_under_another_masthead_is_the_wire() -> None:
    doc = document_from_text("Reuters - " + BODY, outlet="Marlow Evening Post")
    assert (doc.outlet, doc.wire) == ("Marlow Evening Post", "Reuters")


def test_headline_then_dateline() -> None:
    raw = f"Libraries to close\n\nMARLOW, Wessex (Reuters) - {BODY}"
    doc = document_from_text(raw, outlet="Marlow Evening Post")
    assert doc.title == "Libraries to close"
    assert (doc.outlet, doc.wire) == ("Marlow Evening Post", "Reuters")
    assert doc.text.startswith("MARLOW, Wessex (Reuters) - ")


# --- metadata and errors --------------------------------------------------------------------------


def test_metadata_passes_through_and_none_is_not_given() -> None:
    doc = document_from_text(BODY, url="https://example.org/a", published="2024-05-01", outlet=None)
    assert doc.url == "https://example.org/a"
    assert doc.published == "2024-05-01"
    assert doc.outlet is None
    assert doc.language == "en"


def test_newlines_normalised_and_bom_dropped() -> None:
    doc = document_from_text("\ufeffLibraries to close\r\n\r\nFirst line.\r\nSecond line.\r\n")
    assert doc.title == "Libraries to close"
    assert doc.text == "First line.\nSecond line."


def test_unknown_metadata_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="headline"):
        document_from_text(BODY, headline="x")


@pytest.mark.parametrize("raw", ["", "   \n\t\n "])
def test_empty_text_is_an_input_error(raw: str) -> None:
    with pytest.raises(InputError, match="empty"):
        document_from_text(raw)


# --- language -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (BODY, "en"),
        (
            "Le conseil municipal a voté mardi la fermeture de deux bibliothèques, selon les élus. "
            "Les habitants ont dénoncé une décision à courte vue.",
            "fr",
        ),
        (
            "Der Stadtrat hat am Dienstag die Schließung von zwei Bibliotheken beschlossen, sagte ein "
            "Sprecher. Die Anwohner sind nicht zufrieden mit der Entscheidung.",
            "de",
        ),
        (
            "El ayuntamiento votó el martes el cierre de dos bibliotecas, según los concejales, y los "
            "vecinos criticaron la decisión.",
            "es",
        ),
        (
            "Городской совет во вторник проголосовал за закрытие двух библиотек, сообщили чиновники.",
            "ru",
        ),
        ("Libraries close.", None),  # too short to guess
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected


def test_language_stored_on_document_and_metadata_wins() -> None:
    french = "Le conseil municipal a voté mardi la fermeture de deux bibliothèques, selon les élus."
    assert document_from_text(french).language == "fr"
    assert document_from_text(french, language="en").language == "en"


def test_masthead_then_wire_dateline_names_both():
    from sourcetrace.ingest import parse_dateline

    dateline = parse_dateline(
        "The Kestrel Review – SALTMERE (Northgate Wire) – Two ferries collided on Friday."
    )
    assert (dateline.outlet, dateline.wire) == ("The Kestrel Review", "Northgate Wire")


def test_language_warning_names_the_language_and_spares_english() -> None:
    assert language_warning("en") is None
    assert language_warning(None) is None  # too short to tell: no warning rather than a guess
    assert "'de'" in language_warning("de")
    assert "not recognisably English" in language_warning("und")


def test_report_of_german_text_carries_the_warning(analyzer) -> None:
    german = (
        "Der Stadtrat hat am Dienstag beschlossen, zwei Bibliotheken zu schließen, sagte ein "
        "Sprecher. Die Anwohner sind nicht zufrieden mit der Entscheidung."
    )
    report = analyzer.analyze(document_from_text(german))
    assert report.document.language == "de"
    assert report.warnings == [language_warning("de")]
    english = analyzer.analyze(
        document_from_text("The council voted on Tuesday to close two libraries, a spokesman said.")
    )
    assert english.warnings == []


def test_a_no_break_space_ftfy_restores_from_mojibake_is_made_plain_too() -> None:
    from sourcetrace.ingest.repair import repair_text

    text, repairs = repair_text("The waitress Lena\u00c2\u00a0Ortiz served the governor on Sunday.")
    assert "\u00a0" not in text and "Lena Ortiz" in text
    assert any("no-break" in line for line in repairs)


@pytest.mark.parametrize(
    ("outlet", "wire"), [("Dale Post", "Meridian Wire"), ("Meridian Wire", None)]
)
def test_a_glued_credit_is_a_wire_unless_it_is_the_masthead(outlet: str, wire: str | None) -> None:
    # `(Wire)The ministry said ...`: another outlet's credit is a wire hop; the masthead's own is none.
    doc = document_from_text("(Meridian Wire)" + BODY, outlet=outlet)
    assert (doc.outlet, doc.wire) == (outlet, wire)


def test_a_credit_line_of_its_own_is_no_dateline() -> None:
    # A bracketed credit on a line of its own is read by the credit rules, not as a dateline wire.
    doc = document_from_text("Closures\n\n(Courtesy of Meridian Wire)\n\n" + BODY, outlet="Dale Post")
    assert (doc.outlet, doc.wire) == ("Dale Post", None)
