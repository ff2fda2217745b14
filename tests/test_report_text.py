"""The text rendering of a Report, on hand-built reports (no analyzer needed)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from sourcetrace.report.text import render
from sourcetrace.schema import (
    Attribution,
    ChainLink,
    Claim,
    Content,
    Document,
    HeadlineCheck,
    Hedge,
    Profile,
    Provenance,
    Report,
    Source,
    SourceMention,
    TextSpan,
)

# Invented article: a regional paper carrying a wire story that relays an unnamed official.
TEXT = (
    "Harbour bridge to close for a year\n"
    "PORTMERE (Reuters) - The Kestrel Bay harbour bridge may close for up to a year, "
    "a city official told reporters on Monday, citing a confidential engineering survey. "
    "Mayor Ada Lindqvist said the council would vote on Thursday."
)


def _span(fragment: str) -> TextSpan:
    start = TEXT.index(fragment)
    return TextSpan(text=fragment, start=start, end=start + len(fragment))


def _mention(fragment: str, source_id: str) -> SourceMention:
    span = _span(fragment)
    return SourceMention(text=span.text, start=span.start, end=span.end, source_id=source_id)


def _content(fragment: str) -> Content:
    span = _span(fragment)
    return Content(text=span.text, start=span.start, end=span.end)


def _claim(claim_id: str, fragment: str, chain: list[ChainLink], attribution_id: str | None,
           hedges: list[Hedge] | None = None, checkworthiness: float | None = None) -> Claim:
    span = _span(fragment)
    return Claim(id=claim_id, text=fragment, start=span.start, end=span.end, chain=chain,
                 attribution_id=attribution_id, hedges=hedges or [], checkworthiness=checkworthiness)


def _hedge(fragment: str, kind: str = "hedge") -> Hedge:
    span = _span(fragment)
    assert span.start is not None and span.end is not None
    return Hedge(text=fragment, start=span.start, end=span.end, kind=kind)


PUBLISHER = ChainLink(source_id="s0", name="The Portmere Gazette", type="outlet")
WIRE = ChainLink(source_id="s1", name="Reuters", type="outlet")
OFFICIAL = ChainLink(source_id="s2", name="a city official", type="official_unnamed", attribution_id="a1")
MAYOR = ChainLink(source_id="s3", name="Ada Lindqvist", type="named_person", attribution_id="a2")

CLOSURE = "The Kestrel Bay harbour bridge may close for up to a year"
VOTE = "the council would vote on Thursday"


def make_report(*, overstated: bool = True, claims: list[Claim] | None = None,
                warnings: list[str] | None = None, title: str | None = "Harbour bridge to close for a year",
                ) -> Report:
    attributions = [
        Attribution(id="a1", kind="indirect", cue=_span("told"), source=_mention("a city official", "s2"),
                    content=_content(CLOSURE), addressee=_mention("reporters", "s4"),
                    time=_span("on Monday"), confidence=0.91),
        Attribution(id="a2", kind="indirect", cue=_span("said"), source=_mention("Mayor Ada Lindqvist", "s3"),
                    content=_content(VOTE), confidence=0.97),
    ]
    sources = [
        Source(id="s0", name="The Portmere Gazette", type="outlet"),
        Source(id="s1", name="Reuters", type="outlet", mentions=[(TEXT.index("Reuters"),
                                                                  TEXT.index("Reuters") + 7)]),
        Source(id="s2", name="a city official", type="official_unnamed", role="official"),
        Source(id="s3", name="Ada Lindqvist", type="named_person", role="Mayor"),
    ]
    if claims is None:
        claims = [
            _claim("c1", CLOSURE, [PUBLISHER, WIRE, OFFICIAL], "a1", hedges=[_hedge("may")],
                   checkworthiness=0.83),
            _claim("c2", VOTE, [PUBLISHER, WIRE, MAYOR], "a2", hedges=[_hedge("would", "conditional")]),
        ]
    headline = HeadlineCheck(
        text=title,
        matched_claim_ids=["c1"],
        similarity=0.78,
        overstated=overstated,
        note="the body says 'may close', citing an unnamed official" if overstated else None,
        chain=[PUBLISHER, WIRE, OFFICIAL] if overstated else None,
    )
    return Report(
        document=Document(text=TEXT, title=title, outlet="The Portmere Gazette", wire="Reuters",
                          published="2024-05-06", author="Tomas Reyes", language="en"),
        attributions=attributions,
        sources=sources,
        claims=claims,
        profile=Profile(sources_by_type={"outlet": 2, "official_unnamed": 1, "named_person": 1},
                        claims=len(claims), unattributed_share=0.0, unnamed_innermost_share=0.5,
                        deepest_chain=3, distinct_innermost_sources=2),
        headline=headline,
        provenance=Provenance(tool_version="0.1.0", pipeline="en_core_web_sm", pipeline_version="3.8.0",
                              model_hashes={}, input_sha256="0" * 64),
        warnings=warnings or [],
    )


def _console(width: int = 120) -> Console:
    return Console(record=True, width=width, force_terminal=True, color_system="truecolor")


def _render_text(report: Report, width: int = 120, **kwargs: object) -> str:
    console = _console(width)
    render(report, console, **kwargs)  # type: ignore[arg-type]
    return console.export_text()


def test_headline_warning_shows_note_and_chain() -> None:
    text = _render_text(make_report(overstated=True))
    assert "Harbour bridge to close for a year" in text
    assert "⚠ Overstated: the body says 'may close', citing an unnamed official" in text
    warning_line = next(line for line in text.splitlines() if "rests on" in line)
    assert warning_line.index("The Portmere Gazette") < warning_line.index("Reuters") < \
        warning_line.index("a city official")


def test_overstated_without_note_explains_the_flag() -> None:
    report = make_report(overstated=True)
    report.headline.note = None
    text = _render_text(report)
    assert "Overstated: The headline states as fact what the article attributes or hedges" in text


def test_supported_headline_is_not_flagged() -> None:
    text = _render_text(make_report(overstated=False))
    assert "Overstated" not in text
    assert "supported by claim #1" in text
    assert "0.78" in text


def test_missing_headline_is_said_plainly() -> None:
    report = make_report(overstated=False, title=None)
    report.headline.matched_claim_ids = []
    assert "(no headline)" in _render_text(report)


def test_byline_lists_outlet_wire_date_and_author() -> None:
    text = _render_text(make_report())
    byline = next(line for line in text.splitlines() if "wire Reuters" in line)
    for part in ("The Portmere Gazette", "2024-05-06", "by Tomas Reyes"):
        assert part in byline


def test_profile_table_has_shares_and_types() -> None:
    text = _render_text(make_report())
    assert "Sourcing" in text
    assert "50%" in text  # unnamed innermost share
    assert "2 outlet" in text
    assert "1 unnamed official" in text
    assert "1 named person" in text


def test_each_claim_is_a_tree_from_publisher_to_innermost_with_cue_verbs() -> None:
    lines = _render_text(make_report(), full_chains=True).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#1 "))
    block = lines[start:start + 4]
    assert CLOSURE in block[0]
    assert "⚠ unnamed source" in block[0]
    assert "check-worthy 0.83" in block[0]
    assert "The Portmere Gazette" in block[1] and "outlet" in block[1]
    assert "Reuters" in block[2]
    assert "a city official" in block[3] and "unnamed official" in block[3] and "told" in block[3]
    # Tree guides indent each hop one level deeper than its relay.
    indents = [len(line) - len(line.lstrip(" │")) for line in block[1:]]
    assert indents == sorted(indents) and len(set(indents)) == 3

    mayor = next(i for i, line in enumerate(lines) if line.startswith("#2 "))
    assert "Ada Lindqvist" in lines[mayor + 3] and "said" in lines[mayor + 3]
    assert "⚠ unnamed source" not in lines[mayor]


def test_shared_outer_links_are_printed_once() -> None:
    lines = _render_text(make_report()).splitlines()
    heading = next(line for line in lines if line.startswith("Claims and their chains"))
    assert "all via The Portmere Gazette › Reuters › …" in heading
    start = next(i for i, line in enumerate(lines) if line.startswith("#1 "))
    assert "a city official" in lines[start + 1] and "told" in lines[start + 1]
    assert not any("Gazette" in line for line in lines[start:])


def test_a_claim_whose_chain_is_the_shared_prefix_keeps_its_innermost_source() -> None:
    wire_claim = _claim("c3", "Mayor Ada Lindqvist", [PUBLISHER, WIRE], None)
    claims = [
        _claim("c1", CLOSURE, [PUBLISHER, WIRE, OFFICIAL], "a1"),
        wire_claim,
    ]
    lines = _render_text(make_report(claims=claims)).splitlines()
    heading = next(line for line in lines if line.startswith("Claims and their chains"))
    assert "all via The Portmere Gazette › Reuters › …" in heading
    start = next(i for i, line in enumerate(lines) if line.startswith("#2 "))
    assert "Reuters (outlet)" in lines[start + 1]


def test_source_types_get_distinct_colours() -> None:
    console = _console()
    render(make_report(), console)
    html = console.export_html(inline_styles=True)
    # named person (green) and unnamed official (yellow) must not look the same
    person = html[html.index("named person") - 200:html.index("named person")]
    official = html[html.rindex("unnamed official") - 200:html.rindex("unnamed official")]
    assert person.rsplit("color:", 1)[1][:8] != official.rsplit("color:", 1)[1][:8]


def test_hedges_are_styled_inside_the_claim() -> None:
    console = _console()
    render(make_report(), console)
    html = console.export_html(inline_styles=True)
    underlined = re.findall(r'<span style="([^"]*underline[^"]*)">([^<]*)</span>', html)
    words = {text for _, text in underlined}
    assert "may" in words, "the hedge 'may' should be underlined"
    assert "would" in words, "the conditional 'would' should be underlined"
    assert "bridge" not in " ".join(words)


def test_long_claims_are_cut_with_an_ellipsis() -> None:
    long_text = TEXT[TEXT.index("The Kestrel"):]
    start = TEXT.index(long_text)
    claim = Claim(id="c9", text=long_text, start=start, end=start + len(long_text),
                  chain=[PUBLISHER, WIRE, OFFICIAL], attribution_id="a1")
    text = _render_text(make_report(claims=[claim]), max_claim_chars=40)
    line = next(line for line in text.splitlines() if line.startswith("#1 "))
    assert line.split("  ⚠")[0].rstrip().endswith("…")
    assert "Thursday" not in line


def test_no_claims_and_warnings() -> None:
    report = make_report(overstated=False, claims=[], warnings=["text looks like 'de', not English"])
    text = _render_text(report)
    assert "No claims found." in text
    assert "warning: text looks like 'de', not English" in text


@pytest.mark.parametrize("width", [60, 200])
def test_renders_at_any_width_without_losing_the_chain(width: int) -> None:
    text = _render_text(make_report(), width=width)
    assert "Ada Lindqvist" in text and "a city official" in text
    assert all(len(line) <= width for line in text.splitlines())


def test_plain_console_has_no_escape_codes() -> None:
    buffer = io.StringIO()
    render(make_report(), Console(file=buffer, width=100, color_system=None, force_terminal=False))
    out = buffer.getvalue()
    assert "\x1b[" not in out
    assert "a city official" in out
