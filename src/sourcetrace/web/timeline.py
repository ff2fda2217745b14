"""Geometry of a claim's timeline chart: one row per outlet, one mark per report, over time.

The chart is inline SVG drawn by the `trace.html` template from these numbers (no charting library):
x is the publication time when every report has one, otherwise the order of appearance (undated
articles are ordered by ingest); a filled mark is a report that opens an independent line of
sourcing, a hollow one repeats sources an earlier report already used, and a dashed line joins it to
that earlier report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sourcetrace.corpus.queries import Trace

STATUS_COLOURS = {
    "independent": "#2a9d8f",
    "dependent": "#8d99ae",
    "unknown": "#e9c46a",
    "disputing": "#e76f51",
    "copy": "#b8b8d1",
}
LEFT, RIGHT, TOP, ROW, BOTTOM = 190, 80, 20, 34, 46
WIDTH = 860


@dataclass
class Mark:
    x: float
    y: float
    status: str
    colour: str
    filled: bool
    outlet: str
    when: str
    text: str
    line: int | None
    doc_id: str


@dataclass
class Link:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    axis_y: float
    rows: list[tuple[str, float]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    axis_label: str = ""
    left: int = LEFT
    right: int = WIDTH - RIGHT


def _positions(times: list[datetime | None]) -> tuple[list[float], list[Tick], str]:
    """x positions in 0..1 for each report, tick labels, and what the axis means."""
    n = len(times)
    if n and all(t is not None for t in times):
        dated = [t for t in times if t is not None]
        lo, hi = min(dated), max(dated)
        span = (hi - lo).total_seconds()
        xs = [((t - lo).total_seconds() / span) if span else 0.5 for t in dated]
        fmt = "%Y-%m-%d %H:%M" if span < 3 * 86400 else "%Y-%m-%d"
        ticks = [Tick(0.0, lo.strftime(fmt))] + ([Tick(1.0, hi.strftime(fmt))] if span else [])
        return xs, ticks, "publication time"
    xs = [(i / (n - 1)) if n > 1 else 0.5 for i in range(n)]
    ticks = [Tick(x, str(i + 1)) for i, x in enumerate(xs)] if n <= 20 else []
    return xs, ticks, "order of appearance (some articles have no date)"


def chart(trace: Trace) -> Chart:
    outlets = list(dict.fromkeys([r.outlet or "(unknown outlet)" for r in trace.reports]))
    row_y = {name: TOP + ROW * i + ROW / 2 for i, name in enumerate(outlets)}
    height = TOP + ROW * max(1, len(outlets)) + BOTTOM
    xs, ticks, axis = _positions([r.published for r in trace.reports])
    span = (WIDTH - RIGHT) - LEFT
    result = Chart(width=WIDTH, height=height, axis_y=TOP + ROW * max(1, len(outlets)) + 6, axis_label=axis)
    result.rows = [(name, y) for name, y in row_y.items()]
    result.ticks = [Tick(LEFT + t.x * span, t.label) for t in ticks]
    last_by_outlet: dict[str, Mark] = {}
    for report, x in zip(trace.reports, xs, strict=True):
        outlet = report.outlet or "(unknown outlet)"
        mark = Mark(
            x=LEFT + x * span, y=row_y[outlet], status=report.status,
            colour=STATUS_COLOURS.get(report.status, "#999999"),
            filled=report.status in ("independent", "disputing"), outlet=outlet,
            when=report.published.strftime("%Y-%m-%d %H:%M") if report.published else f"#{report.seq}",
            text=report.text, line=report.line, doc_id=report.doc_id,
        )
        for earlier in report.shares_with:
            before = last_by_outlet.get(earlier)
            if before is not None:
                result.links.append(Link(before.x, before.y, mark.x, mark.y))
        result.marks.append(mark)
        last_by_outlet[outlet] = mark
    return result
