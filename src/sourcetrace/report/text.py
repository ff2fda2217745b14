"""Render a Report for a terminal with rich: headline check, sourcing profile, each claim's chain.

The layout reads top-down the way a fact-checker works: is the headline supported, who is this outlet
leaning on overall, and then claim by claim, through whom each one reaches the reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from sourcetrace.nlp.framing.labels import technique_label
from sourcetrace.schema import (
    UNNAMED_TYPES,
    ChainLink,
    Claim,
    FramingSpan,
    HeadlineCheck,
    Hedge,
    Reliability,
    Report,
    SourceType,
)

#: One colour per source type, so the kind of evidence behind a claim is visible at a glance:
#: warm colours for sources the reader cannot identify, cool ones for named and checkable sources.
TYPE_STYLES: dict[str, str] = {
    SourceType.OUTLET: "bold blue",
    SourceType.NAMED_PERSON: "green",
    SourceType.NAMED_ORGANIZATION: "cyan",
    SourceType.OFFICIAL_UNNAMED: "yellow",
    SourceType.ANONYMOUS: "bold red",
    SourceType.EYEWITNESS: "magenta",
    SourceType.DOCUMENT: "bright_cyan",
    SourceType.COLLECTIVE: "dark_orange",
    SourceType.AUTHOR: "bright_black",
}

RATING_STYLES = {"reliable": "green", "mixed": "yellow", "unreliable": "bold red"}

TYPE_LABELS: dict[str, str] = {
    SourceType.OUTLET: "outlet",
    SourceType.NAMED_PERSON: "named person",
    SourceType.NAMED_ORGANIZATION: "named organisation",
    SourceType.OFFICIAL_UNNAMED: "unnamed official",
    SourceType.ANONYMOUS: "anonymous",
    SourceType.EYEWITNESS: "eyewitness",
    SourceType.DOCUMENT: "document",
    SourceType.COLLECTIVE: "collective",
    SourceType.AUTHOR: "author",
}

HEDGE_STYLES: dict[str, str] = {
    "hedge": "italic yellow underline",
    "reporting": "italic cyan underline",
    "scare_quote": "italic magenta underline",
    "so_called": "italic magenta underline",
    "conditional": "italic yellow underline",
}

#: Propaganda-technique spans inside a claim: red underline, distinct from the hedges' italics.
FRAMING_STYLE = "red underline"

#: Claims longer than this are cut with an ellipsis; the JSON report always has the full text.
MAX_CLAIM_CHARS = 280


def type_style(source_type: str) -> str:
    return TYPE_STYLES.get(source_type, "white")


def type_label(source_type: str) -> str:
    return TYPE_LABELS.get(source_type, str(source_type).replace("_", " "))


def _cue_verbs(report: Report) -> dict[str, str]:
    return {a.id: a.cue.text for a in report.attributions}


def _rating_text(rating: Reliability | None) -> Text:
    """`reliable 0.95`, coloured by band; empty when the outlet is not in the rating table."""
    if rating is None or rating.score is None:
        return Text()
    style = RATING_STYLES.get(rating.label or "", "dim")
    return Text.assemble((" · ", "dim"), (f"{rating.label} {rating.score:.2f}", style))


def _link_text(link: ChainLink, cues: dict[str, str], ratings: dict[str, Reliability] | None = None) -> Text:
    """A tree node: `name (type) · cue`, the type coloured so unnamed sources stand out."""
    if link.type == SourceType.AUTHOR:
        # The chain ends at the outlet itself: nobody else is credited.
        return Text.assemble(("unattributed", "bold " + type_style(link.type)),
                             (" · the article's own assertion", "dim"))
    text = Text()
    text.append(link.name, style="bold")
    text.append(" (", style="dim")
    text.append(type_label(link.type), style=type_style(link.type))
    text.append(")", style="dim")
    cue = cues.get(link.attribution_id or "")
    if cue:
        text.append(" · ", style="dim")
        text.append(cue, style="italic")
    text.append_text(_rating_text((ratings or {}).get(link.source_id)))
    return text


def _join(parts: Iterable[Text], separator: str) -> Text:
    # Text.join would give the whole result the separator's style; only the separators are dim here.
    out = Text()
    for i, part in enumerate(parts):
        if i:
            out.append(separator, style="dim")
        out.append_text(part)
    return out


def _chain_inline(chain: Sequence[ChainLink], cues: dict[str, str]) -> Text:
    """A one-line chain, `Outlet › Wire › source (cue)`: names coloured by type, no labels, to stay short."""
    parts = []
    for link in chain:
        part = Text()
        part.append(link.name, style=type_style(link.type))
        cue = cues.get(link.attribution_id or "")
        if cue:
            part.append(f" ({cue})", style="italic dim")
        parts.append(part)
    return _join(parts, " › ")


def _highlight_hedges(text: Text, claim_text: str, offset: int, hedges: Iterable[Hedge]) -> None:
    """Style each hedge inside `text`, which shows `claim_text` starting at document offset `offset`."""
    for hedge in hedges:
        start = hedge.start - offset
        end = hedge.end - offset
        if not (0 <= start < end <= len(claim_text)) or claim_text[start:end] != hedge.text:
            # Offsets disagree with the text shown (e.g. a normalised claim): fall back to a search.
            start = claim_text.find(hedge.text) if hedge.text else -1
            if start < 0:
                continue
            end = start + len(hedge.text)
        text.stylize(HEDGE_STYLES.get(hedge.kind, "italic underline"), start, end)


def _claim_framing(claim: Claim, framing: Sequence[FramingSpan]) -> list[FramingSpan]:
    """Technique spans that overlap the claim."""
    return [f for f in framing if f.start < claim.end and f.end > claim.start]


def _highlight_framing(text: Text, claim: Claim, framing: Iterable[FramingSpan]) -> None:
    """Colour each technique span (clipped to the claim) so the loaded wording stands out inline."""
    for span in framing:
        start = max(span.start, claim.start) - claim.start
        end = min(span.end, claim.end) - claim.start
        if 0 <= start < end <= len(claim.text):
            text.stylize(FRAMING_STYLE, start, end)


def _framing_line(spans: Sequence[FramingSpan]) -> Text:
    """`⚑ loaded language "disgraceful" · flag-waving "our great nation"` under a claim."""
    parts = []
    for span in spans:
        quoted = span.text if len(span.text) <= 40 else span.text[:39] + "…"
        parts.append(Text.assemble((technique_label(span.technique), "bold red"), (f' "{quoted}"', "dim")))
    line = Text("⚑ ", style="red")
    line.append_text(_join(parts, " · "))
    return line


def _claim_text(claim: Claim, max_chars: int, framing: Sequence[FramingSpan] = ()) -> Text:
    text = Text(claim.text)
    _highlight_framing(text, claim, framing)
    _highlight_hedges(text, claim.text, claim.start, claim.hedges)
    if len(claim.text) > max_chars:
        text = text[:max_chars]
        text.rstrip()
        text.append("…", style="dim")
    return text


def _claim_numbers(report: Report) -> dict[str, int]:
    # Claim ids are stable hashes, too long to read; the text report numbers claims in order instead.
    return {claim.id: number for number, claim in enumerate(report.claims, 1)}


def _headline_panel(report: Report, cues: dict[str, str]) -> Panel:
    headline: HeadlineCheck = report.headline
    title = headline.text or report.document.title
    body: list[RenderableType] = []
    body.append(Text(title, style="bold") if title else Text("(no headline)", style="dim italic"))

    if headline.overstated:
        warning = Text("⚠ ", style="bold red")
        warning.append("Overstated: ", style="bold red")
        # The analyzer's note already names the sources; without one, say what the flag means.
        note = headline.note or "the headline states as fact what the article attributes or hedges"
        warning.append(note[:1].upper() + note[1:] if headline.note is None else note, style="red")
        body.append(warning)
        if headline.chain:
            rests_on = Text()
            rests_on.append("  rests on ", style="dim")
            rests_on.append_text(_chain_inline(headline.chain, cues))
            body.append(rests_on)
        border = "red"
    elif headline.matched_claim_ids:
        ok = Text("✓ ", style="green")
        numbers = _claim_numbers(report)
        refs = [f"#{numbers[i]}" if i in numbers else i for i in headline.matched_claim_ids]
        ok.append("supported by claim " + ", ".join(refs), style="green")
        if headline.similarity is not None:
            ok.append(f" (similarity {headline.similarity:.2f})", style="dim")
        if headline.note:
            ok.append(f" · {headline.note}", style="dim")
        body.append(ok)
        border = "green"
    else:
        if headline.note:
            body.append(Text(headline.note, style="dim"))
        border = "bright_black"
    return Panel(Group(*body), box=box.ROUNDED, border_style=border, padding=(0, 1), expand=True,
                 title="headline", title_align="left")


def _byline(report: Report) -> Text | None:
    document = report.document
    parts: list[Text] = []
    if document.outlet:
        outlet = Text(document.outlet, style=type_style(SourceType.OUTLET))
        outlet.append_text(_rating_text(document.outlet_reliability))
        parts.append(outlet)
    if document.wire:
        parts.append(Text.assemble(("wire ", "dim"), (document.wire, "bold")))
    if document.published:
        parts.append(Text(document.published))
    if document.author:
        parts.append(Text.assemble(("by ", "dim"), document.author))
    where = document.final_url or document.url or document.path
    if where:
        parts.append(Text(where, style="dim underline"))
    if not parts:
        return None
    return _join(parts, " · ")


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _sources_line(report: Report, width: int) -> Text:
    """`sources  2 outlet · 1 named person ...`, wrapped between items so no label is split."""
    prefix = "sources  "
    items = [
        Text.assemble((f"{count} ", "bold"), (type_label(kind), type_style(kind)))
        for kind, count in sorted(report.profile.sources_by_type.items(), key=lambda kv: (-kv[1], kv[0]))
        if count
    ]
    line = Text()
    line.append(prefix, style="dim")
    if not items:
        return line.append("none", style="dim")
    column = len(prefix)
    for i, item in enumerate(items):
        separator = " · " if i else ""
        if i and column + len(separator) + len(item) > width:
            line.append("\n" + " " * len(prefix))
            column = len(prefix)
        elif separator:
            line.append(separator, style="dim")
            column += len(separator)
        line.append_text(item)
        column += len(item)
    return line


def _profile_table(report: Report) -> Table:
    profile = report.profile
    table = Table(
        box=box.SIMPLE_HEAD, show_edge=False, header_style="bold", pad_edge=False,
        title="Sourcing", title_style="bold", title_justify="left",
    )
    table.add_column("claims", justify="right")
    table.add_column("unattributed", justify="right")
    table.add_column("rest on unnamed", justify="right")
    table.add_column("deepest chain", justify="right")
    table.add_column("innermost sources", justify="right")
    # Half or more of the claims resting on people the reader cannot identify is worth a red flag.
    unnamed_style = "bold red" if profile.unnamed_innermost_share >= 0.5 else ""
    table.add_row(
        str(profile.claims),
        _percent(profile.unattributed_share),
        Text(_percent(profile.unnamed_innermost_share), style=unnamed_style),
        str(profile.deepest_chain),
        str(profile.distinct_innermost_sources),
    )
    return table


def _techniques_line(report: Report) -> Text:
    """`techniques  3 loaded language · 1 flag-waving · loaded language 1.2 per 100 words`."""
    line = Text("techniques  ", style="dim")
    counts = report.profile.technique_counts
    if not counts:
        return line.append("none found", style="dim")
    items = [
        Text.assemble((f"{n} ", "bold"), (technique_label(t), "red"))
        for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    line.append_text(_join(items, " · "))
    density = report.profile.loaded_language_per_100_words
    line.append(f" · loaded language {density:.1f} per 100 words", style="dim")
    return line


def shared_prefix(claims: Sequence[Claim]) -> list[ChainLink]:
    """The outer links every claim's chain starts with (typically publisher and wire)."""
    if not claims:
        return []
    first = claims[0].chain
    length = min(len(c.chain) for c in claims)
    n = 0
    while n < length and all(c.chain[n].source_id == first[n].source_id for c in claims):
        n += 1
    return list(first[:n])


def _claim_tree(
    claim: Claim,
    number: int,
    cues: dict[str, str],
    max_chars: int,
    skip: int = 0,
    ratings: dict[str, Reliability] | None = None,
    framing: Sequence[FramingSpan] = (),
) -> Tree:
    techniques = _claim_framing(claim, framing)
    text = _claim_text(claim, max_chars, techniques)
    innermost = claim.chain[-1] if claim.chain else None
    if innermost is not None and innermost.type in UNNAMED_TYPES:
        text.append("  ⚠ unnamed source", style="yellow")
    if claim.checkworthiness is not None and claim.checkworthiness >= 0.5:
        text.append(f"  check-worthy {claim.checkworthiness:.2f}", style="bold magenta")
    # A grid gives long claims a hanging indent under their number instead of wrapping to column 0.
    label = Table.grid(padding=(0, 1))
    label.add_column(no_wrap=True)
    label.add_column()
    label.add_row(Text(f"#{number}", style="bold bright_black"), text)
    if techniques:
        label.add_row(Text(""), _framing_line(techniques))
    tree = Tree(label, guide_style="bright_black")
    node = tree
    # Never hide the innermost source, even when the whole chain is the shared one.
    for link in claim.chain[min(skip, max(len(claim.chain) - 1, 0)):]:
        node = node.add(_link_text(link, cues, ratings))
    return tree


def render(
    report: Report, console: Console, *, max_claim_chars: int = MAX_CLAIM_CHARS, full_chains: bool = False
) -> None:
    """Print `report` to `console`: headline check, byline, sourcing profile, then every claim's chain.

    The outer links all chains share (publisher, wire) are printed once above the claims rather than
    in every tree; `full_chains=True` repeats them in each tree.
    """
    cues = _cue_verbs(report)
    ratings = {s.id: s.reliability for s in report.sources if s.reliability is not None}
    console.print(_headline_panel(report, cues))
    byline = _byline(report)
    if byline is not None:
        console.print(byline)
    for warning in report.warnings:
        console.print(Text.assemble(("warning: ", "bold yellow"), (warning, "yellow")))
    console.print()
    console.print(_profile_table(report))
    console.print(_sources_line(report, console.width))
    console.print(_techniques_line(report))
    console.print()

    if not report.claims:
        console.print(Text("No claims found.", style="dim italic"))
        return
    prefix = [] if full_chains or len(report.claims) < 2 else shared_prefix(report.claims)
    heading = Text()
    heading.append("Claims and their chains", style="bold")
    if prefix:
        heading.append("  all via ", style="dim")
        heading.append_text(_chain_inline(prefix, cues))
        heading.append(" › …", style="dim")
    else:
        heading.append(" (publisher › … › innermost source)", style="dim")
    console.print(heading)
    for number, claim in enumerate(report.claims, 1):
        console.print(_claim_tree(claim, number, cues, max_claim_chars, skip=len(prefix), ratings=ratings,
                                  framing=report.framing))
