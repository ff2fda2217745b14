"""A claim's chain drawn as SVG, laid out here in Python: no system program, no JavaScript library.

A chain (publisher, wire, relays, innermost source) is a path, and several chains that start alike
form a small tree; a tree needs no general graph-layout engine. The layout is layered top to bottom,
one layer per hop: each subtree gets a column as wide as its widest part, children sit side by side
under their parent, and a parent is centred over its children. Edges are drawn as right-angled
connectors (straight down for a plain chain) ending in an arrowhead, with the speaking cue
("said", "told") beside the last leg into the source it introduces.

Text is measured with Helvetica's advance widths (Arial and Liberation Sans, the usual Linux
stand-in, share them), so boxes fit their text without a font library; long names wrap onto at most
`MAX_NAME_LINES` lines and are cut with an ellipsis after that; the whole name is in the node's
`<title>` (the tooltip). Output is deterministic: the same chain gives the same bytes.

The browser never sees article text as markup: every string goes through XML escaping into text
content or a double-quoted attribute, characters XML cannot carry are replaced, and the page imports
the SVG through an XML parser with an element/attribute allow-list (static/graph.js). So the output
keeps to that list: no <tspan>, no markers, no style sheet.

Chains are short (at most 40 links of at most 500 characters), so a layout takes well under a
millisecond per node and runs inline.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from pydantic import BaseModel, ConfigDict, Field

from sourcetrace.schema import SourceType

#: Fill colour per source type; static/app.css uses the same colours for the highlight layer (a test
#: checks they agree).
TYPE_COLOURS: dict[str, str] = {
    "outlet": "#8ecae6",
    "named_person": "#a7d676",
    "named_organization": "#c3b1e1",
    "official_unnamed": "#ffd166",
    "anonymous": "#f4978e",
    "eyewitness": "#f7b267",
    "document": "#cfd8dc",
    "collective": "#b5ead7",
    "author": "#e0e0e0",
}


class GraphNode(BaseModel):
    """One link of a chain, as the page sends it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=500, description="Source name as written.")
    type: SourceType
    cue: str | None = Field(None, max_length=200, description="Verb through which this source speaks.")
    reliability_label: str | None = Field(None, max_length=40, description="Outlet rating label.")
    reliability_score: float | None = Field(None, ge=0.0, le=1.0, description="Outlet rating 0..1.")


class ChainGraphRequest(BaseModel):
    """A chain, publisher first, innermost source last."""

    model_config = ConfigDict(extra="forbid")

    chain: list[GraphNode] = Field(min_length=1, max_length=40)


# ----------------------------------------------------------------------------------- dimensions

#: Helvetica and fonts with its metrics (Arial; on Linux Liberation Sans, Arimo, Nimbus Sans), so the
#: measured widths hold. A system with none of them falls back to its sans-serif; DejaVu Sans, the usual
#: one, runs about 15% wider, so there the longest name lines can run past the box edges.
FONT_FAMILY = "Helvetica, Arial, 'Liberation Sans', Arimo, 'Nimbus Sans', sans-serif"
NAME_SIZE = 13  # px, bold
DETAIL_SIZE = 11  # px: type and rating lines, cues
LINE_GAP = 4  # px between text lines
PAD_X, PAD_Y = 10, 7  # inside a box
MIN_BOX_W = 110
MAX_NAME_W = 230  # px of name text per line
MAX_NAME_LINES = 3
MAX_CUE_W = 150  # px of cue text
SIBLING_GAP = 24  # px between neighbouring subtrees
LAYER_GAP = 44  # px from the bottom of a layer to the top of the next
BUS_DROP = 14  # px below a parent layer where connectors to several children turn
CUE_OFFSET = 6  # px from a connector to its cue
ARROW_LEN, ARROW_HALF = 8, 4
MARGIN = 8
STROKE = "#455a64"
TEXT = "#1b262c"
DETAIL_TEXT = "#37474f"
#: Estimated widths run this much over Helvetica's, so a slightly wider fallback font still fits.
WIDTH_SLACK = 1.06

# Advance widths (1/1000 em) of ASCII 32..126 in Helvetica and Helvetica-Bold (Adobe AFM).
_REGULAR = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 556 222 222 500 "
    "222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 556 556 "
    "333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 722 778 667 778 722 "
    "667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 556 333 611 611 278 278 556 "
    "278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 280 389 584"
)
_WIDTHS = {False: [int(w) for w in _REGULAR.split()], True: [int(w) for w in _BOLD.split()]}


@lru_cache(maxsize=4096)
def _char_width(ch: str, bold: bool) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return _WIDTHS[bold][code - 32]
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    base = unicodedata.normalize("NFKD", ch)[:1]  # é -> e
    if base and 32 <= ord(base) <= 126:
        return _WIDTHS[bold][ord(base) - 32]
    return 640 if bold else 600


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated advance width of `text` in px at font size `size`."""
    return sum(_char_width(ch, bold) for ch in text) * size / 1000 * WIDTH_SLACK


# -------------------------------------------------------------------------------------- text


def clean(text: str) -> str:
    """One line of displayable text: characters that are not printable (controls, format characters,
    lone surrogates, non-characters: several of which XML cannot carry at all) become spaces, and runs
    of white space become one space."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def _fit(text: str, width: float, size: float, bold: bool, ellipsis: str = "…") -> str:
    """`text` cut to `width` px, ending in `ellipsis` when something was cut (one pass, stops early)."""
    room = width - text_width(ellipsis, size, bold)
    scale = size / 1000 * WIDTH_SLACK
    used, cut = 0.0, None
    for i, ch in enumerate(text):
        used += _char_width(ch, bold) * scale
        if cut is None and used > room:
            cut = i
        if used > width:
            return (text[:cut].rstrip() if ellipsis else text[:cut]) + ellipsis
    return text


def wrap(
    text: str, width: float, size: float, bold: bool = False, max_lines: int = MAX_NAME_LINES
) -> list[str]:
    """Greedy word wrap to `width` px; a word wider than a line is broken between characters; past
    `max_lines` the last line ends in an ellipsis."""
    space = text_width(" ", size, bold)
    lines: list[str] = []
    current, used = "", 0.0
    for word in text.split(" "):
        if len(lines) > max_lines:
            break
        word_w = text_width(word, size, bold)
        if current and used + space + word_w <= width:
            current, used = f"{current} {word}", used + space + word_w
            continue
        if current:
            lines.append(current)
        if word_w > width:
            # The word alone is wider than a line: break it into line-wide pieces.
            while len(lines) <= max_lines:
                piece = _fit(word, width, size, bold, ellipsis="") or word[0]
                if piece == word:
                    break
                lines.append(piece)
                word = word[len(piece):]
            word_w = text_width(word, size, bold) if len(lines) <= max_lines else width
        current, used = word, word_w
    if current or not lines:
        lines.append(current)
    if len(lines) > max_lines:
        # The next line's start did not fit after the last kept line, so this fills it and cuts.
        lines = lines[:max_lines + 1]
        last = _fit(lines[-2] + " " + lines.pop(), width, size, bold)
        lines[-1] = last if last.endswith("…") else _fit(last + "…", width, size, bold)
    return lines


def _short(name: str, limit: int = 60) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def _type_label(node: GraphNode) -> str:
    return str(node.type).replace("_", " ")


def _rating(node: GraphNode) -> str | None:
    if node.type != SourceType.OUTLET or not (node.reliability_label or node.reliability_score is not None):
        return None
    score = f" {node.reliability_score:.2f}" if node.reliability_score is not None else ""
    return clean(f"{node.reliability_label or 'rated'}{score}")


# ------------------------------------------------------------------------------------------ layout


@dataclass(eq=False)
class _Box:
    link: GraphNode
    depth: int
    children: list[_Box] = field(default_factory=list)
    number: int = 0  # pre-order: node0 is the first root; for one chain, its position in the chain
    name: str = ""  # cleaned
    name_lines: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    cue: str = ""
    w: float = 0.0
    h: float = 0.0
    own_w: float = 0.0  # the box, or twice the cue's reach right of the connector, whichever is wider
    span_w: float = 0.0  # the whole subtree's column
    cx: float = 0.0  # centre
    top: float = 0.0


def _tree(chains: Sequence[Sequence[GraphNode]]) -> list[_Box]:
    """Chains merged into a forest: chains that begin with the same links share those nodes (a link
    equal in every field to a sibling is that sibling); a source repeated inside one chain is drawn
    again, in its place."""
    roots: list[_Box] = []
    for chain in chains:
        siblings, depth = roots, 0
        for link in chain:
            box = next((b for b in siblings if b.link == link), None)
            if box is None:
                box = _Box(link, depth)
                siblings.append(box)
            siblings, depth = box.children, depth + 1
    return roots


def _preorder(boxes: list[_Box]) -> list[_Box]:
    out: list[_Box] = []
    stack = list(reversed(boxes))
    while stack:
        box = stack.pop()
        out.append(box)
        stack.extend(reversed(box.children))
    return out


def _measure(box: _Box) -> None:
    link = box.link
    box.name = clean(link.name) or "(no name)"
    box.name_lines = wrap(box.name, MAX_NAME_W, NAME_SIZE, bold=True)
    box.details = [_type_label(link)] + [r for r in [_rating(link)] if r]
    box.cue = _fit(clean(link.cue or ""), MAX_CUE_W, DETAIL_SIZE, bold=False)
    text_w = max([text_width(t, NAME_SIZE, True) for t in box.name_lines]
                 + [text_width(t, DETAIL_SIZE) for t in box.details])
    box.w = max(MIN_BOX_W, text_w + 2 * PAD_X)
    lines_h = len(box.name_lines) * (NAME_SIZE + LINE_GAP) + len(box.details) * (DETAIL_SIZE + LINE_GAP)
    box.h = 2 * PAD_Y + lines_h - LINE_GAP
    reach = CUE_OFFSET + text_width(box.cue, DETAIL_SIZE) if box.cue and box.depth else 0.0
    box.own_w = max(box.w, 2 * reach)


def _place(box: _Box, left: float) -> None:
    """Centres, given the left edge of the subtree's column (iterative: a chain may be 40 deep)."""
    stack = [(box, left)]
    while stack:
        node, x0 = stack.pop()
        kids = node.children
        if not kids:
            node.cx = x0 + node.span_w / 2
            continue
        total = sum(c.span_w for c in kids) + SIBLING_GAP * (len(kids) - 1)
        x = x0 + (node.span_w - total) / 2
        starts = []
        for child in kids:
            starts.append(x)
            x += child.span_w + SIBLING_GAP
        first = starts[0] + kids[0].span_w / 2
        last = starts[-1] + kids[-1].span_w / 2
        half = node.own_w / 2
        node.cx = min(max((first + last) / 2, x0 + half), x0 + node.span_w - half)
        stack.extend(zip(kids, starts, strict=True))


@dataclass
class Layout:
    boxes: list[_Box]  # pre-order
    width: float
    height: float


def layout(chains: Sequence[Sequence[GraphNode]]) -> Layout:
    roots = _tree(chains)
    boxes = _preorder(roots)
    for number, box in enumerate(boxes):
        box.number = number
        _measure(box)
    # Iterative spans, deepest first (post-order), so a 40-link chain needs no deep recursion.
    for box in reversed(boxes):
        kids = box.children
        total = sum(c.span_w for c in kids) + SIBLING_GAP * max(0, len(kids) - 1)
        box.span_w = max(box.own_w, total)
    x = MARGIN
    for root in roots:
        _place(root, x)
        x += root.span_w + SIBLING_GAP
    width = x - SIBLING_GAP + MARGIN
    depth = max(b.depth for b in boxes) + 1
    layer_h = [0.0] * depth
    for box in boxes:
        layer_h[box.depth] = max(layer_h[box.depth], box.h)
    tops = [float(MARGIN)]
    for h in layer_h[:-1]:
        tops.append(tops[-1] + h + LAYER_GAP)
    for box in boxes:
        box.top = tops[box.depth]
    height = tops[-1] + layer_h[-1] + MARGIN
    return Layout(boxes, width, height)


# --------------------------------------------------------------------------------------------- SVG


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


#: Quotes are escaped in text too: harmless there, but no fragment of a name then reads as an attribute.
_ENTITIES = {'"': "&quot;", "'": "&#39;"}


def _attr(value: str) -> str:
    return '"' + escape(value, _ENTITIES) + '"'


def _tag(name: str, attrs: dict[str, str | float], text: str | None = None) -> str:
    parts = [name] + [f"{k}={_attr(v if isinstance(v, str) else _n(v))}" for k, v in attrs.items()]
    head = "<" + " ".join(parts)
    return head + "/>" if text is None else f"{head}>{escape(text, _ENTITIES)}</{name}>"


def _node_svg(box: _Box) -> list[str]:
    link = box.link
    kind = str(link.type)
    left = box.cx - box.w / 2
    tooltip = " · ".join([box.name, *box.details])
    out = [
        f'<g id="node{box.number}" class={_attr("node type-" + kind)}>',
        _tag("title", {}, tooltip),
        _tag("rect", {"x": left, "y": box.top, "width": box.w, "height": box.h, "rx": 6, "ry": 6,
                      "fill": TYPE_COLOURS.get(kind, "#ffffff"), "stroke": STROKE, "stroke-width": 1}),
    ]
    y = box.top + PAD_Y
    for line in box.name_lines:
        y += NAME_SIZE
        out.append(_tag("text", {"x": box.cx, "y": y - 2, "text-anchor": "middle", "font-size": NAME_SIZE,
                                 "font-weight": "bold", "fill": TEXT}, line))
        y += LINE_GAP
    for i, line in enumerate(box.details):
        y += DETAIL_SIZE
        style = {"font-style": "italic"} if i == 0 else {}
        out.append(_tag("text", {"x": box.cx, "y": y - 2, "text-anchor": "middle", "font-size": DETAIL_SIZE,
                                 **style, "fill": DETAIL_TEXT}, line))
        y += LINE_GAP
    out.append("</g>")
    return out


def _edge_svg(number: int, parent: _Box, child: _Box, layer_bottom: float) -> list[str]:
    x0, y0 = parent.cx, parent.top + parent.h
    x1, y1 = child.cx, child.top
    tip = y1 - ARROW_LEN
    if abs(x1 - x0) < 0.05:
        d = f"M{_n(x0)},{_n(y0)} V{_n(tip)}"
        leg_top = y0
    else:
        bus = layer_bottom + BUS_DROP
        d = f"M{_n(x0)},{_n(y0)} V{_n(bus)} H{_n(x1)} V{_n(tip)}"
        leg_top = bus
    title = f"{_short(parent.name)} → {_short(child.name)}"
    if child.cue:
        title += f" ({child.cue})"
    points = f"{_n(x1 - ARROW_HALF)},{_n(tip)} {_n(x1 + ARROW_HALF)},{_n(tip)} {_n(x1)},{_n(y1)}"
    out = [
        f'<g id="edge{number}" class="edge">',
        _tag("title", {}, title),
        _tag("path", {"d": d, "fill": "none", "stroke": STROKE, "stroke-width": 1.2}),
        _tag("polygon", {"points": points, "fill": STROKE, "stroke": STROKE, "stroke-width": 1}),
    ]
    if child.cue:
        mid = (leg_top + tip) / 2
        out.append(_tag("text", {"x": x1 + CUE_OFFSET, "y": mid + DETAIL_SIZE / 2 - 1.5,
                                 "font-size": DETAIL_SIZE, "font-style": "italic", "fill": DETAIL_TEXT},
                        child.cue))
    out.append("</g>")
    return out


def chains_svg(chains: Sequence[Sequence[GraphNode]]) -> str:
    """Several chains as one tree (shared beginnings drawn once), as an `<svg>` element."""
    if not chains or not all(chains):
        raise ValueError("every chain needs at least one link")
    drawn = layout(chains)
    layer_bottom: dict[int, float] = {}
    for box in drawn.boxes:
        layer_bottom[box.depth] = max(layer_bottom.get(box.depth, 0.0), box.top + box.h)
    width, height = _n(drawn.width), _n(drawn.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family={_attr(FONT_FAMILY)}>',
    ]
    edges = 0
    for box in drawn.boxes:
        for child in box.children:
            edges += 1
            out.extend(_edge_svg(edges, box, child, layer_bottom[box.depth]))
    for box in drawn.boxes:
        out.extend(_node_svg(box))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def chain_svg(chain: Sequence[GraphNode]) -> str:
    """One chain, publisher first, drawn top to bottom, as an `<svg>` element."""
    return chains_svg([chain])
