"""The chain graph renderer (web/graph.py): pure-Python layout, SVG the page's allow-list keeps.

Every test parses the output with xml.etree, so it is well-formed XML, and reads the geometry back from
the parsed elements: boxes must not overlap, arrows must join a parent's bottom to its child's top, and
everything must lie inside the viewBox.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sourcetrace.web.graph import (
    MAX_NAME_LINES,
    MAX_NAME_W,
    NAME_SIZE,
    TYPE_COLOURS,
    GraphNode,
    chain_svg,
    chains_svg,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
GRAPH_JS = Path(__file__).resolve().parents[1] / "src" / "sourcetrace" / "web" / "static" / "graph.js"


def link(name: str, kind: str = "named_person", cue: str | None = "said", **rating) -> GraphNode:
    return GraphNode(name=name, type=kind, cue=cue, **rating)


def publisher(name: str = "The Harbour Courier") -> GraphNode:
    return GraphNode(name=name, type="outlet", reliability_label="reliable", reliability_score=0.81)


def parse(svg: str) -> ElementTree.Element:
    assert svg.startswith("<svg")
    root = ElementTree.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def groups(root: ElementTree.Element, cls: str) -> list[ElementTree.Element]:
    return [g for g in root.iter(SVG + "g") if cls in g.get("class", "").split()]


def box(node: ElementTree.Element) -> tuple[float, float, float, float]:
    rect = node.find(SVG + "rect")
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def lines(node: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in node.findall(SVG + "text")]


def check_geometry(root: ElementTree.Element) -> None:
    """No two boxes overlap, all drawn coordinates lie in the viewBox, width/height match it."""
    vx, vy, vw, vh = (float(v) for v in root.get("viewBox").split())
    assert (vx, vy) == (0, 0) and (float(root.get("width")), float(root.get("height"))) == (vw, vh)
    boxes = [box(n) for n in groups(root, "node")]
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= vw and 0 <= y0 < y1 <= vh
    for a, b in combinations(boxes, 2):
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    for edge in groups(root, "edge"):
        for number in re.findall(r"-?\d+(?:\.\d+)?", edge.find(SVG + "path").get("d")):
            assert 0 <= float(number) <= max(vw, vh)


def test_output_keeps_to_the_pages_allow_list():
    """static/graph.js rebuilds the SVG from an element/attribute allow-list: anything else would be
    dropped silently in the page, so the renderer must not rely on it."""
    source = GRAPH_JS.read_text()

    def allowed(name: str) -> set[str]:
        body = re.search(name + r" = new Set\(\[(.*?)\]\)", source, re.S).group(1)
        return set(re.findall(r"'([^']+)'", body))

    elements, attributes = allowed("ELEMENTS"), allowed("ATTRIBUTES")
    chains = [[publisher(), link("Agency", "named_organization", "reported"), link("A & B <c>")],
              [publisher(), link("Residents", "collective", "say")]]
    root = parse(chains_svg(chains))
    for element in root.iter():
        assert element.tag.removeprefix(SVG) in elements, element.tag
        assert set(element.attrib) <= attributes, element.attrib


def test_a_chain_is_drawn_top_down_with_texts_colours_and_cues():
    chain = [publisher(), link("Associated Press", "named_organization", "reported"),
             link("Marta Oyelaran", cue="said"), link("two officials", "official_unnamed", "told")]
    root = parse(chain_svg(chain))
    nodes, edges = groups(root, "node"), groups(root, "edge")
    assert [n.get("id") for n in nodes] == ["node0", "node1", "node2", "node3"]
    assert len(edges) == len(nodes) - 1
    assert lines(nodes[0]) == ["The Harbour Courier", "outlet", "reliable 0.81"]
    assert lines(nodes[1]) == ["Associated Press", "named organization"]
    assert lines(nodes[3]) == ["two officials", "official unnamed"]
    assert "type-official_unnamed" in nodes[3].get("class")
    assert nodes[2].find(SVG + "rect").get("fill") == TYPE_COLOURS["named_person"]
    assert [lines(e) for e in edges] == [["reported"], ["said"], ["told"]]
    assert edges[1].findtext(SVG + "title") == "Associated Press → Marta Oyelaran (said)"
    # One column, each box below the one before; each arrow runs from a box's bottom to the next top.
    boxes = [box(n) for n in nodes]
    centres = {round((b[0] + b[2]) / 2, 1) for b in boxes}
    assert len(centres) == 1
    for upper, lower, edge in zip(boxes, boxes[1:], edges, strict=False):
        assert upper[3] < lower[1]
        d = edge.find(SVG + "path").get("d")
        start = [float(v) for v in re.match(r"M([\d.]+),([\d.]+)", d).groups()]
        assert start[1] == pytest.approx(upper[3], abs=0.05)
        tip = [float(v) for v in edge.find(SVG + "polygon").get("points").split()[-1].split(",")]
        assert tip[1] == pytest.approx(lower[1], abs=0.05)
    check_geometry(root)


def test_outlet_rating_only_on_outlets_and_score_alone_says_rated():
    root = parse(chain_svg([GraphNode(name="Valley Post", type="outlet", reliability_score=0.4),
                            GraphNode(name="Jo", type="named_person", reliability_label="x", cue="said")]))
    first, second = groups(root, "node")
    assert lines(first) == ["Valley Post", "outlet", "rated 0.40"]
    assert lines(second) == ["Jo", "named person"]


@pytest.mark.parametrize("name", [
    'Marta <script>alert(1)</script> & "Co" \'x\' >',
    '"/><script>alert(1)</script>',
    "]]><!-- &amp; &#x41; <![CDATA[",
    "officials\" onmouseover=\"alert(1)",
])
def test_markup_in_names_and_cues_stays_text(name):
    svg = chain_svg([publisher(name), link(name, cue=name)])
    root = parse(svg)
    assert "<script" not in svg and "onmouseover=\"" not in svg and "<!--" not in svg
    node = groups(root, "node")[1]
    text = " ".join(lines(node)[:-1])  # the name's lines, wrapped at spaces
    assert text.replace(" ", "") == name.replace(" ", "")
    assert node.findtext(SVG + "title").startswith(name)
    cue = lines(groups(root, "edge")[0])[0]
    assert cue == name or name.startswith(cue.removesuffix("…"))
    for element in root.iter():
        assert not any(a.startswith("on") for a in element.attrib)


def test_characters_xml_cannot_carry_are_replaced():
    name = "A\x00B\x1bC\ud800D\ufffeE\u202eF\tG\nH"
    # The API's validation already refuses a lone surrogate; the renderer copes on its own all the same.
    svg = chain_svg([publisher(), GraphNode.model_construct(name=name, type="named_person", cue="said")])
    svg.encode("utf-8")  # no lone surrogate left
    root = parse(svg)
    assert lines(groups(root, "node")[1])[0] == "A B C D E F G H"


def test_a_very_long_name_wraps_then_ends_in_an_ellipsis():
    long_words = " ".join(f"Word{i}" for i in range(100))[:500]
    one_word = "X" * 500
    for name in (long_words, one_word):
        root = parse(chain_svg([publisher(), link(name)]))
        node = groups(root, "node")[1]
        name_lines = lines(node)[:-1]
        assert len(name_lines) == MAX_NAME_LINES
        assert name_lines[-1].endswith("…")
        assert "".join(name_lines).replace(" ", "").rstrip("…") in name.replace(" ", "")
        x0, _, x1, _ = box(node)
        for line in name_lines:
            assert text_width(line, NAME_SIZE, bold=True) <= min(MAX_NAME_W, x1 - x0)
        # The whole name is the tooltip.
        assert node.findtext(SVG + "title").startswith(name)
        check_geometry(root)
    # Short names are not touched.
    assert lines(groups(parse(chain_svg([link("Jo", cue=None)])), "node")[0])[0] == "Jo"


def test_a_deep_chain_of_eight_hops():
    chain = [publisher()] + [link(f"Relay {i} of a long line of relays", cue=f"cue {i}") for i in range(8)]
    root = parse(chain_svg(chain))
    nodes, edges = groups(root, "node"), groups(root, "edge")
    assert len(nodes) == 9 and len(edges) == 8
    tops = [box(n)[1] for n in nodes]
    assert tops == sorted(tops) and len(set(tops)) == 9
    assert [lines(n)[0] for n in nodes[1:]] == [f"Relay {i} of a long line of relays" for i in range(8)]
    check_geometry(root)


def test_the_longest_chain_the_api_accepts():
    chain = [publisher()] + [link("Y" * 500, cue="c" * 200) for _ in range(39)]
    root = parse(chain_svg(chain))
    assert len(groups(root, "node")) == 40
    check_geometry(root)


def test_chains_with_a_common_beginning_share_it_and_siblings_sit_side_by_side():
    agency = link("Agency", "named_organization", "reported")
    sources = [link(f"Source number {i}", cue="said") for i in range(12)]
    chains = [[publisher(), agency, source] for source in sources]
    root = parse(chains_svg(chains))
    nodes, edges = groups(root, "node"), groups(root, "edge")
    assert len(nodes) == 14  # publisher and agency once, twelve sources
    assert len(edges) == len(nodes) - 1  # a tree
    assert sorted(lines(n)[0] for n in nodes[2:]) == sorted(s.name for s in sources)
    kids = [box(n) for n in nodes[2:]]
    assert len({b[1] for b in kids}) == 1  # one layer
    lefts = [b[0] for b in kids]
    assert lefts == sorted(lefts)  # in the order the chains came
    parent = box(nodes[1])
    first, last = (kids[0][0] + kids[0][2]) / 2, (kids[-1][0] + kids[-1][2]) / 2
    assert (parent[0] + parent[2]) / 2 == pytest.approx((first + last) / 2, abs=0.1)  # centred over them
    check_geometry(root)


def test_a_forest_and_repeats():
    # Two publishers: two roots, so edges = nodes - 2; the same chain twice is drawn once; a source
    # repeated inside a chain is drawn again in its place.
    jo = link("Jo", cue="said")
    chains = [[publisher(), jo, link("Kim", cue="told"), jo], [publisher("Valley Post"), jo],
              [publisher(), jo, link("Kim", cue="told"), jo]]
    root = parse(chains_svg(chains))
    nodes = groups(root, "node")
    assert [lines(n)[0] for n in nodes] == ["The Harbour Courier", "Jo", "Kim", "Jo", "Valley Post", "Jo"]
    assert len(groups(root, "edge")) == len(nodes) - 2
    check_geometry(root)


def test_output_is_deterministic_and_an_empty_chain_is_refused():
    chains = [[publisher(), link("Agency", "named_organization", "reported"), link(n)] for n in "ABC"]
    assert chains_svg(chains) == chains_svg([list(c) for c in chains])
    with pytest.raises(ValueError):
        chains_svg([])
    with pytest.raises(ValueError):
        chains_svg([[publisher()], []])


def test_wide_and_unnamed_characters_are_measured():
    assert text_width("東京都庁", 13) > text_width("abcd", 13)
    assert text_width("é", 13) == text_width("e", 13)
    root = parse(chain_svg([link("", cue=None)]))
    assert lines(groups(root, "node")[0])[0] == "(no name)"



_names = st.text(st.characters(codec="utf-8"), max_size=120)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(_names, st.sampled_from(sorted(TYPE_COLOURS)), st.none() | _names),
                         min_size=1, max_size=5), min_size=1, max_size=4))
def test_any_names_give_valid_svg_without_overlaps(chains):
    built = [[GraphNode(name=n, type=t, cue=c) for n, t, c in chain] for chain in chains]
    root = parse(chains_svg(built))
    roots = {chain[0].model_dump_json() for chain in built}  # chains starting alike share one root
    assert len(groups(root, "edge")) == len(groups(root, "node")) - len(roots)
    check_geometry(root)
