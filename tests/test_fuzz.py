"""Arbitrary text must never crash the analyzer: it returns a valid Report or raises InputError."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import sourcetrace
from sourcetrace.errors import InputError
from sourcetrace.model import Report

# Plain unicode, plus news-shaped pieces (quotes, speech verbs, datelines) so the attribution code paths
# are exercised, not only the tokenizer.
NEWS_BITS = st.sampled_from([
    '"', "“", "”", "'", "‘", "’", " said ", " told ", " according to ", ", officials said.",
    "(Reuters) - ", "LONDON — ", "\n\n", "\n", " the minister ", " sources ", " reportedly ",
    " may ", ". ", ",", " — ", "«", "»", "\u200b", "\ufeff", "\r\n", "\t",
])
TEXTS = st.lists(st.one_of(st.text(max_size=40), NEWS_BITS), max_size=30).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("ACCORDinG TO 000")  # found by this test: 'according to' followed by no source tokens
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        report = sourcetrace.analyze(text)
    except InputError:
        return  # empty / whitespace-only / no article text: a user error, reported cleanly
    assert isinstance(report, Report)
    body = report.document.text
    for claim in report.claims:
        assert body[claim.start:claim.end] == claim.text
    for attribution in report.attributions:
        for span in (attribution.cue, attribution.source, attribution.content):
            if span.start is not None and span.end is not None:
                assert body[span.start:span.end] == span.text
    # The JSON form must always be producible.
    assert Report.model_validate_json(report.to_json()).document.text == body
