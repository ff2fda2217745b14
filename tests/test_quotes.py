from sourcetrace.nlp.attribution.quotes import find_quotes


def texts(text):
    return [[text[s:e] for s, e in q.parts] for q in find_quotes(text)]


def test_straight_and_curly_quotes():
    text = 'He said "the levee held" and she said \u201cit did not.\u201d'
    assert texts(text) == [["the levee held"], ["it did not."]]


def test_quote_running_over_paragraphs_keeps_its_parts():
    text = "\u201cThe first part ends here.\n\n\u201cThe second part closes it,\u201d she said."
    assert texts(text) == [["The first part ends here.", "The second part closes it,"]]


def test_unclosed_quote_stops_at_paragraph_end():
    text = '"An unclosed remark here\n\nA normal paragraph.'
    assert texts(text) == [["An unclosed remark here"]]


def test_scare_quote_is_not_speech():
    text = 'Officials called the plan a "temporary measure" on Friday.'
    (quote,) = find_quotes(text)
    assert not quote.is_speech(text)


def test_a_curly_quote_closed_by_a_straight_mark_ends_there():
    # Scraped text mixes typography; the quote must not run on into the next paragraph's quote.
    text = 'Reyes said \u201cThe dam held. It will hold again."\nLater:\n\u201cWe were lucky,\u201d Ann said.'
    assert texts(text) == [["The dam held. It will hold again."], ["We were lucky,"]]
    # Paired straight marks are a quote inside the quote, not its end: the paragraph ends it.
    assert texts('\u201cHe said "no" twice.\n\nNext paragraph.') == [['He said "no" twice.']]


def test_a_straight_quote_closed_by_a_curly_mark_ends_there():
    # The reverse mix: the quote must not run on to the next straight mark, far down the article.
    text = '"The plant has produced more gas this year,\u201d the official said. Later he said "yes" twice.'
    assert texts(text) == [["The plant has produced more gas this year,"], ["yes"]]
    # A curly quote inside the straight one is paired inside it.
    nested = '"He called it \u201cfair\u201d twice," she said.'
    assert texts(nested) == [["He called it \u201cfair\u201d twice,"]]
