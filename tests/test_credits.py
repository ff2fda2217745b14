"""Credits that put another outlet into every chain: reposts, excerpts, closing agency credits."""

from __future__ import annotations

from sourcetrace.nlp.attribution.credits import find_credits
from sourcetrace.nlp.attribution.outlet_names import outlet_key


def _hops(text: str, offset: int) -> list[str]:
    """The credited outlets covering `offset`, outermost first, as the chain would list them."""
    covering = [c for c in find_credits(text) if c.scope_start <= offset < c.scope_end]
    return [c.name for c in sorted(covering, key=lambda c: c.rank)]


def test_repost_line_covers_the_whole_article() -> None:
    text = (
        "The county will close two ferry routes in May.\n\n"
        "Officials blamed falling ticket sales.\n\n"
        "The post Ferry routes to close appeared first on Harbour Weekly."
    )
    assert _hops(text, 5) == ["Harbour Weekly"]
    credit = find_credits(text)[0]
    assert text[credit.line[0] : credit.line[1]].startswith("The post")


def test_nested_credits_put_the_one_printed_last_outermost() -> None:
    # A site reposting a blog that credits a third outlet prints its own source last.
    text = (
        "This article was originally published at Dale Monitor\n\n"
        "The reservoir is at its lowest level in a decade.\n\n"
        "Source: http://www.tarnblog.example.org/2016/06/reservoir-low.html"
    )
    assert _hops(text, text.index("reservoir")) == ["tarnblog.example.org", "Dale Monitor"]


def test_two_credits_of_one_outlet_are_one_hop_with_its_own_spelling() -> None:
    text = (
        "A bridge in Orvale was closed after cracks were found.\n\n"
        "Credit to Valley Courier\n\n"
        "Source: http://www.valleycourier.com/bridge-closed"
    )
    hops = _hops(text, 3)
    assert hops == ["Valley Courier"]
    assert outlet_key("Valley Courier") == outlet_key("www.ValleyCourier.com")


def test_closing_agency_credit_and_excerpt_scope() -> None:
    text = "Exports rose 12 percent, the minister said. (IRNA)"
    assert _hops(text, 0) == ["IRNA"]
    excerpt = (
        "The mayor spoke on Friday. From Lakeside Post: The council approved the budget. "
        "Taxes will rise. Lakeside Post also noted that the vote was close."
    )
    inside = excerpt.index("The council approved")
    after = excerpt.index("Lakeside Post also")
    assert _hops(excerpt, inside) == ["Lakeside Post"]
    assert _hops(excerpt, after) == []  # naming the outlet again is the reposting site's own voice
    assert _hops(excerpt, 0) == []


def test_a_place_or_a_closing_remark_in_brackets_is_no_credit() -> None:
    assert find_credits("The talks went on late into the night (as expected)") == []
    assert find_credits("The plant is in the Varna river valley.") == []


def test_an_excerpt_set_off_by_a_colon_covers_the_block_after_it() -> None:
    text = (
        "The Herald's own report was brief.\n\n"
        "There's more from the Courier report, and it does not read well:\n\n"
        "The mill closed in 2014. Forty workers lost their jobs.\n\n"
        "Our view is that the town deserved better."
    )
    assert _hops(text, text.index("The mill closed")) == ["Courier"]
    assert _hops(text, text.index("Forty workers")) == ["Courier"]
    assert _hops(text, text.index("Our view")) == []


def test_a_contributed_by_sentence_is_a_credit_and_its_full_stop_ends_the_name() -> None:
    text = (
        "The border fences will grow longer this year.\n\n"
        "This article has been contributed by Ridge Plan. Visit www.RidgePlan.com for more.\n\n"
        "Source: http://www.ridgeplan.com/headline-news/fences"
    )
    assert _hops(text, 5) == ["Ridge Plan"]


def test_an_outlet_that_has_excerpted_a_text_covers_what_follows() -> None:
    text = (
        "The critic has a new book out.\n\n"
        "The Valley courier has excerpted part of the book on the subject:\n\n"
        "The press corps has lost its way, the critic writes.\n"
    )
    assert _hops(text, text.index("The press corps")) == ["Valley courier"]
    assert _hops(text, 5) == []


def test_abbreviations_and_initials_stay_in_a_credited_name() -> None:
    assert _hops("The dam held.\n\nSource: St. Mary Valley Post", 3) == ["St. Mary Valley Post"]
    assert _hops("The dam held.\n\nContributed by J.D. Lorne", 3) == ["J.D. Lorne"]
    # A sentence that publishes a text is no excerpt credit unless it says it excerpted one.
    text = "Intro.\n\nThe Senate has published the full text of the bill:\n\nSection one applies.\n"
    assert _hops(text, text.index("Section")) == []
